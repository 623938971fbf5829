"""Open-vocabulary event graphs on the synthetic world: the slots' category head and the decoder's action head score label
vectors, some labels are kept out of training, and every label is scored after.
    python bench/open_vocab_events.py --data <folder> --seed 0 --fixed event_graph/assets/synth-decoder.safetensors
    python bench/open_vocab_events.py --quick       # a few 20 s videos, 1 epoch, in temporary folders: checks that the script runs
Each variant is the shipped recipe (`event_graph.train.RECIPES['shipped']`) on `tiny` tokens of the benchmark's splits:
  'open-vocabulary heads, attributes'   labels as their attributes (`SYNTH_ATTRIBUTES`); `SYNTH_NOVEL` kept out of training
  '..., attributes, calibrated'         that model with the unseen labels' logits raised by the bias tuned on the tuning split
                                        (`tune_unseen_bias`; calibrated stacking), trained again only if not found in --out
  'open-vocabulary heads, names only'   a dimension per label (an encoder that knows no words); the same labels kept out
  'open-vocabulary heads, every label'  attributes, nothing kept out: what the heads cost on the labels a model is trained on
  'fixed heads, every label'            the benchmark's model (`--fixed`: its checkpoint of this seed; else trained here)
Scores: the benchmark's figures (`event_graph.benchmark.benchmark_scores`) and the base / novel split of them
(`label_split_scores`), on the test split. Writes table.csv and table.md under --out/seed<seed>, and the mean ± std over
the seeds found to --out/table.md.
"""
import argparse, shutil, tempfile, time
from dataclasses import replace
from pathlib import Path
import torch
from event_graph.world import WorldConfig
from event_graph.synth import SPLITS
from event_graph.backbone import load_backbone
from event_graph.data import EventClips
from event_graph.decoder import VJEPAEventDecoder
from event_graph.train import RECIPES, fit
from event_graph.schema import EventGraph
from event_graph.inference import predict_features
from event_graph.label_embeddings import SYNTH_ATTRIBUTES, SYNTH_NOVEL, attribute_embeddings, name_embeddings
from event_graph.fixtures import QUICK_WORLD, quick_seeds, prepare_split
from event_graph.benchmark import FLOOR, HEADLINE, LABEL_SPLIT, benchmark_scores, label_split_scores, markdown_table, record_variant, tune_unseen_bias, variant_table

RECIPE = RECIPES['shipped']
VARIANTS = ('open-vocabulary heads, attributes', 'open-vocabulary heads, attributes, calibrated', 'open-vocabulary heads, names only', 'open-vocabulary heads, every label', 'fixed heads, every label')

def build(name:str, train:EventClips)->VJEPAEventDecoder:
    "The untrained model of a variant."
    if name=='fixed heads, every label': return RECIPE.model(train)
    voc = train.files[0][1].vocab # the vocabulary `RECIPE.model` gives the model
    acts,cats = [a for a in voc.action_names if a in SYNTH_ATTRIBUTES],[c for c in voc.categories if c in SYNTH_ATTRIBUTES]
    make = (lambda ls: name_embeddings(ls, list(SYNTH_ATTRIBUTES))) if 'names' in name else attribute_embeddings
    A,C = make(acts),make(cats)
    unseen = None if 'every label' in name else dict(actions=[a for a in acts if a in SYNTH_NOVEL], categories=[c for c in cats if c in SYNTH_NOVEL])
    return RECIPE.model(train, label_space=dict(encoder=A.encoder, tau=0.1), unseen=unseen).set_label_vectors(A, C)

