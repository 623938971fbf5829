"""Open-vocabulary clip classification on the synthetic world: labels never trained on, scored through their attributes.

    python bench/open_vocab.py --data synth-data       # tiny tokens, 3 seeds
    python bench/open_vocab.py --quick                 # 6 + 2 + 2 short videos, 1 seed, 2 epochs: checks that the script runs

For the two multi-label clip tasks of `20_probe` (every action, every object category of a clip), the labels the
synthetic world shows are split into base and novel (`SYNTH_NOVEL` of `22_label_embeddings`: two categories, two
actions, each a new combination of attributes seen in the base labels). On the clips of the first --videos training
worlds (the videos of frozen_probe.py), each seed trains
- a closed-set attentive probe on every label of the task (`20_probe`): the ceiling, which has seen the novel labels;
- an open-vocabulary probe (`23_open_vocab`) on the base labels only, the labels given by their attributes;
- the same on the base labels only, each label given by its name alone (a unit vector of its own, as a text encoder
  that knows no words would give it),
and scores them on the test split: AUPR and peak F1 of the pooled (clip, label) pairs, on the base labels and on the
novel ones, beside chance (a ranking that ignores the clip: AUPR the share of positive pairs, peak F1 2p/(1+p)).
Calibration: peak F1 of the open-vocabulary probe under one threshold for all labels against the mean of each label's
own peak F1. Writes runs.csv, table.csv and table.md into --out.
"""
import argparse, tempfile, time
from pathlib import Path
import numpy as np
import pandas as pd
from event_graph.world import WorldConfig
from event_graph.synth import SPLITS
from event_graph.fixtures import QUICK_WORLD
from event_graph.backbone import load_backbone
from event_graph.probe import ProbeConfig, train_probe, probe_scores
from event_graph.label_embeddings import SYNTH_ATTRIBUTES, SYNTH_NOVEL, attribute_embeddings, name_embeddings
from event_graph.open_vocab import train_open_vocab, open_vocab_scores, label_targets, aupr, peak_f1
from event_graph.benchmark import markdown_table, probe_splits

TASKS = ('categories', 'actions')

def figures(p:np.ndarray, y:np.ndarray, labels:list, base:list)->dict:
    "AUPR and peak F1 on the base and on the novel columns of scores `p` (clips x labels)."
    out = {}
    for part,names in (('base', base), ('novel', [l for l in labels if l not in base])):
        cols = [labels.index(l) for l in names]
        out[f'{part} AUPR'],out[f'{part} peak F1'] = aupr(p[:, cols], y[:, cols]),peak_f1(p[:, cols], y[:, cols])[0]
    return out

def calibration(p:np.ndarray, y:np.ndarray)->dict:
    "Peak F1 under one threshold for every label, against the mean of each label's best F1 under its own threshold."
    own = [peak_f1(p[:, j], y[:, j])[0] for j in range(p.shape[1]) if y[:, j].any()]
    return {'one threshold F1': peak_f1(p, y)[0], 'own thresholds F1 (mean)': float(np.mean(own))}

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', type=Path, default=Path('synth-data'))
    ap.add_argument('--out', type=Path, default=Path('bench/results/open_vocab'))
    ap.add_argument('--backbone', default='tiny')
    ap.add_argument('--videos', type=int, default=200, help='fit on the first N training worlds')
    ap.add_argument('--seeds', type=int, default=3)
    ap.add_argument('--epochs', type=int, default=ProbeConfig.epochs)
    ap.add_argument('--negative-weight', type=float, default=0.5)
    ap.add_argument('--quick', action='store_true', help='6 + 2 + 2 videos of 20 s, 1 seed, 2 epochs, into a temporary folder')
    args = ap.parse_args(argv)
    world,valid_seeds,test_seeds = WorldConfig(),SPLITS['valid'],SPLITS['test']
    if args.quick:
        args.data,args.out,args.videos,args.seeds,args.epochs = Path(tempfile.mkdtemp()),Path(tempfile.mkdtemp()),6,1,2
        world,valid_seeds,test_seeds = QUICK_WORLD,valid_seeds[:2],test_seeds[:2]
    bb = load_backbone(args.backbone)
    train,valid,test = probe_splits(args.data, bb, SPLITS['train'][:args.videos], valid_seeds, test_seeds, world)
    print(f"{bb.name}: {len(train)} training, {len(valid)} validation and {len(test)} test clips")
    runs = []
    for task in TASKS:
        labels = [l for l in SYNTH_ATTRIBUTES if l in train.classes[task]]
        base = [l for l in labels if l not in SYNTH_NOVEL]
        y = label_targets(test, task, labels).numpy()
        pos = {part: y[:, [labels.index(l) for l in names]].mean() for part,names in (('base', base), ('novel', [l for l in labels if l not in base]))}
        runs.append(dict(task=task, method='chance', seed=0, **{f'{k} AUPR': v for k,v in pos.items()}, **{f'{k} peak F1': 2*v/(1+v) for k,v in pos.items()}))
        for seed in range(args.seeds):
            cfg = ProbeConfig(epochs=args.epochs, seed=seed)
            start = time.perf_counter()
            closed,_ = train_probe(train, valid, task, cfg, progress=False)
            p = probe_scores(closed, test, task)[:, [test.classes[task].index(l) for l in labels]]
            runs.append(dict(task=task, method='closed-set probe, every label', seed=seed, **figures(p, y, labels, base)))
            for method,make in (('open vocabulary, attributes', lambda ls: attribute_embeddings(ls)), ('open vocabulary, names only', lambda ls: name_embeddings(ls, labels))):
                probe,_ = train_open_vocab(train, valid, task, make(base), cfg, args.negative_weight, progress=False)
                p = open_vocab_scores(probe, test, make(labels))
                runs.append(dict(task=task, method=method, seed=seed, **figures(p, y, labels, base), **(calibration(p, y) if 'attributes' in method else {})))
            print(f"  {task} seed {seed}: " + '; '.join(f"{r['method']}: novel AUPR {r['novel AUPR']:.3f}" for r in runs[-3:]) +
                  f" ({(time.perf_counter()-start)/60:.1f} min)", flush=True)
    runs = pd.DataFrame(runs)
    cols = ['base AUPR', 'novel AUPR', 'base peak F1', 'novel peak F1', 'one threshold F1', 'own thresholds F1 (mean)']
    stats = runs.groupby(['task', 'method'], sort=False)[cols]
    table = stats.mean().round(3).astype(str)+' ± '+stats.std().fillna(0).round(3).astype(str)
    table = table.where(stats.mean().notna(), '')
    args.out.mkdir(parents=True, exist_ok=True)
    runs.to_csv(args.out/'runs.csv', index=False); table.to_csv(args.out/'table.csv')
    md = markdown_table(table)
    (args.out/'table.md').write_text(md+'\n'); print(md)
    print(f"test clips; mean ± standard deviation over {args.seeds} seeds; novel: {', '.join(SYNTH_NOVEL)}")

if __name__=='__main__': main()
