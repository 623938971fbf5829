"""Train the event model on the synthetic world's fixed training seeds; score it video by video on the fixed test seeds.

    python bench/train_synth.py                     # ours and the reference's choices, same budget each
    python bench/train_synth.py --variants ours --ship   # also copy the trained model into the package
    python bench/train_synth.py --evaluate event_graph/assets/synth-decoder.safetensors   # score a trained model, no training
    python bench/train_synth.py --quick             # a few 20 s videos per split, 1 epoch, in temporary folders: checks that the script runs

Renders the splits of `event_graph.synth.SPLITS` (once; reused after), extracts their features with a backbone (once; the
shipped `tiny` unless --backbone says otherwise), trains each variant for the same number of epochs, builds one graph per test video with
`event_graph.inference.predict_features`, and scores the graphs with `event_graph.metrics.evaluate` (F1 at confidence 0.5,
and at the threshold that is best on the tuning videos). Prints a markdown
table and writes it, the per-epoch histories and the curves under --out.
"""
import argparse, json, resource, shutil, tempfile, time
from dataclasses import replace
from pathlib import Path
import pandas as pd
import torch
import matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt
from event_graph.synth import SPLITS, WorldConfig, make_dataset, video_name
from event_graph.backbone import load_backbone
from event_graph.features import extract_features
from event_graph.data import EventClips, pair_files
from event_graph.decoder import VJEPAEventDecoder
from event_graph.train import RECIPES, fit, clip_scores
from event_graph.matching import SlotCostWeights
from event_graph.inference import predict_features, tune_threshold, SHIPPED_CHECKPOINT
from event_graph.metrics import evaluate
from event_graph.schema import EventGraph

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
FLOOR = 0.05 # confidence floor of the graphs: low enough for mAP's ranking; F1 uses its own threshold

def peak_rss_gb()->float: return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/2**20

def feature_folder(data:Path, backbone)->Path:
    "Where the features of one backbone are kept: DATA/features/<backbone name, made a folder name>."
    return data/'features'/''.join(c if c.isalnum() or c in '-_.' else '_' for c in backbone.name)

def prepare(data:Path, split:str, backbone, limit:int=None, seeds=None, world:WorldConfig=WorldConfig())->list:
    "Render a split's videos into DATA/videos/<split> and extract their features, both only where missing; (feature file, graph) pairs of its seeds alone."
    seeds = SPLITS[split] if seeds is None else seeds
    videos,feats = data/'videos'/split,feature_folder(data, backbone)/split
    make_dataset(videos, seeds, world)
    table = extract_features(videos, feats, backbone)
    if len(failed := table[table.status=='failed']): raise SystemExit(f"{len(failed)} videos have no usable features, e.g. {failed.problem.iloc[0]}")
    names = {video_name(s) for s in seeds} # other videos in the folder are not the benchmark's
    return [(f, g) for f,g in pair_files(feats, videos) if f.stem in names][:limit]

def predict(model, pairs)->tuple[list, list]:
    "Predicted graphs (confidence floor FLOOR) and ground-truth graphs of some videos."
    return [predict_features(f, model, threshold=FLOOR) for f,_ in pairs],[EventGraph.load(g) for _,g in pairs]

def scores(model, valid, tune_pairs, test_pairs)->dict:
    "The benchmark's scores of a trained model: test graphs at confidence 0.5 and at the threshold best on the tuning videos."
    threshold = tune_threshold(model, tune_pairs)
    preds,gts = predict(model, test_pairs)
    s = evaluate(preds, gts, threshold=0.5).summary
    tuned = evaluate(preds, gts, taus=(1,), threshold=threshold).f1
    return {'graph_f1@1s': s['graph_f1@1s'], 'event_mAP@1s': s['event_mAP@1s'],
            'graph_f1@1s (category)': s['graph_f1@1s_category'], 'event_mAP@1s (category)': s['event_mAP@1s_category'],
            'graph_f1@1s at tuned threshold': tuned.loc[('instance', 1.0), 'f1'], 'threshold': threshold,
            'triplet_f1': s['triplet_f1'], 'action_accuracy': s['action_accuracy'], 'pointer_accuracy': s['pointer_accuracy'],
            'frame_mae (s)': s['frame_mae'], 'box IoU (validation clips)': clip_scores(model, valid)['box_iou']}

def run_variant(name, args, train, valid, tune_pairs, test_pairs)->tuple[dict, pd.DataFrame]:
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
    row = {'variant': name, **scores(best, valid, tune_pairs, test_pairs), 'train minutes': history.seconds.sum()/60,
           'peak RSS (GB)': json.loads(info.read_text())['peak_rss_gb'], 'best epoch': int(history.event_f1.idxmax())+1}
    if name=='ours' and args.ship: # with the threshold tuned on the tuning videos
        best.config.threshold = row['threshold']
        best.save(SHIPPED_CHECKPOINT)
        print(f"shipped {out/'best.safetensors'} (threshold {row['threshold']:.2f}) -> {SHIPPED_CHECKPOINT}")
    return row, history.assign(variant=name)

