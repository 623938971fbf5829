#!/usr/bin/env python
"""Throughput of event_graph's video sampling against decord decoding the same frames directly.

Writes 2-minute H.264 test videos, then times, on each, the whole streaming pipeline (`iter_clips`: probe, frame
timestamps, sampling by timestamp, chunked decoding, 16-frame windows with 50% overlap) against the least work
that gets the same frames: one decord `get_batch` of the same frame numbers. Prints both and our overhead.
Target: overhead <= 25%. Usage:

    python bench/video_sampling.py [--repeats 3]
    python bench/video_sampling.py --quick    # 20 s videos, 1 repeat: checks that the script runs
"""
import argparse, tempfile, time
from pathlib import Path
import numpy as np, decord
from event_graph.video import write_video, open_video, sample_frame_numbers, iter_clips

def moving_frames(n, h, w):
    "Frames with texture and motion (a textured plane sliding diagonally), so that encoder and decoder do real work."
    yy,xx = np.mgrid[0:2*h, 0:2*w]
    plane = np.stack([np.sin(xx/17.0)*127+128, np.cos(yy/11.0)*127+128, (xx*yy//7) % 256], -1).astype(np.uint8)
    for i in range(n):
        dy,dx = (2*i) % h,(3*i) % w
        yield plane[dy:dy+h, dx:dx+w]

def best_of(fn, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter(); fn(); times.append(time.perf_counter()-t)
    return min(times)

def decord_direct(path, numbers):
    vr = decord.VideoReader(str(path))
    frames = vr.get_batch(list(numbers)).asnumpy()
    vr.seek(0)
    return frames

def pipeline(path):
    return sum(1 for _ in iter_clips(path))

def main(repeats=3, seconds=120):
    tmp = Path(tempfile.mkdtemp())
    print(f"{'video':<28}{'sampled':>8}{'clips':>7}{'decord direct':>15}{'event_graph':>13}{'overhead':>10}")
    for (w,h),fps in (((320, 240), 30), ((640, 360), 30), ((1280, 720), 30)):
        p = write_video(tmp/f'{w}x{h}.mp4', moving_frames(seconds*fps, h, w), fps=fps, options={'preset': 'veryfast'})
        numbers = sample_frame_numbers(open_video(p).timestamps)
        ref = best_of(lambda: decord_direct(p, numbers), repeats)
        ours = best_of(lambda: pipeline(p), repeats)
        clips = pipeline(p)
        name = f"{w}x{h} {fps} fps, {seconds} s"
        print(f"{name:<28}{len(numbers):>8}{clips:>7}{len(numbers)/ref:>11.1f} f/s{len(numbers)/ours:>9.1f} f/s{ours/ref-1:>+10.1%}")

if __name__=='__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--quick', action='store_true', help='20 s videos instead of 2 minutes, 1 repeat')
    args = ap.parse_args()
    seconds = 120
    if args.quick: args.repeats,seconds = 1,20
    main(args.repeats, seconds)
