"""Train the event model on the synthetic world's fixed training seeds; score it video by video on the fixed test seeds.

    python bench/train_synth.py                     # ours and the reference's choices, same budget each
    python bench/train_synth.py --variants ours --ship   # also copy the trained model into the package
    python bench/train_synth.py --evaluate event_graph/assets/synth-decoder.safetensors   # score a trained model, no training
    python bench/train_synth.py --quick             # a few 20 s videos per split, 1 epoch, in temporary folders: checks that the script runs

Renders the splits of `event_graph.synth.SPLITS` (once; reused after), extracts their features with a backbone (once; the
shipped `tiny` unless --backbone says otherwise), trains each variant with the shipped recipe (`event_graph.train.RECIPES`)
for the same number of epochs, and scores it with `event_graph.benchmark.benchmark_scores` (test graphs at confidence 0.5,
and at the threshold tuned on the tuning videos). Prints a markdown table and writes it, the per-epoch histories and the
curves under --out (default bench/results/backbones/<backbone>/seed<seed>, where the README's table reads them).
"""
import argparse, json, resource, shutil, tempfile, time
from dataclasses import replace
from pathlib import Path
import pandas as pd
import torch
import matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt
from event_graph.world import WorldConfig
from event_graph.synth import SPLITS
from event_graph.backbone import load_backbone, tiny_name
from event_graph.data import EventClips
from event_graph.decoder import VJEPAEventDecoder
from event_graph.train import RECIPES, fit
from event_graph.matching import SlotCostWeights
from event_graph.inference import SHIPPED_CHECKPOINT
from event_graph.fixtures import QUICK_WORLD, quick_seeds, feature_folder, prepare_split
from event_graph.benchmark import benchmark_scores, markdown_table

RECIPE = RECIPES['shipped'] # the package's model: 1.6 M parameters, 6 MB; no dropout (the model underfits)
# Each variant: DecoderConfig overrides, LossWeights overrides, SlotCostWeights overrides of the recipe.
NO_LOCATION = dict(location=0, box_l1=0, box_giou=0) # nothing ties a slot to where its object is: the reference's alignment
VARIANTS = {
    'ours': ({}, {}, {}),
    'reference choices': (dict(pointer='index', temporal=False), NO_LOCATION, NO_LOCATION),
    'category-only slot alignment': ({}, NO_LOCATION, NO_LOCATION),
    'index pointers': (dict(pointer='index'), {}, {}),
    'time-averaged trajectories': (dict(temporal=False), {}, {}),
}
def peak_rss_gb()->float: return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/2**20

def run_variant(name, args, train, valid, tune_pairs, scored_pairs)->tuple[dict, pd.DataFrame]:
    model_kw,loss_kw,slot_kw = VARIANTS[name]
    torch.manual_seed(args.seed)
    model = RECIPE.model(train, **model_kw)
    given = dict(epochs=args.epochs, lr=args.lr, warmup_epochs=args.warmup_epochs, aux=args.aux or None)
    cfg = replace(RECIPE.train, **{k: v for k,v in given.items() if v is not None}, seed=args.seed)
    cfg = replace(cfg, patience=cfg.epochs) # every variant trains for all its epochs
    out = args.out/name.replace(' ', '_')
    if out.exists() and not args.resume: shutil.rmtree(out)
    history = fit(model, train, valid, cfg, out, weights=replace(RECIPE.loss, **loss_kw), slot_weights=SlotCostWeights(**slot_kw))
    info = out/'run.json' # the training's peak memory, kept for a later --resume that only evaluates
    if not info.exists(): info.write_text(json.dumps({'peak_rss_gb': peak_rss_gb()}))
    best = VJEPAEventDecoder.load(out/'best.safetensors')
    row = {'variant': name, **benchmark_scores(best, valid, tune_pairs, scored_pairs), 'train minutes': history.seconds.sum()/60,
           'peak RSS (GB)': json.loads(info.read_text())['peak_rss_gb'], 'best epoch': int(history.event_f1.idxmax())+1}
    if name=='ours' and args.ship: # with the threshold tuned on the tuning videos
        best.config.threshold = row['threshold']
        best.config.backbone = {**best.config.backbone, 'name': 'tiny'} # the package's backbone, whichever folder its weights were read from
        best.save(SHIPPED_CHECKPOINT)
        print(f"shipped {out/'best.safetensors'} (threshold {row['threshold']:.2f}) -> {SHIPPED_CHECKPOINT}")
    return row, history.assign(variant=name)

