"""End-to-end inference speed and memory: `predict_video` with the shipped tiny models on 1- and 10-minute videos.

    python bench/inference.py
    python bench/inference.py --quick    # 20 s and 40 s videos: checks that the script runs

Renders two synthetic videos (1 and 10 minutes, 128 px, 2 fps), then runs each measurement in a fresh process so
that peak memory (maximum resident set size) belongs to that video alone:
- `predict_video` end to end (decode, sample, backbone, decoder, linking, graph);
- the reference: the backbone alone over the same clips (`extract_video` to a feature file), the floor under
  end-to-end time.
Reports seconds per minute of video and peak memory; target: the 10-minute video's peak within 1.2x of the
1-minute video's.
"""
import argparse, json, subprocess, sys, tempfile, time
from pathlib import Path

CHILD = r'''
import json, resource, sys, time, torch
from transformers.utils import logging; logging.disable_progress_bar()
from event_graph.backbone import load_backbone
from event_graph.features import extract_video
from event_graph.inference import load_model, predict_video
torch.set_num_threads(torch.get_num_threads())
what,video,out = sys.argv[1:4]
backbone = load_backbone('tiny')
start = time.perf_counter()
if what=='predict':
    g = predict_video(video, load_model(), backbone, progress=False)
    extra = dict(events=len(g.events), nodes=len(g.nodes), windows=g.metadata['num_clips'])
else:
    extract_video(video, backbone, out); extra = {}
print(json.dumps(dict(seconds=time.perf_counter()-start, peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024, **extra)))
'''

def measure(what:str, video:Path, folder:Path)->dict:
    "Run one measurement in a fresh Python process; its JSON report."
    res = subprocess.run([sys.executable, '-c', CHILD, what, str(video), str(folder/f'{video.stem}.safetensors')],
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])

def length(seconds:int)->str: return f"{seconds//60} min" if seconds>=60 else f"{seconds} s"

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--quick', action='store_true', help='20 s and 40 s videos instead of 1 and 10 minutes')
    args = p.parse_args(argv)
    from event_graph.world import WorldConfig
    from event_graph.synth import make_video
    folder = Path(tempfile.mkdtemp())
    rows = []
    for seconds in ((20, 40) if args.quick else (60, 600)):
        start = time.perf_counter()
        video,_ = make_video(7, folder/f'{seconds}s', WorldConfig(duration=seconds))
        print(f"rendered a {length(seconds)} video in {time.perf_counter()-start:.0f} s", flush=True)
        e2e,floor = measure('predict', video, folder),measure('backbone', video, folder)
        rows.append((seconds, e2e, floor))
        minutes = seconds/60
        print(f"{length(seconds):>6} video: end to end {e2e['seconds']/minutes:.1f} s per minute of video ({e2e['windows']} windows, "
              f"{e2e['nodes']} nodes, {e2e['events']} events), peak {e2e['peak_mb']:.0f} MB; "
              f"backbone alone {floor['seconds']/minutes:.1f} s per minute, peak {floor['peak_mb']:.0f} MB", flush=True)
    (short,a,fa),(long,b,fb) = rows
    print(f"peak memory, {length(long)} video / {length(short)} video: {b['peak_mb']/a['peak_mb']:.2f}x (target <= 1.2x)")
    print(f"end to end / backbone alone: {a['seconds']/fa['seconds']:.2f}x ({length(short)}), {b['seconds']/fb['seconds']:.2f}x ({length(long)})")

if __name__=='__main__': main()
