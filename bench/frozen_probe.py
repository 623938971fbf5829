"""Frozen evaluation of backbones: attentive probes for three clip tasks on frozen tokens, random against pretrained, same clips.

    python bench/frozen_probe.py --data synth-data                                # tiny-random and tiny, 3 seeds
    python bench/frozen_probe.py --data synth-data --backbones tiny-random hf:/path/to/pretrain-run --layers 1
    python bench/frozen_probe.py --quick                                          # tiny videos, 1 seed, 2 epochs: checks that the script runs

Each probe (`20_probe`: `VJEPA2ForVideoClassification`'s attentive pooler and classifier) is fitted on the clips of the
first --videos training worlds (DATA/videos/probe, the videos of feature_probe.py), keeps the epoch that scores best on the
benchmark's validation split, and is scored on its test split. Tasks: `action` (the action of the event nearest the clip's
middle; top-1 and top-5 accuracy), `actions` and `categories` (every action, every object category in the clip; mAP).
Writes runs.csv (one row per backbone, task and seed), history.csv, table.csv and table.md into --out.
"""
import argparse, tempfile, time
from pathlib import Path
import pandas as pd
from event_graph.world import WorldConfig
from event_graph.synth import SPLITS
from event_graph.fixtures import QUICK_WORLD
from event_graph.backbone import load_backbone
from event_graph.probe import CLIP_TASKS, ClipTaskData, ProbeConfig, train_probe, task_scores, task_rows
from event_graph.benchmark import markdown_table, probe_splits

FIGURES = {'action': ('top1', 'top5'), 'actions': ('mAP',), 'categories': ('mAP',)}

def chance(data:ClipTaskData, task:str)->dict:
    "What a probe that ignores the tokens scores: the commonest classes for accuracy, the classes' frequencies for mAP."
    y = data.labels[task][task_rows(data, task)]
    if CLIP_TASKS[task]=='single':
        counts = y.bincount(minlength=len(data.classes[task])).sort(descending=True).values
        return {'top1': (counts[0]/len(y)).item(), 'top5': (counts[:5].sum()/len(y)).item()}
    freq = y.float().mean(0)
    return {'mAP': freq[freq>0].mean().item()} # a ranking by chance has an AP of about the class's frequency

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', type=Path, default=Path('synth-data'))
    p.add_argument('--out', type=Path, default=Path('bench/results/frozen_probe'))
    p.add_argument('--backbones', nargs='+', default=['tiny-random', 'tiny'])
    p.add_argument('--videos', type=int, default=200, help='fit on the first N training worlds')
    p.add_argument('--seeds', type=int, default=3, help='probe initialisations per backbone and task')
    p.add_argument('--epochs', type=int, default=ProbeConfig.epochs)
    p.add_argument('--layers', type=int, default=ProbeConfig.num_layers, help='self-attention blocks before the cross-attention')
    p.add_argument('--quick', action='store_true', help='6 + 2 + 2 videos of 20 s, 1 seed, 2 epochs, into a temporary folder')
    args = p.parse_args(argv)
    world,valid_seeds,test_seeds = WorldConfig(),SPLITS['valid'],SPLITS['test']
    if args.quick:
        args.data,args.out,args.videos,args.seeds,args.epochs = Path(tempfile.mkdtemp()),Path(tempfile.mkdtemp()),6,1,2
        world,valid_seeds,test_seeds = QUICK_WORLD,valid_seeds[:2],test_seeds[:2]
    runs,histories,refs = [],[],{}
    for spec in args.backbones:
        bb = load_backbone(spec)
        train,valid,test = probe_splits(args.data, bb, SPLITS['train'][:args.videos], valid_seeds, test_seeds, world)
        print(f"{bb.name}: {len(train)} training, {len(valid)} validation and {len(test)} test clips")
        for task in CLIP_TASKS:
            refs[task] = chance(test, task)
            for seed in range(args.seeds):
                start = time.perf_counter()
                probe,hist = train_probe(train, valid, task, ProbeConfig(epochs=args.epochs, num_layers=args.layers, seed=seed), progress=False)
                runs.append(dict(backbone=bb.name, task=task, seed=seed, best_epoch=int(hist.iloc[:, 2].idxmax())+1,
                                 minutes=(time.perf_counter()-start)/60, **task_scores(probe, test, task)))
                histories.append(hist.assign(backbone=bb.name, task=task, seed=seed))
                print(f"  {task} seed {seed}: " + ', '.join(f"{k} {runs[-1][k]:.3f}" for k in FIGURES[task]) + f" ({runs[-1]['minutes']:.1f} min)")
    runs = pd.DataFrame(runs)
    rows = {}
    for task,figures in FIGURES.items():
        for fig in figures:
            stats = runs[runs.task==task].groupby('backbone', sort=False)[fig].agg(['mean', 'std', 'min', 'max'])
            row = {b: f"{s['mean']:.3f} ± {0 if pd.isna(s['std']) else s['std']:.3f}" for b,s in stats.iterrows()}
            row['chance'] = f"{refs[task][fig]:.3f}"
            if len(stats)==2:
                (a,sa),(b,sb) = stats.iterrows()
                gap = sb['mean']-sa['mean']
                row[f'{b} − {a}'] = f"{gap:+.3f}"
                row['beyond the seeds\' spread'] = 'yes' if abs(gap)>max(sa['max']-sa['min'], sb['max']-sb['min']) else 'no'
            rows[f"{task}: {fig}"] = row
    table = pd.DataFrame(rows).T
    args.out.mkdir(parents=True, exist_ok=True)
    runs.to_csv(args.out/'runs.csv', index=False); pd.concat(histories).to_csv(args.out/'history.csv', index=False)
    table.to_csv(args.out/'table.csv')
    md = markdown_table(table.rename_axis('task: figure (test clips)'))
    (args.out/'table.md').write_text(md+'\n')
    print(md)
    print(f"mean ± standard deviation over {args.seeds} probe seeds; chance: the commonest classes (accuracy) or the classes' frequencies (mAP)")

if __name__=='__main__': main()