def plot(histories:pd.DataFrame, path:Path):
    panels = {'train_loss': 'training loss', 'event_f1': 'validation event F1', 'pointer_accuracy': 'validation pointer accuracy',
              'box_iou': "validation slots' box IoU"}
    panels = {k: t for k,t in panels.items() if k in histories}
    fig,axes = plt.subplots(1, len(panels), figsize=(4.3*len(panels), 3.4))
    for name,h in histories.groupby('variant', sort=False):
        for a,k in zip(axes, panels): h.plot(x='epoch', y=k, ax=a, label=name, logy=k=='train_loss')
    for a,t in zip(axes, panels.values()): a.set_title(t+('' if t=='training loss' else ' (clip-level)'), fontsize=10)
    fig.tight_layout(); fig.savefig(path, dpi=110)

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', type=Path, default=Path('synth-data'), help='where the rendered videos and features are kept')
    p.add_argument('--out', type=Path, default=None, help='runs, table and curves (with --evaluate, only the table, and only where given); default bench/results/backbones/<backbone>/seed<seed>')
    p.add_argument('--variants', nargs='+', default=['ours', 'reference choices'], choices=list(VARIANTS))
    p.add_argument('--epochs', type=int, default=None, help="default the shipped recipe's (10)")
    p.add_argument('--lr', type=float, default=None, help="peak learning rate; default the shipped recipe's (4e-4)")
    p.add_argument('--warmup-epochs', type=float, default=None, help="default the shipped recipe's (1)")
    p.add_argument('--aux', action='store_true', help="also train on the earlier decoder layers' outputs (auxiliary losses)")
    p.add_argument('--train-videos', type=int, default=len(SPLITS['train']), help='train on the worlds of seeds 0 to N-1 (the fixed split is the first 3 600)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--backbone', default='tiny', help="the frozen backbone: 'tiny' (pretrained), 'tiny-random', 'hf:<folder>'")
    p.add_argument('--ship', action='store_true', help="copy the trained 'ours' model into the package")
    p.add_argument('--resume', action='store_true', help='go on with runs found in --out instead of starting again')
    p.add_argument('--score-on', choices=('test', 'tune'), default='test',
                   help="the videos scored: 'tune' to choose between settings (the threshold is then tuned on the videos scored)")
    p.add_argument('--limit', type=int, default=None, help='use only the first N videos of each split (to try the script out)')
    p.add_argument('--evaluate', type=Path, nargs='+', default=None, help='score these trained checkpoints instead of training')
    p.add_argument('--quick', action='store_true', help='videos of 20 s, 4 for training and 2 for each other split, 1 epoch, in temporary folders')
    args = p.parse_args(argv)
    out_given = args.out is not None
    if args.quick and args.ship: p.error("--quick trains on too little to --ship")
    others = min(min(seeds) for split,seeds in SPLITS.items() if split!='train')
    if not 0<args.train_videos<=others: p.error(f"--train-videos must be 1 to {others}: higher seeds belong to the other splits")
    world,seeds = WorldConfig(),{s: SPLITS[s] for s in ('valid', 'test', 'tune')} | {'train': range(args.train_videos)}
    if args.quick:
        args.data,args.out,args.epochs = Path(tempfile.mkdtemp()),Path(tempfile.mkdtemp()),1
        world,seeds = QUICK_WORLD,quick_seeds(seeds)
    torch.set_num_threads(torch.get_num_threads())
    start = time.perf_counter()
    backbone = load_backbone(args.backbone)
    if args.ship and tiny_name(backbone.weights)!='tiny': p.error(f"--ship: the package's decoder reads the package's 'tiny' backbone, not {args.backbone}")
    args.out = args.out or Path('bench/results/backbones')/feature_folder('', backbone).name/f'seed{args.seed}'
    if args.evaluate: # only the splits that scoring reads
        pairs = {s: prepare_split(args.data, s, backbone, args.limit, seeds[s], world) for s in ('valid', 'test', 'tune')}
        valid = EventClips(pairs['valid'])
        scores = [benchmark_scores(VJEPAEventDecoder.load(c), valid, pairs['tune'], pairs[args.score_on]) for c in args.evaluate]
        print(markdown_table(pd.DataFrame(dict(zip(map(str, args.evaluate), scores)))))
        if out_given: # a table like a training's, a row per checkpoint, named by its run's folder ('ours' for <out>/ours/best.safetensors)
            args.out.mkdir(parents=True, exist_ok=True)
            names = pd.Index([c.parent.name.replace('_', ' ') for c in args.evaluate], name='variant')
            pd.DataFrame(scores, index=names).to_csv(args.out/'table.csv')
        return
    pairs = {s: prepare_split(args.data, s, backbone, args.limit, seeds[s], world) for s in ('train', 'valid', 'test', 'tune')}
    train,valid = EventClips(pairs['train']),EventClips(pairs['valid'])
    print(f"data ready in {(time.perf_counter()-start)/60:.1f} min: {len(train)} training clips, {len(valid)} validation clips, "
          f"{len(pairs[args.score_on])} {args.score_on} videos scored")
    args.out.mkdir(parents=True, exist_ok=True)
    rows,histories = [],[]
    for v in args.variants: # results are written after every variant, so that a long run keeps what it finished
        row,history = run_variant(v, args, train, valid, pairs['tune'], pairs[args.score_on])
        rows.append(row); histories.append(history)
        table = pd.DataFrame(rows).set_index('variant')
        table.to_csv(args.out/'table.csv'); pd.concat(histories).to_csv(args.out/'history.csv', index=False)
        plot(pd.concat(histories), args.out/'curves.png')
        md = markdown_table(table.T)
        (args.out/'table.md').write_text(md+'\n')
        print(md, flush=True)
    print(f"total {(time.perf_counter()-start)/60:.1f} min; torch {torch.__version__}, {torch.get_num_threads()} threads")

if __name__=='__main__': main()
