"""Speed of matching + set-prediction loss for a batch at the model card's sizes, against a per-clip loop.

Both ways compute the same pairings (checked here): `set_loss` on the whole batch (cost blocks of all clips and
all decoder layers built together, one transfer to the host per matching stage), and a plain Python loop that
calls it clip by clip, the way the reference implementation worked. Prints the median of several runs of each,
forward only and forward + backward.

    python bench/loss.py [--batch 64] [--repeats 5] [--threads N]
    python bench/loss.py --quick    # batch 4, 1 repeat: checks that the script runs
"""
import argparse, statistics, time
import torch
from event_graph.slots import ObjectSlots
from event_graph.targets import ClipTarget, boxes_to_masks
from event_graph.loss import set_loss

HEADS = dict(interaction=(), action=(13,), frame=(16,), agent=(24,), target=(24,), source=(25,), destination=(25,))

def model_like_output(b, layers=6, m=20, k=24, grid=(8, 24, 24), categories=29, frames_per_token=2):
    "Random heads for every decoder layer and random slots, shaped like `VJEPAEventDecoder(aux=True)`'s output."
    r = lambda *s: torch.randn(*s).requires_grad_()
    heads = lambda: {h: r(b, m, *s) for h,s in HEADS.items()}
    t = grid[0]
    lo = torch.rand(b, k, t*frames_per_token, 2)*0.7 # a box on every sampled frame, as fractions
    boxes = torch.cat([lo, lo+0.1+0.2*torch.rand_like(lo)], -1).requires_grad_()
    objs = ObjectSlots(r(b, k, 256), r(b, k, t, 256), r(b, k, t), r(b, k), r(b, k, categories),
                       torch.randn(b, k, *grid).softmax(1).requires_grad_(), boxes)
    return heads() | {'objects': objs, 'aux': [heads() for _ in range(layers-1)]}

def random_clip(g, grid=(8, 24, 24), categories=29, frames_per_token=2):
    "A clip with 2-8 objects (boxes on every temporal token, the same on each of its frames) and 0-5 events."
    n,e = int(torch.randint(2, 9, (), generator=g)),int(torch.randint(0, 6, (), generator=g))
    ri = lambda hi: torch.randint(0, hi, (e,), generator=g)
    lo = torch.rand(n, grid[0], 2, generator=g)*0.7
    boxes = torch.cat([lo, lo+0.1+0.2*torch.rand(n, grid[0], 2, generator=g)], -1)
    return ClipTarget(torch.randint(0, categories, (n,), generator=g), boxes_to_masks(boxes, grid[1:]),
                      boxes.repeat_interleave(frames_per_token, 1), actions=ri(12), agents=ri(n), targets=ri(n),
                      sources=ri(n+1)-1, destinations=ri(n+1)-1, frames=ri(16))

def clip_of(out, i):
    "The output of clip `i` alone, as a batch of one."
    one = lambda heads: {h: heads[h][i:i+1] for h in HEADS}
    return one(out) | {'objects': out['objects'][i:i+1], 'aux': [one(a) for a in out['aux']]}

def batched(out, targets): return set_loss(out, targets).total
def per_clip(out, targets): return sum(set_loss(clip_of(out, i), [t]).total for i,t in enumerate(targets))

def median_time(fn, repeats):
    "Median wall time of `repeats` calls, after one warm-up call."
    fn(); times = []
    for _ in range(repeats):
        t = time.perf_counter(); fn(); times.append(time.perf_counter()-t)
    return statistics.median(times)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--batch', type=int, default=64); p.add_argument('--repeats', type=int, default=5)
    p.add_argument('--threads', type=int, default=torch.get_num_threads())
    p.add_argument('--quick', action='store_true', help='batch 4 and 1 repeat instead of --batch and --repeats')
    a = p.parse_args()
    if a.quick: a.batch,a.repeats = 4,1
    torch.set_num_threads(a.threads); torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    out,targets = model_like_output(a.batch),[random_clip(g) for _ in range(a.batch)]
    print(f"batch {a.batch}: 24 slots, 20 queries, 6 decoder layers (5 auxiliary), token grid 8x24x24, "
          f"{sum(t.num_objects for t in targets)} objects, {sum(t.num_events for t in targets)} events; {a.threads} threads")

    whole = set_loss(out, targets).matching
    for i,t in enumerate(targets):
        alone = set_loss(clip_of(out, i), [t]).matching
        assert torch.equal(alone.slot_of[0], whole.slot_of[i]) and torch.equal(alone.queries[0], whole.queries[i]), f"clip {i} paired differently"
    print("pairings: identical for every clip")

    rows = []
    for name,fn in (('matching + loss', lambda f: (lambda: f(out, targets))),
                    ('matching + loss + backward', lambda f: (lambda: f(out, targets).backward()))):
        loop,batch = median_time(fn(per_clip), a.repeats),median_time(fn(batched), a.repeats)
        rows.append((name, loop, batch))
        print(f"{name:28s} per-clip loop {loop*1e3:8.1f} ms   batched {batch*1e3:7.1f} ms   speed-up {loop/batch:5.1f}x")

if __name__=='__main__': main()
