"""What a backbone's frozen tokens know, before any event model is trained: random against pretrained, same videos.

    python bench/feature_probe.py --data synth-data                       # tiny-random and tiny, 200 training videos, 3 seeds
    python bench/feature_probe.py --data synth-data --backbones tiny-random hf:/path/to/pretrain-run
    python bench/feature_probe.py --quick                                 # 6 short videos, 1 seed, to check that the script runs

Renders the first --videos worlds of the training split (once), extracts their features with each backbone (once, into
DATA/features/<backbone>/probe), and trains small probes on the frozen tokens, on the first 80% of the videos, scored on
the rest (videos the probe never saw), each with --seeds initialisations:

- category: a linear classifier names the category of the object under a token (tokens at least half covered by one;
  balanced accuracy, as large surfaces cover most tokens);
- moved: a linear classifier tells whether the object under a token moved between the token's two frames
  (its box centre by more than 2% of the frame; balanced accuracy, as most objects stand still);
- where: an attentive probe finds an object later in the clip from its tokens at the start: a query from the tokens it
  covers in the first temporal token attends over the tokens of a later one, and the attended place and features give
  its box there (mean IoU with the true box; the box at the start is the no-tracking reference);
- action: a small MLP names each event's action from the tokens under its target's box around the event's moment.
"""
import argparse, math, tempfile
from pathlib import Path
import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn
from event_graph.world import WorldConfig
from event_graph.synth import SPLITS, make_dataset
from event_graph.fixtures import QUICK_WORLD
from event_graph.backbone import load_backbone
from event_graph.features import extract_features
from event_graph.data import EventClips, pair_files
from event_graph.boxes import box_iou
from event_graph.benchmark import markdown_table

MOVE = 0.02 # a box centre that shifts by more than this share of the frame between two frames has moved

def clip_arrays(data:EventClips)->list:
    "(tokens (T', H', W', D), `ClipTarget`) of every clip with objects and boxes, read once for all the probes."
    out = []
    for i in range(len(data)):
        tokens,t,_ = data[i]
        if t.masks is not None and t.num_objects: out.append((tokens.float().view(*t.masks.shape[1:], -1), t))
    return out

def token_probe_data(clips:list):
    "(tokens, category, moved) of every token at least half covered by one object."
    xs,cats,moved = [],[],[]
    for grid,t in clips:
        cover,owner = t.masks.max(0) # (T', H', W')
        keep = cover>=0.5
        fpt = t.boxes.shape[1]//grid.shape[0] # frames per temporal token
        centre = (t.boxes[..., :2]+t.boxes[..., 2:])/2 # (N, F, 2)
        shift = (centre[:, fpt-1::fpt]-centre[:, ::fpt]).norm(dim=-1).nan_to_num(0) # (N, T') between a token's first and last frame
        tt = torch.arange(grid.shape[0])[:, None, None].expand_as(owner)
        xs.append(grid[keep]); cats.append(t.categories[owner[keep]]); moved.append(shift[owner[keep], tt[keep]]>MOVE)
    return torch.cat(xs),torch.cat(cats),torch.cat(moved).long()

def where_probe_data(clips:list):
    "(query, (clip, temporal token) of the later tokens, box at the start, box later, moved) per visible object and later temporal token, and the grids."
    out,grids = [],[]
    for grid,t in clips:
        T,fpt = grid.shape[0],t.boxes.shape[1]//grid.shape[0]
        for n in range(t.num_objects):
            w0 = t.masks[n, 0]
            if w0.sum()<0.5 or torch.isnan(t.boxes[n, 0]).any(): continue
            query = (grid[0]*(w0/w0.sum())[..., None]).sum((0, 1))
            for s in range(1, T):
                box = t.boxes[n, s*fpt]
                if torch.isnan(box).any(): continue
                shift = ((box[:2]+box[2:])/2-(t.boxes[n, 0, :2]+t.boxes[n, 0, 2:])/2).norm()
                out.append((query, torch.tensor([len(grids), s]), t.boxes[n, 0], box, shift>MOVE))
        grids.append(grid.flatten(1, 2))
    q,at,b0,b,m = zip(*out)
    return torch.stack(q),torch.stack(at),torch.stack(b0),torch.stack(b),torch.stack(m),torch.stack(grids)

