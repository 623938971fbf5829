"""Speed of the event model (object pooling + event decoder) on ViT-g-shaped tokens, on this machine's CPU.

Prints the forward time per clip at batch 8 on tokens of shape (8, 4608, 1408), one training step, the model's
FLOP count, and the machine's own fp32 matrix-product rate measured in the same run, so that every time is
also shown against its FLOP floor (FLOPs / matrix-product rate).

    python bench/decoder.py [--batch 8] [--repeats 5] [--threads N]
    python bench/decoder.py --quick    # batch 1, 1 repeat, fewer matrix products: checks that the script runs
"""
import argparse, statistics, time
import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode
from event_graph.decoder import VJEPAEventDecoder, parameter_counts

def best_of(fn, repeats):
    "Median and best wall time of `repeats` calls, after one warm-up call."
    fn(); times = []
    for _ in range(repeats):
        t = time.perf_counter(); fn(); times.append(time.perf_counter()-t)
    return statistics.median(times), min(times)

def matmul_rate(n=2048, repeats=5):
    "fp32 FLOP/s of a square matrix product, the machine's reference rate."
    a,b = torch.randn(n, n),torch.randn(n, n)
    _,best = best_of(lambda: a@b, repeats)
    return 2*n**3/best

def count_flops(fn):
    with FlopCounterMode(display=False) as counter: fn()
    return counter.get_total_flops()

def stand_in_loss(out):
    "A loss touching every head (cross-entropy against fixed targets); the real set-prediction loss has its own bench."
    loss = F.binary_cross_entropy_with_logits(out['interaction'], torch.zeros_like(out['interaction']))
    for k in ('action', 'agent', 'target', 'source', 'destination', 'frame'):
        loss = loss+F.cross_entropy(out[k].flatten(0, 1), torch.zeros(out[k].shape[0]*out[k].shape[1], dtype=torch.long))
    return loss+out['objects'].existence.mean()+out['objects'].category.mean()

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--batch', type=int, default=8); p.add_argument('--repeats', type=int, default=5)
    p.add_argument('--threads', type=int, default=torch.get_num_threads())
    p.add_argument('--quick', action='store_true', help="batch 1, 1 repeat and 2 of the machine's matrix products instead of 10")
    a = p.parse_args()
    mm_repeats = 10
    if a.quick: a.batch,a.repeats,mm_repeats = 1,1,2
    torch.set_num_threads(a.threads); torch.manual_seed(0)
    model = VJEPAEventDecoder()
    tokens = torch.randn(a.batch, 4608, 1408)
    counts = parameter_counts(model)
    print(f"model: {counts['total']/1e6:.2f} M parameters ({', '.join(f'{k} {v/1e6:.2f} M' for k,v in counts.items() if k!='total')})")
    print(f"tokens: {tuple(tokens.shape)}, {a.threads} threads, torch {torch.__version__}")

    rate = matmul_rate(repeats=mm_repeats)

    model.eval()
    def forward():
        with torch.no_grad(): model(tokens)
    fwd_flops = count_flops(lambda: model(tokens)) # counted with autograd on: FlopCounterMode's module hooks need it
    med,best = best_of(forward, a.repeats)
    rate = max(rate, matmul_rate(repeats=mm_repeats)) # measured before and after, the better one: a fair floor on a busy machine
    print(f"machine: fp32 matrix product (2048 x 2048) {rate/1e9:.1f} GFLOP/s")
    floor = fwd_flops/rate
    print(f"forward: {fwd_flops/a.batch/1e9:.2f} GFLOP per clip; {med/a.batch*1e3:.1f} ms per clip (median of {a.repeats}, best {best/a.batch*1e3:.1f}); "
          f"floor {floor/a.batch*1e3:.1f} ms per clip; {med/floor:.2f}x the floor")
    plain,_ = best_of(lambda: model(tokens), a.repeats) # autograd on: the plain path that layer-norms all tokens at once
    print(f"forward with autograd recording (plain input projection): {plain/a.batch*1e3:.1f} ms per clip; {plain/floor:.2f}x the floor")

    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    def step():
        opt.zero_grad(set_to_none=True)
        stand_in_loss(model(tokens, aux=True)).backward()
        opt.step()
    step_flops = count_flops(step)
    med,best = best_of(step, max(2, a.repeats//2))
    print(f"training step (batch {a.batch}, forward + backward + AdamW, without matching): {step_flops/1e9:.1f} GFLOP; "
          f"{med:.2f} s (best {best:.2f}); floor {step_flops/rate:.2f} s; {med/(step_flops/rate):.2f}x the floor")

if __name__=='__main__': main()
