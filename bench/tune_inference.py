"""Choose the inference settings of `event_graph.inference` on the synthetic world's tuning seeds.

    python bench/tune_inference.py --data synth-data     # the shipped model, 240 tuning videos

Renders `SPLITS['tune']` and extracts its features (once; reused after), runs the model over every window once per
existence threshold, then builds the graphs with each slot-linking setting and scores them with
`event_graph.metrics.evaluate` (confidence 0.5). The reference in the same run is the settings the package had before:
existence threshold 0.5 and `LinkWeights()` with location weight 1.
"""
import argparse
from pathlib import Path
import pandas as pd
from event_graph.backbone import load_backbone
from event_graph.decoder import VJEPAEventDecoder
from event_graph.inference import LinkWeights, SHIPPED_CHECKPOINT, build_graph, feature_windows
from event_graph.metrics import evaluate
from event_graph.schema import EventGraph
from train_synth import FLOOR, prepare # this folder's benchmark: its data preparation and confidence floor

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', type=Path, default=Path('synth-data'), help='where the rendered videos and features are kept')
    p.add_argument('--checkpoint', type=Path, default=SHIPPED_CHECKPOINT)
    p.add_argument('--existence', type=float, nargs='+', default=[0.5, 0.3, 0.2, 0.1])
    p.add_argument('--location', type=float, nargs='+', default=[1.0, 0.5, 0.25])
    args = p.parse_args(argv)
    pairs = prepare(args.data, 'tune', load_backbone('tiny'))
    model,gts = VJEPAEventDecoder.load(args.checkpoint),[EventGraph.load(g) for _,g in pairs]
    rows = []
    for ex in args.existence:
        windows = [feature_windows(f, model, threshold=FLOOR, existence_threshold=ex) for f,_ in pairs]
        for loc in args.location:
            preds = [build_graph(Path(f.meta['video']).stem, w, model.config.vocabulary, LinkWeights(location=loc)) for f,w in windows]
            s = evaluate(preds, gts, threshold=0.5)
            rows.append({'existence threshold': ex, 'link location weight': loc, 'graph_f1@1s': s.summary['graph_f1@1s'],
                         'event_mAP@1s': s.summary['event_mAP@1s'], 'nodes per video': s.alignment.pred_nodes.mean(),
                         'true nodes per video': s.alignment.gt_nodes.mean(), 'aligned nodes per video': s.alignment.aligned.mean()})
            print(pd.DataFrame(rows[-1:]).round(3).to_string(index=False, header=len(rows)==1), flush=True)
    table = pd.DataFrame(rows)
    print(f"\n{len(pairs)} tuning videos, {args.checkpoint.name}\n" + table.round(3).to_string(index=False))

if __name__=='__main__': main()