def action_probe_data(clips:list):
    "(tokens under the target's box at the event's temporal token and the two before and after it, action) of every event."
    xs,ys = [],[]
    for grid,t in clips:
        T,F_ = grid.shape[0],t.boxes.shape[1]
        for e in range(t.num_events):
            now,mask = int(t.frames[e])*T//F_,t.masks[t.targets[e]]
            steps = [min(max(now+d, 0), T-1) for d in (-2, -1, 0, 1, 2)]
            w = [mask[s] if mask[s].sum()>0 else mask.sum(0) for s in steps]
            xs.append(torch.cat([(grid[s]*(m/(m.sum()+1e-6))[..., None]).sum((0, 1)) for s,m in zip(steps, w)])); ys.append(int(t.actions[e]))
    return torch.stack(xs),torch.tensor(ys)

def standardise(train:torch.Tensor, *others):
    mu,sd = train.mean(0),train.std(0)+1e-5
    return [(x-mu)/sd for x in (train, *others)]

def fit_classifier(x, y, xt, yt, seed:int, hidden:int=0, epochs:int=300, balanced:bool=False)->float:
    "Held-out accuracy (or balanced accuracy) of a linear classifier, or an MLP with `hidden` units, trained full-batch with Adam."
    torch.manual_seed(seed)
    x,xt = standardise(x, xt)
    k = int(max(y.max(), yt.max()))+1
    net = nn.Linear(x.shape[1], k) if not hidden else nn.Sequential(nn.Linear(x.shape[1], hidden), nn.ReLU(), nn.Linear(hidden, k))
    opt = torch.optim.Adam(net.parameters(), 1e-2 if not hidden else 1e-3, weight_decay=1e-4)
    for _ in range(epochs):
        loss = F.cross_entropy(net(x), y); opt.zero_grad(); loss.backward(); opt.step()
    with torch.no_grad(): pred = net(xt).argmax(1)
    if not balanced: return (pred==yt).float().mean().item()
    return float(np.mean([(pred[yt==c]==c).float().mean().item() for c in yt.unique()]))

class WhereProbe(nn.Module):
    "An object's query attends over a later grid of tokens; its box there is the attended place plus a learned offset and size."
    def __init__(self, dim:int, width:int=64, cells:int=64):
        super().__init__()
        self.q,self.k,self.v = nn.Linear(dim, width),nn.Linear(dim, width),nn.Linear(dim, width)
        self.box = nn.Linear(width+dim, 4)
        side = int(math.sqrt(cells))
        ys,xs = torch.meshgrid((torch.arange(side)+0.5)/side, (torch.arange(side)+0.5)/side, indexing='ij')
        self.register_buffer('centres', torch.stack([xs.flatten(), ys.flatten()], -1))
    def forward(self, query, keys): # (B, D), (B, S, D) -> (B, 4) boxes (x0, y0, x1, y1)
        att = torch.einsum('bd,bsd->bs', self.q(query), self.k(keys)).div(self.q.out_features**0.5).softmax(-1)
        centre = att@self.centres
        d = self.box(torch.cat([torch.einsum('bs,bsd->bd', att, self.v(keys)), query], -1))
        centre,size = centre+0.1*torch.tanh(d[:, :2]),torch.sigmoid(d[:, 2:])
        return torch.cat([centre-size/2, centre+size/2], -1)

