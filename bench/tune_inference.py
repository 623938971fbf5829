"""Choose the inference settings of `event_graph.inference` on the synthetic world's tuning seeds.

    python bench/tune_inference.py --data synth-data     # the shipped model, 240 tuning videos
    python bench/tune_inference.py --quick               # 3 tuning videos of 20 s, 2 values of each setting: checks that the script runs

Renders `SPLITS['tune']` and extracts its features (once; reused after), runs the model over every window once per
existence threshold, then builds the graphs with each slot-linking setting, taking each event from the window that owns
its frame, or from every window at some weight (`build_graph(other_windows=...)`), with and without joining the tracks
a moved object splits into (`join_split`), and scores them with `event_graph.metrics.evaluate`
(confidence 0.5). Moment precision and recall count a prediction right when it is within 1 s of a true event, whatever
it says happened. The references in the same run are the settings the package had before: existence threshold 0.5,
`LinkWeights()` with location weight 1, events from every window alike (`--other-windows 1`), and no joining
(`--join-split 0`).
"""
import argparse, tempfile
from pathlib import Path
import pandas as pd
from event_graph.world import WorldConfig
from event_graph.synth import SPLITS
from event_graph.backbone import load_backbone
from event_graph.decoder import VJEPAEventDecoder
from event_graph.inference import LinkWeights, SHIPPED_CHECKPOINT, build_graph, feature_windows
from event_graph.metrics import coded_events, evaluate, graph_f1, pair_graphs
from event_graph.schema import EventGraph
from event_graph.fixtures import QUICK_WORLD, prepare_split
from event_graph.benchmark import FLOOR

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', type=Path, default=Path('synth-data'), help='where the rendered videos and features are kept')
    p.add_argument('--checkpoint', type=Path, default=SHIPPED_CHECKPOINT)
    p.add_argument('--existence', type=float, nargs='+', default=[0.5, 0.3, 0.2, 0.1])
    p.add_argument('--location', type=float, nargs='+', default=[1.0, 0.5, 0.25])
    p.add_argument('--other-windows', type=float, nargs='+', default=[0.5, 1.0, 0.0], help="confidence factor of events from a window that does not own their frame")
    p.add_argument('--join-split', type=int, nargs='+', default=[1, 0], choices=[0, 1], help="1: join the tracks a moved object splits into, 0: not")
    p.add_argument('--quick', action='store_true', help='3 tuning videos of 20 s, rendered into a temporary folder; the first 2 values of each setting')
    args = p.parse_args(argv)
    world,seeds = WorldConfig(),SPLITS['tune']
    if args.quick:
        args.data,world,seeds = Path(tempfile.mkdtemp()),QUICK_WORLD,seeds[:3]
        args.existence,args.location,args.other_windows = args.existence[:2],args.location[:2],args.other_windows[:2]
    pairs = prepare_split(args.data, 'tune', load_backbone('tiny'), seeds=seeds, world=world)
    model,gts = VJEPAEventDecoder.load(args.checkpoint),[EventGraph.load(g) for _,g in pairs]
    rows = []
    for ex in args.existence:
        windows = [feature_windows(f, model, threshold=FLOOR, existence_threshold=ex) for f,_ in pairs]
        for loc,other,join in ((loc, other, join) for loc in args.location for other in args.other_windows for join in args.join_split):
            preds = [build_graph(Path(f.meta['video']).stem, w, model.config.vocabulary, LinkWeights(location=loc), other_windows=other,
                                 join_split=bool(join)) for f,w in windows]
            s = evaluate(preds, gts, threshold=0.5)
            moment = graph_f1([coded_events(p, g, 'category') for p,g in pair_graphs(preds, gts)], 1.0, 0.5, roles=())
            rows.append({'existence threshold': ex, 'link location weight': loc, 'other windows': other, 'join split': join,
                         'graph_f1@1s': s.summary['graph_f1@1s'], 'event_mAP@1s': s.summary['event_mAP@1s'],
                         'moment precision': moment.precision, 'moment recall': moment.recall, 'nodes per video': s.alignment.pred_nodes.mean(),
                         'true nodes per video': s.alignment.gt_nodes.mean(), 'aligned nodes per video': s.alignment.aligned.mean()})
            print(pd.DataFrame(rows[-1:]).round(3).to_string(index=False, header=len(rows)==1), flush=True)
    table = pd.DataFrame(rows)
    print(f"\n{len(pairs)} tuning videos, {args.checkpoint.name}\n" + table.round(3).to_string(index=False))

if __name__=='__main__': main()