def markdown(df:pd.DataFrame)->str:
    "A markdown table of a frame, numbers to 3 decimals."
    cell = lambda v: f"{v:.3f}" if isinstance(v, float) else str(v)
    rows = [[str(df.index.name or '')]+[str(c) for c in df.columns]]+[[str(i)]+[cell(v) for v in r] for i,r in zip(df.index, df.values)]
    return '\n'.join('| '+' | '.join(r)+' |' for r in rows[:1]+[['---']*len(rows[0])]+rows[1:])

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
    p.add_argument('--out', type=Path, default=Path('bench/results/train_synth'), help='runs, table and curves')
    p.add_argument('--variants', nargs='+', default=['ours', 'reference choices'], choices=list(VARIANTS))
    p.add_argument('--epochs', type=int, default=None, help="default the shipped recipe's (7)")
    p.add_argument('--lr', type=float, default=None, help="peak learning rate; default the shipped recipe's (7e-4)")
    p.add_argument('--warmup-epochs', type=float, default=None, help="default the shipped recipe's (1)")
    p.add_argument('--aux', action='store_true', help="also train on the earlier decoder layers' outputs (auxiliary losses)")
    p.add_argument('--train-videos', type=int, default=len(SPLITS['train']), help='train on the worlds of seeds 0 to N-1 (the fixed split is the first 3 600)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--backbone', default='tiny', help="the frozen backbone: 'tiny' (random weights), 'tiny-pretrained', 'hf:<folder>'")
    p.add_argument('--ship', action='store_true', help="copy the trained 'ours' model into the package")
    p.add_argument('--resume', action='store_true', help='go on with runs found in --out instead of starting again')
    p.add_argument('--limit', type=int, default=None, help='use only the first N videos of each split (to try the script out)')
    p.add_argument('--evaluate', type=Path, nargs='+', default=None, help='score these trained checkpoints instead of training')
    p.add_argument('--quick', action='store_true', help='videos of 20 s, 4 for training and 2 for each other split, 1 epoch, in temporary folders')
    args = p.parse_args(argv)
    if args.quick and args.ship: p.error("--quick trains on too little to --ship")
    others = min(min(seeds) for split,seeds in SPLITS.items() if split!='train')
    if not 0<args.train_videos<=others: p.error(f"--train-videos must be 1 to {others}: higher seeds belong to the other splits")
    world,seeds = WorldConfig(),{s: SPLITS[s] for s in ('valid', 'test', 'tune')} | {'train': range(args.train_videos)}
    if args.quick:
        args.data,args.out,args.epochs = Path(tempfile.mkdtemp()),Path(tempfile.mkdtemp()),1
        world,seeds = WorldConfig(duration=20),{s: v[:4 if s=='train' else 2] for s,v in seeds.items()}
    torch.set_num_threads(torch.get_num_threads())
    start = time.perf_counter()
    backbone = load_backbone(args.backbone)
    if args.evaluate: # only the splits that scoring reads
        pairs = {s: prepare(args.data, s, backbone, args.limit, seeds[s], world) for s in ('valid', 'test', 'tune')}
        rows = {str(c): scores(VJEPAEventDecoder.load(c), EventClips(pairs['valid']), pairs['tune'], pairs['test']) for c in args.evaluate}
        print(markdown(pd.DataFrame(rows)))
        return
    pairs = {s: prepare(args.data, s, backbone, args.limit, seeds[s], world) for s in ('train', 'valid', 'test', 'tune')}
    train,valid = EventClips(pairs['train']),EventClips(pairs['valid'])
    print(f"data ready in {(time.perf_counter()-start)/60:.1f} min: {len(train)} training clips, {len(valid)} validation clips, "
          f"{len(pairs['test'])} test videos")
    args.out.mkdir(parents=True, exist_ok=True)
    rows,histories = [],[]
    for v in args.variants: # results are written after every variant, so that a long run keeps what it finished
        row,history = run_variant(v, args, train, valid, pairs['tune'], pairs['test'])
        rows.append(row); histories.append(history)
        table = pd.DataFrame(rows).set_index('variant')
        table.to_csv(args.out/'table.csv'); pd.concat(histories).to_csv(args.out/'history.csv', index=False)
        plot(pd.concat(histories), args.out/'curves.png')
        md = markdown(table.T)
        (args.out/'table.md').write_text(md+'\n')
        print(md, flush=True)
    print(f"total {(time.perf_counter()-start)/60:.1f} min; torch {torch.__version__}, {torch.get_num_threads()} threads")

if __name__=='__main__': main()
