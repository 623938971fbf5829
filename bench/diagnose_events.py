"""Where the events of a trained model go wrong, on the synthetic world's tuning videos.

    python bench/diagnose_events.py --data synth-data     # the shipped model, 240 tuning videos
    python bench/diagnose_events.py --quick               # 3 tuning videos of 20 s in a temporary folder, with --oracle: checks that the script runs

Builds one graph per tuning video with `event_graph.inference.predict_features` (confidence 0.5) and prints:
graph_f1@1s by what must be right (the moment only, then the action, the four objects, everything); for the true events
that a prediction finds at the right moment (within 1 s) with the right action, the share whose agent, target, source and
destination are right, per action, and the target's for targets that move around the event and for those that do not;
and what the wrong targets name instead. A node "on the true target before the event"
has its box on the true target's (IoU >= 0.5) in at least half of the frames before the event's frame where both
have one, and "after" likewise.

Two measurements of where moving targets are lost follow. How far apart a moving object is in the two frames of a
temporal token (the ground truth alone). And, with `--oracle`, the scores of graphs whose tracks are the ground truth's
identities: every slot whose boxes follow a true object (IoU >= 0.5 on some frame of its window) takes that object's
identity as its track, which bounds what better linking of the same slots could give.
"""
import argparse, tempfile
from collections import Counter
from pathlib import Path
from unittest import mock
import numpy as np
import pandas as pd
import torch
from event_graph.world import WorldConfig
from event_graph.synth import SPLITS
from event_graph.backbone import load_backbone
from event_graph.decoder import VJEPAEventDecoder
from event_graph import inference
from event_graph.inference import SHIPPED_CHECKPOINT, build_graph, feature_windows, predict_features
from event_graph.boxes import box_iou
from event_graph.metrics import MATCH_FIELDS, UNALIGNED, align_objects, box_tracks, coded_events, evaluate, event_matches, graph_f1
from event_graph.schema import OBJECT_ROLES, EventGraph
from event_graph.fixtures import QUICK_WORLD, prepare_split

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

def moves(obj, frame:int, span:float)->bool:
    "Whether `obj`'s box centre moves by more than 5% of the frame within `span` frames either side of `frame`."
    near = np.array([b for f,b in (obj.boxes or {}).items() if abs(f-frame)<=span])
    if len(near)<2: return False
    centre = (near[:, :2]+near[:, 2:])/2
    return bool(np.linalg.norm(centre[:, None]-centre[None], axis=-1).max()>0.05)

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

def tubelet_overlap(graphs:list[EventGraph], tubelet:int=2, fps:float=1.0)->np.ndarray: # frames per temporal token, sampling rate
    "IoU of an object's boxes on the two frames of a temporal token, for every token in which its box centre moves by more than 3% of the frame."
    out = []
    for g in graphs:
        sampling = round(g.metadata['fps']/fps) # source frames between two sampled ones
        for n in g.nodes:
            b = n.boxes or {}
            for f in b:
                if f%(tubelet*sampling) or f+sampling not in b: continue   # sampled frames f and f+sampling share a token
                x,y = np.array(b[f]),np.array(b[f+sampling])
                if np.linalg.norm((x[:2]+x[2:]-y[:2]-y[2:])/2)>0.03: out.append(float(box_iou(torch.tensor(x), torch.tensor(y))))
    return np.array(out)

def slot_owners(win, gt:EventGraph)->np.ndarray:
    "(K,) index of the true object each slot's boxes follow best (its highest IoU on a frame of the window, >= 0.5), or -1."
    best,owner = np.full(len(win.boxes), 0.5),np.full(len(win.boxes), -1)
    for j,tb in enumerate(box_tracks(gt.nodes, win.frame_numbers.tolist())):
        iou = box_iou(torch.from_numpy(win.boxes).nan_to_num(-1), torch.from_numpy(tb).nan_to_num(-2)[None]).numpy()
        peak = np.where(np.isnan(tb[:, 0]), 0, iou).max(1)
        better = peak>=best
        owner[better],best[better] = j,peak[better]
    return owner

