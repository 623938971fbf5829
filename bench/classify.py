"""Speed and memory of `classify` with the tiny V-JEPA 2 classifier: where the time goes, and whether a long video costs more memory.

    python bench/classify.py            # a 1-minute and a 60-minute video
    python bench/classify.py --quick    # 10 s and 40 s, to check that the script runs

The classifier is the shipped tiny backbone with an (untrained) attentive probe on top, saved as a Hugging Face
`VJEPA2ForVideoClassification` folder (`20_probe`), so it has the size of the real thing on our synthetic world. Each
video (30 fps, 320 x 240, H.264 at x264's `veryfast` preset) is classified in a fresh process (which fixes the C heap's mmap threshold, as
`event-graph classify` does: `00_core`) at the default frame step of 4 with 16-frame windows
overlapping by 8, 8 windows per forward pass. Printed: the split of the time between reading and preparing frames and
the model (target: reading <= 20%), the speed against real time, and the peak memory of each process (target: the long
video within 1.2x of the short one's).
"""
import argparse, json, resource, subprocess, sys, tempfile
from pathlib import Path
import numpy as np

def write_video(path:Path, seconds:float, fps:int=30):
    "A moving-texture test video of `seconds` at `fps`, 320 x 240."
    from event_graph.video import write_video as write
    yy,xx = np.mgrid[0:480, 0:640]
    texture = np.stack([(128+100*np.sin(xx/17.0)*np.cos(yy/23.0)).astype(np.uint8)]*3, -1)
    frames = (texture[(2*i)%240:(2*i)%240+240, (3*i)%320:(3*i)%320+320] for i in range(int(seconds*fps))) # the texture slides
    write(path, frames, fps, options={'preset': 'veryfast'})

def child(video:str, model:str)->dict:
    "Classify one video in this process; its figures and peak memory."
    import time
    from event_graph.core import fix_mmap_threshold
    from event_graph.classify import load_classifier, classify_video
    fix_mmap_threshold() # as `event-graph classify` does
    clf = load_classifier(model, device='cpu')
    start = time.perf_counter()
    r = classify_video(clf, video)
    wall = time.perf_counter()-start
    return dict(windows=len(r.starts), duration=float(r.ends[-1]), wall=wall, **r.seconds,
                peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024)

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--child', nargs=2, help=argparse.SUPPRESS)
    p.add_argument('--quick', action='store_true', help='10 s and 40 s instead of 1 and 60 minutes')
    args = p.parse_args(argv)
    if args.child: print(json.dumps(child(*args.child))); return
    import torch
    from event_graph.backbone import load_backbone
    from event_graph.probe import AttentiveProbe, probe_config, save_probe_classifier
    tmp = Path(tempfile.mkdtemp())
    spec = load_backbone('tiny').spec
    torch.manual_seed(0)
    model = save_probe_classifier(AttentiveProbe(probe_config(spec), 12), spec, [f'class_{i}' for i in range(12)], tmp/'classifier')
    rows = []
    for seconds in ((10, 40) if args.quick else (60, 3600)):
        video = tmp/f'{seconds}s.mp4'
        write_video(video, seconds)
        out = subprocess.run([sys.executable, __file__, '--child', str(video), str(model)], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(r)
        share = r['read']/(r['read']+r['model'])
        print(f"{f'{seconds//60} min' if seconds>=60 else f'{seconds} s'}: {r['windows']} windows in {r['wall']:.1f} s ({r['duration']/r['wall']:.0f}x real time); "
              f"reading and preparing frames {r['read']:.1f} s = {share:.0%}, model {r['model']:.1f} s; peak memory {r['peak_rss_mb']:.0f} MB")
    print(f"peak memory, long video / short video: {rows[1]['peak_rss_mb']/rows[0]['peak_rss_mb']:.2f}x (target <= 1.2x)")

if __name__=='__main__': main()
