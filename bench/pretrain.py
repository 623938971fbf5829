"""Pretrain the tiny V-JEPA 2 with V-JEPA's objective (and V-JEPA 2.1's dense loss) on the synthetic world's pretraining videos (labels unused).

    python bench/pretrain.py --data synth-data           # the full run: renders SPLITS['pretrain'] once, resumes if stopped
    python bench/pretrain.py --data synth-data --ship    # also copy the pretrained model into the package as `tiny`
    python bench/pretrain.py --data synth-data --run synth-data/pretrain-run-half --out bench/results/pretrain_half_masks --mask-duration 0.5 --context-weight 0
    python bench/pretrain.py --data synth-data --run synth-data/pretrain-run-v2 --out bench/results/pretrain_vjepa2_loss --context-weight 0
    python bench/pretrain.py --quick                     # a few steps on a few short videos, to check that the script runs

Prints the speed of a step beside the machine's own matrix-product rate measured in the same run (the share of
that rate a step reaches), and writes the history, the curves (loss and signs of collapse) and a summary under --out.
The run's state (checkpoint.safetensors, the model folder) is kept in --run, outside the repository.
"""
import argparse, copy, dataclasses, json, shutil, statistics, tempfile, time
from pathlib import Path
import torch
import pandas as pd
import matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt
from torch.utils.flop_counter import FlopCounterMode
from event_graph.world import WorldConfig
from event_graph.synth import SPLITS, make_dataset
from event_graph.fixtures import QUICK_WORLD
from event_graph.pretrain import VJEPA_MASKS, PretrainConfig, RandomClips, init_model, param_groups, pretrain, pretrain_step, step_generator
from event_graph.backbone import TINY_BACKBONE_DIR

def matmul_rate(n:int=1024, repeats:int=4, rounds:int=7)->float:
    "This machine's fp32 matrix-product rate in FLOP/s on the threads torch uses: the median of several timed rounds."
    a,b = torch.randn(n, n),torch.randn(n, n)
    for _ in range(3): a@b
    def one_round():
        start = time.perf_counter()
        for _ in range(repeats): a@b
        return 2*n**3*repeats/(time.perf_counter()-start)
    return statistics.median(one_round() for _ in range(rounds))

def step_flops(clips:RandomClips, cfg:PretrainConfig, steps:int=3)->float:
    "FLOPs of one training step (forward and backward, both masks), averaged over a few steps of a fresh model."
    model = init_model(None, cfg.seed).train()
    target = copy.deepcopy(model.encoder).requires_grad_(False)
    opt = torch.optim.AdamW(param_groups(model))
    with FlopCounterMode(display=False) as counter:
        for s in range(steps): pretrain_step(model, target, opt, clips.batch(cfg.batch_size, step_generator(cfg.seed, s)), cfg, s)
    return counter.get_total_flops()/steps