def identity_oracle(model, pairs, gts:list[EventGraph], floor:float=0.05)->pd.DataFrame: # the videos, their ground truth
    "graph_f1@1s and event_mAP@1s of the usual graphs and of graphs whose tracks are the true identities of the slots that follow an object."
    def true_tracks(gt):
        def rule(windows, tracks): # in place of `join_split_tracks`: the true identities join a moved object's pieces
            tracks = [t.copy() for t in tracks]
            for w,t in zip(windows, tracks):
                known = (t>=0)&((own := slot_owners(w, gt))>=0)
                t[known] = 1_000_000+own[known]
            return windows,tracks
        return rule
    ours,oracle = [],[]
    for (f,_),gt in zip(pairs, gts):
        wins = feature_windows(f, model, threshold=floor)[1]
        ours.append(build_graph(gt.video_id, wins, model.config.vocabulary))
        with mock.patch.object(inference, 'join_split_tracks', true_tracks(gt)): oracle.append(build_graph(gt.video_id, wins, model.config.vocabulary))
    summary = lambda preds: {k: float(evaluate(preds, gts, threshold=0.5).summary[k]) for k in ('graph_f1@1s', 'event_mAP@1s')}
    return pd.DataFrame({'our tracks': summary(ours), 'true identities': summary(oracle)}).T

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', type=Path, default=Path('synth-data'), help='where the rendered videos and features are kept')
    p.add_argument('--checkpoint', type=Path, default=SHIPPED_CHECKPOINT)
    p.add_argument('--limit', type=int, default=None, help='use only the first N tuning videos')
    p.add_argument('--oracle', action='store_true', help='also score graphs whose tracks are the true identities')
    p.add_argument('--quick', action='store_true', help='3 tuning videos of 20 s, rendered into a temporary folder, and --oracle')
    args = p.parse_args(argv)
    world,seeds = WorldConfig(),SPLITS['tune']
    if args.quick:
        args.data,args.oracle = Path(tempfile.mkdtemp()),True
        world,seeds = QUICK_WORLD,seeds[:3]
    pairs = prepare_split(args.data, 'tune', load_backbone('tiny'), args.limit, seeds, world)
    model = VJEPAEventDecoder.load(args.checkpoint)
    graphs = [(predict_features(f, model, threshold=0.5), EventGraph.load(g)) for f,g in pairs]
    coded = [coded_events(pr, gt, alignment=align_objects(pr, gt)) for pr,gt in graphs]
    must = {'the moment': (), 'and the action': ('action',), 'the four objects (not the action)': OBJECT_ROLES, 'everything': MATCH_FIELDS}
    print(f"{len(pairs)} tuning videos, {args.checkpoint.name}\n\ngraph_f1@1s when only this must be right:")
    print(pd.Series({k: graph_f1(coded, 1.0, 0.0, roles=r).f1 for k,r in must.items()}).round(3).to_string())
    rows,kinds = [],Counter()
    for (pr,gt),v in zip(graphs, coded):
        for e,q in found_events(v):
            obj,fps = gt.nodes[e.target],gt.metadata.get('fps', 1.0)
            rows.append({'action': e.action, **{r: q[r]==e[r] for r in OBJECT_ROLES},
                         'target moves': moves(obj, round(e.time*fps), 4*fps)})
            if q.target!=e.target: kinds[wrong_target(pr, gt, e, q)] += 1
    found = pd.DataFrame(rows)
    table = found.groupby('action')[list(OBJECT_ROLES)].mean().assign(events=found.groupby('action').size())
    table.loc['all'] = [*found[list(OBJECT_ROLES)].mean(), len(found)]
    print("\nTrue events found at the right moment with the right action: share with each object right")
    print(table.round(3).astype({'events': int}).to_string())
    print("\nThe target right, by whether it moves within 4 s of the event")
    print(found.groupby('target moves').target.agg(['mean', 'size']).rename(columns={'mean': 'right', 'size': 'events'}).round(3).to_string())
    print(f"\nThe {sum(kinds.values())} wrong targets name")
    print(pd.Series(kinds).sort_values(ascending=False).to_string())
    iou = tubelet_overlap([gt for _,gt in graphs])
    print(f"\nA moving object's boxes on the two frames of a temporal token ({len(iou)} tokens): IoU mean {iou.mean():.3f}, "
          f"median {np.median(iou):.3f}, under 0.5 in {(iou<0.5).mean():.1%}")
    if args.oracle:
        print("\nTracks from our linking, and from the true identities of the slots that follow an object (floor 0.05, F1 at 0.5):")
        print(identity_oracle(model, pairs, [gt for _,gt in graphs]).round(3).to_string())

if __name__=='__main__': main()
