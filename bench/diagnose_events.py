"""Where the events of a trained model go wrong, on the synthetic world's tuning videos.

    python bench/diagnose_events.py --data synth-data     # the shipped model, 240 tuning videos

Builds one graph per tuning video with `event_graph.inference.predict_features` (confidence 0.5) and prints three tables:
graph_f1@1s by what must be right (the moment only, then the action, the four objects, everything); for the true events
that a prediction finds at the right moment (within 1 s) with the right action, the share whose agent, target, source and
destination are right, per action; and what the wrong targets name instead. A node "on the true target before the event"
has its box on the true target's (IoU >= 0.5) in at least half of the frames before the event's frame where both
have one, and "after" likewise.
"""
import argparse
from collections import Counter
from pathlib import Path
import numpy as np
import pandas as pd
import torch
from event_graph.backbone import load_backbone
from event_graph.decoder import VJEPAEventDecoder
from event_graph.inference import SHIPPED_CHECKPOINT, predict_features
from event_graph.matching import box_iou
from event_graph.metrics import ROLES, UNALIGNED, align_objects, box_tracks, coded_events, event_matches, graph_f1
from event_graph.schema import OBJECT_ROLES, EventGraph
from train_synth import prepare # this folder's benchmark: its data preparation

def found_events(v)->list[tuple[pd.Series, pd.Series]]:
    "(true event, the most confident prediction within 1 s with its action) of every true event that has one."
    match = event_matches(v, 1.0, roles=('action',))
    conf = v.pred.confidence.to_numpy()
    return [(v.gt.iloc[g], v.pred.iloc[np.where(match[:, g], conf, -1).argmax()]) for g in np.flatnonzero(match.any(0))]

def follows(node, obj, frames)->bool:
    "Whether `node`'s box is on `obj`'s (IoU >= 0.5) in at least half of those `frames` where both have one."
    a,b = (torch.from_numpy(box_tracks([n], frames)[0]) for n in (node, obj))
    both = ~(a[:, 0].isnan()|b[:, 0].isnan())
    return bool(both.any()) and bool((box_iou(a[both], b[both])>=0.5).double().mean()>=0.5)

def wrong_target(pred:EventGraph, gt:EventGraph, e, p)->str:
    "What a wrong target names instead of the true one."
    if p.target!=UNALIGNED:
        if p.target in (e.agent, e.source, e.destination): return "another object of the event"
        same = gt.nodes[p.target].category==gt.nodes[e.target].category
        return "another object, same category" if same else "another object, other category"
    said = next(x for x in pred.events if x.id==p.id)
    node,obj = pred.node(said.target),gt.nodes[e.target]
    frames = sorted(obj.boxes or {})
    before,after = follows(node, obj, [f for f in frames if f<said.frame]),follows(node, obj, [f for f in frames if f>said.frame])
    side = {(True, False): "before the event only", (False, True): "after the event only", (True, True): "before and after"}.get((before, after), "neither")
    other = " of another category" if node.category!=obj.category else ""
    return f"an unaligned node{other}, on the true target {side}"

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', type=Path, default=Path('synth-data'), help='where the rendered videos and features are kept')
    p.add_argument('--checkpoint', type=Path, default=SHIPPED_CHECKPOINT)
    p.add_argument('--limit', type=int, default=None, help='use only the first N tuning videos')
    args = p.parse_args(argv)
    pairs = prepare(args.data, 'tune', load_backbone('tiny'), args.limit)
    model = VJEPAEventDecoder.load(args.checkpoint)
    graphs = [(predict_features(f, model, threshold=0.5), EventGraph.load(g)) for f,g in pairs]
    coded = [coded_events(pr, gt, alignment=align_objects(pr, gt)) for pr,gt in graphs]
    must = {'the moment': (), 'and the action': ('action',), 'the four objects (not the action)': OBJECT_ROLES, 'everything': ROLES}
    print(f"{len(pairs)} tuning videos, {args.checkpoint.name}\n\ngraph_f1@1s when only this must be right:")
    print(pd.Series({k: graph_f1(coded, 1.0, 0.0, roles=r).f1 for k,r in must.items()}).round(3).to_string())
    rows,kinds = [],Counter()
    for (pr,gt),v in zip(graphs, coded):
        for e,q in found_events(v):
            rows.append({'action': e.action, **{r: q[r]==e[r] for r in OBJECT_ROLES}})
            if q.target!=e.target: kinds[wrong_target(pr, gt, e, q)] += 1
    found = pd.DataFrame(rows)
    table = found.groupby('action')[list(OBJECT_ROLES)].mean().assign(events=found.groupby('action').size())
    table.loc['all'] = [*found[list(OBJECT_ROLES)].mean(), len(found)]
    print("\nTrue events found at the right moment with the right action: share with each object right")
    print(table.round(3).astype({'events': int}).to_string())
    print(f"\nThe {sum(kinds.values())} wrong targets name")
    print(pd.Series(kinds).sort_values(ascending=False).to_string())

if __name__=='__main__': main()