def run_variant(name, args, train, valid, pairs)->dict:
    calibrated = name.endswith(', calibrated')
    trained = name.removesuffix(', calibrated') # a calibrated variant is the model of another, its bias tuned after training
    out = args.out/f'seed{args.seed}'/trained.replace(' ', '_').replace(',', '')
    if trained=='fixed heads, every label' and args.fixed: best,minutes = VJEPAEventDecoder.load(args.fixed),float('nan')
    elif calibrated and (out/'best.safetensors').exists(): best,minutes = VJEPAEventDecoder.load(out/'best.safetensors'),float('nan')
    else:
        torch.manual_seed(args.seed)
        model = build(trained, train)
        cfg = replace(RECIPE.train, seed=args.seed, **{k: v for k,v in dict(epochs=args.epochs, lr=args.lr).items() if v})
        cfg = replace(cfg, patience=cfg.epochs)
        if out.exists() and not args.resume: shutil.rmtree(out)
        history = fit(model, train, valid, cfg, out, weights=RECIPE.loss)
        best,minutes = VJEPAEventDecoder.load(out/'best.safetensors'),history.seconds.sum()/60
    bias = tune_unseen_bias(best, pairs['tune']) if calibrated else {}
    if bias: best.config = replace(best.config, unseen_bias=bias)
    preds = [predict_features(f, best, threshold=FLOOR) for f,_ in pairs['test']]
    truth = [EventGraph.load(g) for _,g in pairs['test']]
    novel = best.config.unseen or dict(actions=[a for a in SYNTH_NOVEL if a in best.config.vocabulary.action_names],
                                       categories=[c for c in SYNTH_NOVEL if c in best.config.vocabulary.categories])
    return {'variant': name, **benchmark_scores(best, valid, pairs['tune'], pairs['test'], preds), **{f'unseen bias: {k}': v for k,v in bias.items()},
            **{k: float(v) for k,v in label_split_scores(preds, truth, novel['actions'], novel['categories']).items()}, 'train minutes': minutes}

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', type=Path, default=Path('synth-data'), help='where the rendered videos and features are kept')
    p.add_argument('--out', type=Path, default=Path('bench/results/open_vocab_events'), help='runs and tables, one folder per seed')
    p.add_argument('--variants', nargs='+', default=list(VARIANTS), choices=VARIANTS)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--epochs', type=int, default=None, help="default the shipped recipe's (10)")
    p.add_argument('--lr', type=float, default=None, help="peak learning rate; default the shipped recipe's (4e-4)")
    p.add_argument('--backbone', default='tiny', help="whose tokens: 'tiny', 'tiny-random' (this benchmark's tables so far), 'hf:<folder>'")
    p.add_argument('--fixed', type=Path, default=None, help="the benchmark's trained model of this seed, scored instead of training 'fixed heads, every label'")
    p.add_argument('--resume', action='store_true', help='go on with runs found in --out instead of starting again')
    p.add_argument('--quick', action='store_true', help='videos of 20 s, 4 for training and 2 for each other split, 1 epoch, in temporary folders')
    args = p.parse_args(argv)
    world,seeds = WorldConfig(),{s: SPLITS[s] for s in ('train', 'valid', 'test', 'tune')}
    if args.quick:
        args.data,args.out,args.epochs = Path(tempfile.mkdtemp()),Path(tempfile.mkdtemp()),1
        world,seeds = QUICK_WORLD,quick_seeds(seeds)
    start,backbone = time.perf_counter(),load_backbone(args.backbone)
    pairs = {s: prepare_split(args.data, s, backbone, seeds=v, world=world) for s,v in seeds.items()}
    train,valid = EventClips(pairs['train']),EventClips(pairs['valid'])
    print(f"data ready in {(time.perf_counter()-start)/60:.1f} min: {len(train)} training clips; kept out of training: {', '.join(SYNTH_NOVEL)}", flush=True)
    folder = args.out/f'seed{args.seed}'
    folder.mkdir(parents=True, exist_ok=True)
    for v in args.variants: record_variant(folder, run_variant(v, args, train, valid, pairs), VARIANTS) # each row written as soon as it is scored
    summary = variant_table(args.out, HEADLINE+LABEL_SPLIT)
    (args.out/'table.md').write_text(markdown_table(summary.T)+'\n')
    print(markdown_table(summary.T), flush=True)
    print(f"total {(time.perf_counter()-start)/60:.1f} min")

if __name__=='__main__': main()