def plot(history:pd.DataFrame, path:Path):
    "Loss, target features' per-dimension std and effective rank, and the schedules, over the steps."
    stats = history.dropna(subset=['target_rank'])
    fig,axes = plt.subplots(1, 4, figsize=(16, 3.3))
    history.plot(x='step', y='loss', ax=axes[0], legend=False, alpha=0.35)
    history.assign(smooth=history.loss.rolling(50, min_periods=1).mean()).plot(x='step', y='smooth', ax=axes[0], legend=False)
    if history.get('context_loss', pd.Series([0])).gt(0).any():
        history.assign(smooth=history.context_loss.rolling(50, min_periods=1).mean()).plot(x='step', y='smooth', ax=axes[0], legend=False, c='C2')
        axes[0].text(0.98, 0.02, 'green: loss on the visible tokens', transform=axes[0].transAxes, ha='right', fontsize=8, c='C2')
    axes[0].axhline((2/torch.pi)**0.5, ls='--', c='gray'); axes[0].set_title("L1 loss (dashed: always predicting 0)", fontsize=10)
    stats.plot(x='step', y='target_std', ax=axes[1], legend=False); axes[1].set_title("target features: std per dimension", fontsize=10)
    stats.plot(x='step', y='target_rank', ax=axes[2], legend=False); axes[2].set_title("target features: effective rank (of 192)", fontsize=10)
    history.plot(x='step', y='lr', ax=axes[3], label='learning rate'); history.plot(x='step', y='ema', ax=axes[3], secondary_y=True, label='EMA momentum')
    axes[3].set_title("schedules", fontsize=10)
    fig.tight_layout(); fig.savefig(path, dpi=100)

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', type=Path, default=Path('synth-data'), help='where the rendered videos are kept (videos/pretrain)')
    p.add_argument('--run', type=Path, default=None, help="the run's folder (checkpoint, model); default DATA/pretrain-run")
    p.add_argument('--out', type=Path, default=Path('bench/results/pretrain'), help='history, curves and summary')
    p.add_argument('--steps', type=int, default=PretrainConfig.steps)
    p.add_argument('--batch-size', type=int, default=PretrainConfig.batch_size)
    p.add_argument('--videos', type=int, default=len(SPLITS['pretrain']), help='pretrain on the first N videos of the split')
    p.add_argument('--mask-duration', type=float, default=1.0, help="share of the clip each masked rectangle runs through (1: V-JEPA's, through all of it)")
    p.add_argument('--context-weight', type=float, default=PretrainConfig.context_weight, help="weight of V-JEPA 2.1's dense loss on the visible tokens (0: V-JEPA 2's loss alone)")
    p.add_argument('--ship', action='store_true', help="copy the pretrained model into the package as the 'tiny' backbone")
    p.add_argument('--quick', action='store_true', help='6 steps of 2 clips on 4 videos of 20 s, into a temporary folder')
    args = p.parse_args(argv)
    if args.quick:
        tmp = Path(tempfile.mkdtemp())
        args.data,args.run,args.out,args.steps,args.batch_size,args.videos = tmp,tmp/'run',tmp/'results',6,2,4
    world = QUICK_WORLD if args.quick else WorldConfig()
    folder = args.data/'videos'/'pretrain'
    table = make_dataset(folder, SPLITS['pretrain'][:args.videos], world)
    masks = tuple(dataclasses.replace(m, duration=args.mask_duration) for m in VJEPA_MASKS)
    cfg = PretrainConfig(steps=args.steps, batch_size=args.batch_size, masks=masks, context_weight=args.context_weight, log_every=min(PretrainConfig.log_every, args.steps),
                         checkpoint_every=min(PretrainConfig.checkpoint_every, args.steps))
    run = args.run or args.data/'pretrain-run'
    clips = RandomClips(list(table.video), progress=False)
    rate_before,flops = matmul_rate(),step_flops(clips, cfg)
    history = pretrain(list(table.video), run, cfg)
    rate = max(rate_before, matmul_rate()) # the machine's speed drifts over hours: the higher rate, so the share is not flattered
    seconds = history.seconds.iloc[1:].median()
    summary = dict(steps=len(history), clips=len(history)*cfg.batch_size, videos=len(table), hours=history.seconds.sum()/3600,
                   seconds_per_step=seconds, gflop_per_step=flops/1e9, gflops=flops/seconds/1e9, matmul_gflops=rate/1e9,
                   share_of_matmul_rate=flops/seconds/rate, final_loss=history.loss.tail(50).mean(),
                   final_context_loss=history.get('context_loss', pd.Series([0.0])).tail(50).mean(),
                   target_std=history.target_std.dropna().iloc[-1], target_rank=history.target_rank.dropna().iloc[-1], config=cfg.to_dict())
    args.out.mkdir(parents=True, exist_ok=True)
    history.to_csv(args.out/'history.csv', index=False)
    (args.out/'summary.json').write_text(json.dumps(summary, indent=1))
    plot(history, args.out/'curves.png')
    print(f"{summary['steps']} steps of {cfg.batch_size} clips from {len(table)} videos in {summary['hours']:.2f} h")
    print(f"a step: {seconds:.2f} s, {flops/1e9:.1f} GFLOP -> {summary['gflops']:.1f} GFLOP/s, "
          f"{summary['share_of_matmul_rate']:.0%} of this machine's matrix-product rate ({rate/1e9:.1f} GFLOP/s)")
    print(f"loss {summary['final_loss']:.3f} (always 0: 0.798); target features: std {summary['target_std']:.3f}, effective rank {summary['target_rank']:.1f} of 192")
    if args.ship:
        for f in ('config.json', 'model.safetensors'): shutil.copyfile(run/f, Path(str(TINY_BACKBONE_DIR))/f)
        print(f"shipped {run} -> {TINY_BACKBONE_DIR}")

if __name__=='__main__': main()