def fit_where(train, test, seed:int, epochs:int=400)->tuple[float, float]:
    "Held-out mean IoU of the attentive probe's boxes: all (object, later token) pairs, and those whose object moved."
    torch.manual_seed(seed)
    (q,at,_,b,_,grids),(qt,att,_,bt,mt,grids_t) = train,test
    mu,sd = grids.flatten(0, 2).mean(0),grids.flatten(0, 2).std(0)+1e-5
    norm = lambda x: (x-mu)/sd
    keys = lambda g, i: norm(g[i[:, 0], i[:, 1]]) # (B, H'W', D) tokens of each pair's later temporal token
    probe = WhereProbe(q.shape[1], cells=grids.shape[2])
    opt = torch.optim.Adam(probe.parameters(), 3e-3, weight_decay=1e-4)
    for _ in range(max(1, epochs//30)): # passes over the pairs: each is costly (every pair attends over a grid)
        for i in torch.randperm(len(q)).split(1024):
            loss = F.l1_loss(probe(norm(q[i]), keys(grids, at[i])), b[i]); opt.zero_grad(); loss.backward(); opt.step()
    with torch.no_grad(): iou = torch.cat([box_iou(probe(norm(qt[i]), keys(grids_t, att[i])), bt[i]) for i in torch.arange(len(qt)).split(4096)])
    return iou.mean().item(),iou[mt].mean().item()

def split_videos(pairs:list, share:float=0.8)->tuple[EventClips, EventClips]:
    "The clips of the first `share` of the videos' (feature file, graph) pairs, and of the rest."
    n = max(1, int(len(pairs)*share))
    return EventClips(pairs[:n]),EventClips(pairs[n:])

def probe_backbone(spec:str, videos:Path, data:Path, seeds:int, epochs:int)->list[dict]:
    "Every probe's held-out score on one backbone's tokens, one row per probe seed."
    backbone = load_backbone(spec)
    feats = data/'features'/backbone.name.replace('/', '_').replace(':', '_')/'probe'
    extract_features(videos, feats, backbone)
    train,test = (clip_arrays(d) for d in split_videos(pair_files(feats, videos)))
    tok,tok_t = token_probe_data(train),token_probe_data(test)
    where,where_t = where_probe_data(train),where_probe_data(test)
    act,act_t = action_probe_data(train),action_probe_data(test)
    rows = []
    for seed in range(seeds):
        all_iou,moving_iou = fit_where(where, where_t, seed, epochs)
        rows.append({'backbone': backbone.name, 'seed': seed,
                     'category (balanced accuracy)': fit_classifier(tok[0], tok[1], tok_t[0], tok_t[1], seed, epochs=epochs, balanced=True),
                     'moved (balanced accuracy)': fit_classifier(tok[0], tok[2], tok_t[0], tok_t[2], seed, epochs=epochs, balanced=True),
                     'where: box IoU, all': all_iou, 'where: box IoU, moved': moving_iou,
                     'action (accuracy)': fit_classifier(act[0], act[1], act_t[0], act_t[1], seed, hidden=256, epochs=epochs)})
    stay = box_iou(where_t[2], where_t[3])
    refs = {'category (balanced accuracy)': 1/len(tok_t[1].unique()), 'moved (balanced accuracy)': 0.5,
            'where: box IoU, all': stay.mean().item(), 'where: box IoU, moved': stay[where_t[4]].mean().item(),
            'action (accuracy)': torch.bincount(act_t[1]).max().item()/len(act_t[1])}
    print(f"{backbone.name}: {len(tok_t[1])} held-out tokens under objects ({tok_t[2].float().mean():.1%} moved), "
          f"{len(where_t[3])} object-and-time pairs ({where_t[4].float().mean():.1%} moved), {len(act_t[1])} events")
    return rows,refs

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', type=Path, default=Path('synth-data'))
    p.add_argument('--out', type=Path, default=Path('bench/results/feature_probe'))
    p.add_argument('--backbones', nargs='+', default=['tiny-random', 'tiny'])
    p.add_argument('--videos', type=int, default=200, help='the first N training worlds')
    p.add_argument('--seeds', type=int, default=3, help='probe initialisations per backbone')
    p.add_argument('--epochs', type=int, default=300)
    p.add_argument('--quick', action='store_true', help='6 videos of 20 s, 1 seed, 20 epochs, into a temporary folder')
    args = p.parse_args(argv)
    if args.quick: args.data,args.out,args.videos,args.seeds,args.epochs = Path(tempfile.mkdtemp()),Path(tempfile.mkdtemp()),6,1,20
    videos = args.data/'videos'/'probe'
    make_dataset(videos, SPLITS['train'][:args.videos], QUICK_WORLD if args.quick else WorldConfig(), progress=False)
    rows,refs = [],{}
    for spec in args.backbones:
        r,refs = probe_backbone(spec, videos, args.data, args.seeds, args.epochs)
        rows += r
    df = pd.DataFrame(rows)
    table = df.drop(columns='seed').groupby('backbone', sort=False).agg(lambda s: f"{s.mean():.3f} ± {s.std(ddof=0):.3f}").T
    table['reference'] = [f"{refs[k]:.3f}" for k in table.index]
    args.out.mkdir(parents=True, exist_ok=True)
    df.to_csv(args.out/'probes.csv', index=False)
    md = markdown_table(table.rename_axis('probe (held-out videos)'))
    (args.out/'probes.md').write_text(md+'\n')
    print(md)
    print("reference: chance (one over the categories present); chance; the box at the start of the clip (no tracking); the commonest action")

if __name__=='__main__': main()
