"""How much the tiny backbone's tokens say about each event's action, when one knows where and when to look.

    python bench/feature_probe.py --data synth-data    # the folder of bench/train_synth.py (videos/ and features/)

A small MLP is trained to name the action of each ground-truth event of the synthetic world from the tokens,
read in two ways: (1) *located*: the tokens under the target object's box, at the event's temporal token and
the two before and after it, averaged over the box (what a slot bound to the target would hold); (2) *global*:
all tokens of each temporal token averaged (what a model that does not localise can use). Same videos, same
MLP, same training. The gap between the two is what object slots must find.
"""
import argparse
from pathlib import Path
import torch
import torch.nn.functional as F
from event_graph.data import EventClips, pair_files

def event_features(data:EventClips)->tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    "(located, global, action) of every event of every clip that has boxes."
    located,pooled,actions = [],[],[]
    for i in range(len(data)):
        tokens,t,_ = data[i]
        if t.masks is None: continue
        grid = tokens.float().view(*t.masks.shape[1:], -1)                       # (T', H', W', D)
        for e in range(t.num_events):
            now,mask = int(t.frames[e])*len(grid)//16,t.masks[t.targets[e]]                # the event's temporal token (16 frames per clip)
            steps = [min(max(now+d, 0), len(grid)-1) for d in (-2, -1, 0, 1, 2)]
            w = [mask[s] if mask[s].sum()>0 else mask.sum(0) for s in steps]
            located.append(torch.cat([(grid[s]*(m/(m.sum()+1e-6))[..., None]).sum((0, 1)) for s,m in zip(steps, w)]))
            pooled.append(grid.mean((1, 2)).flatten())
            actions.append(int(t.actions[e]))
    return torch.stack(located),torch.stack(pooled),torch.tensor(actions)

def probe(x:torch.Tensor, y:torch.Tensor, train_share:float=0.8, epochs:int=500, seed:int=0)->float:
    "Held-out accuracy of a one-hidden-layer MLP trained on the first `train_share` of the examples."
    torch.manual_seed(seed)
    n = int(len(x)*train_share)
    mu,sd = x[:n].mean(0),x[:n].std(0)+1e-5
    x = (x-mu)/sd
    net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], 256), torch.nn.ReLU(), torch.nn.Linear(256, int(y.max())+1))
    opt = torch.optim.Adam(net.parameters(), 1e-3, weight_decay=1e-3)
    for _ in range(epochs):
        loss = F.cross_entropy(net(x[:n]), y[:n]); opt.zero_grad(); loss.backward(); opt.step()
    with torch.no_grad(): return (net(x[n:]).argmax(1)==y[n:]).float().mean().item()

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', type=Path, default=Path('synth-data'))
    p.add_argument('--videos', type=int, default=200, help='training-split videos to use')
    args = p.parse_args(argv)
    data = EventClips(pair_files(args.data/'features'/'train', args.data/'videos'/'train')[:args.videos])
    located,pooled,actions = event_features(data)
    chance = torch.bincount(actions).max().item()/len(actions)
    print(f"{len(actions)} events of {args.videos} videos, {int(actions.max())+1} actions; the commonest action is {chance:.1%} of them")
    print(f"action accuracy on held-out events, tokens under the target's box around the event: {probe(located, actions):.1%}")
    print(f"action accuracy on held-out events, all tokens averaged per time step:           {probe(pooled, actions):.1%}")

if __name__=='__main__': main()
