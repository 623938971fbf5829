"""How good must labels be? The shipped recipe trained on training labels degraded as a vision-language model gets them
wrong (`event_graph.label_noise`), one kind of mistake at a time and together; every model scored on the true test labels.
    python bench/label_noise.py --data <folder> --seed 0                      # the variants below, in this order
    python bench/label_noise.py --data <folder> --variants 'no boxes' --resume  # one more variant into the same table
    python bench/label_noise.py --quick       # a few 20 s videos, 1 epoch, in temporary folders: checks that the script runs
The training and validation labels are degraded (a user's validation videos are labelled the same way as the training
ones); the tuning and test labels are the truth. Each variant's row is written to --out/seed<seed>/table.csv as soon as it
is scored, and the mean +- std over the seeds found to --out/table.md and plot.png. The target: boxes jittered by 10% of their size
with 10% of the events missed stays within 0.05 of the true labels' instance graph_f1@1s. The ROBUST variants train on
a variant's labels with the matching and loss told how far off they may be.
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
from event_graph.schema import EventGraph
from event_graph.train import RECIPES, fit
from event_graph.label_noise import LabelNoise, degrade
from event_graph.fixtures import QUICK_WORLD, quick_seeds, prepare_split
from event_graph.core import atomic_write
from event_graph.benchmark import HEADLINE, benchmark_scores, markdown_table, plot_variants, record_variant, variant_table

RECIPE = RECIPES['shipped']
VARIANTS = {
    'true labels': LabelNoise(),
    'boxes jittered 10%, 10% of events missed': LabelNoise(box_jitter=0.1, missed=0.1),
    'no boxes': LabelNoise(boxes_missing=1.0),
    'boxes jittered 10%': LabelNoise(box_jitter=0.1),
    '10% of events missed': LabelNoise(missed=0.1),
    'boxes jittered 5%': LabelNoise(box_jitter=0.05),
    'boxes jittered 20%': LabelNoise(box_jitter=0.2),
    'half the objects without boxes': LabelNoise(boxes_missing=0.5),
    'events 1-2 s off': LabelNoise(shift=(1.0, 2.0)),
    '30% of events missed': LabelNoise(missed=0.3),
    '10% more events, invented': LabelNoise(invented=0.1),
    '30% more events, invented': LabelNoise(invented=0.3),
    '30% of look-alikes misnamed': LabelNoise(wrong_category=0.3),
    'all together': LabelNoise(box_jitter=0.1, shift=(1.0, 2.0), missed=0.1, invented=0.1, wrong_category=0.1),
}
FRAME_ERROR = dict(frame_sigma=1.5) # frames off by 1-2 s: a Gaussian as wide as that error (its RMS is 1.53 s), not tuned
ROBUST = { # variant -> (the labels of this variant, `LossWeights` fields that replace the recipe's)
    'true labels, frame_sigma 1.5': ('true labels', FRAME_ERROR), # what allowing for an error costs where there is none
    'events 1-2 s off, frame_sigma 1.5': ('events 1-2 s off', FRAME_ERROR),
    'all together, frame_sigma 1.5': ('all together', FRAME_ERROR),
}
ORDER = list(VARIANTS)+list(ROBUST)

def degraded(pairs:list, noise:LabelNoise, seed:int)->list:
    "(feature file, degraded graph) of each (feature file, graph file) pair."
    return [(f, degrade(EventGraph.load(g), noise, seed)) for f,g in pairs]

def run_variant(name:str, args, pairs:dict)->dict:
    "Train the shipped recipe on the variant's labels, and score it on the true test labels."
    labels,loss = ROBUST.get(name, (name, {}))
    noise = VARIANTS[labels]
    train,valid = EventClips(degraded(pairs['train'], noise, args.seed)),EventClips(degraded(pairs['valid'], noise, args.seed))
    out = args.out/f'seed{args.seed}'/name.replace(' ', '_').replace(',', '').replace('%', 'pc')
    torch.manual_seed(args.seed)
    model = RECIPE.model(train)
    cfg = replace(RECIPE.train, seed=args.seed, **{k: v for k,v in dict(epochs=args.epochs, lr=args.lr).items() if v})
    cfg = replace(cfg, patience=cfg.epochs) # every variant trains for all its epochs
    if out.exists() and not args.resume: shutil.rmtree(out)
    history = fit(model, train, valid, cfg, out, weights=replace(RECIPE.loss, **loss))
    best = VJEPAEventDecoder.load(out/'best.safetensors')
    return {'variant': name, **benchmark_scores(best, valid, pairs['tune'], pairs['test']), 'train minutes': history.seconds.sum()/60}

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', type=Path, default=Path('synth-data'), help='where the rendered videos and features are kept')
    p.add_argument('--out', type=Path, default=Path('bench/results/label_noise'), help='runs and tables, one folder per seed')
    p.add_argument('--variants', nargs='+', default=ORDER, choices=ORDER)
    p.add_argument('--seed', type=int, default=0, help="the model's initial weights, the order of the clips, and the labels' mistakes")
    p.add_argument('--epochs', type=int, default=None, help="default the shipped recipe's (10)")
    p.add_argument('--lr', type=float, default=None, help="peak learning rate; default the shipped recipe's (4e-4)")
    p.add_argument('--backbone', default='tiny', help="whose tokens: 'tiny', 'tiny-random' (this benchmark's tables so far), 'hf:<folder>'")
    p.add_argument('--resume', action='store_true', help='go on with runs found in --out instead of starting again')
    p.add_argument('--quick', action='store_true', help='videos of 20 s, 4 for training and 2 for each other split, 1 epoch, 3 variants, in temporary folders')
    args = p.parse_args(argv)
    world,seeds = WorldConfig(),{s: SPLITS[s] for s in ('train', 'valid', 'test', 'tune')}
    if args.quick:
        args.data,args.out,args.epochs = Path(tempfile.mkdtemp()),Path(tempfile.mkdtemp()),1
        args.variants = ['true labels', 'all together', 'no boxes', 'all together, frame_sigma 1.5']
        world,seeds = QUICK_WORLD,quick_seeds(seeds)
    start,backbone = time.perf_counter(),load_backbone(args.backbone)
    pairs = {s: prepare_split(args.data, s, backbone, seeds=v, world=world) for s,v in seeds.items()}
    print(f"data ready in {(time.perf_counter()-start)/60:.1f} min: {len(pairs['train'])} training videos", flush=True)
    folder = args.out/f'seed{args.seed}'
    folder.mkdir(parents=True, exist_ok=True)
    for v in args.variants: # each variant's row is written as soon as it is scored
        row = run_variant(v, args, pairs)
        record_variant(folder, row, ORDER)
        print(f"{v}: " + ', '.join(f"{k} {row[k]:.3f}" for k in HEADLINE[:2]), flush=True)
    summary = markdown_table(variant_table(args.out, HEADLINE)) # a row per variant
    with atomic_write(args.out/'table.md') as tmp: tmp.write_text(summary+'\n')
    with atomic_write(args.out/'plot.png') as tmp: plot_variants(args.out, title='Trained on imperfect labels, scored on the true test labels').savefig(tmp, dpi=100)
    print(summary, flush=True)
    print(f"total {(time.perf_counter()-start)/60:.1f} min")

if __name__=='__main__': main()
