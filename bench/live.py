"""Live inference on 2 cores: the fastest stream the shipped event model keeps up with, and what frames per window cost and buy.

    python bench/live.py --data synth-data                      # both parts
    python bench/live.py --data synth-data --part stream        # the stream rates the event model sustains
    python bench/live.py --data synth-data --part buffer        # frames per window: latency against probe accuracy
    python bench/live.py --quick                                # short videos, few frames: checks that the script runs

stream: the first test world of the benchmark, --seconds long (default 120), read by `event_graph.live.run_live` with the shipped tiny backbone
and event model, writing the graph after every window as `event-graph live` does: once streamed as MPEG-TS over HTTP at
real time (`VideoServer`), then played as a file at rising speeds until windows are skipped, then read with no model at
all (the ceiling: how fast frames come). Per row: the speed asked and the speed achieved (video seconds per second),
windows read and skipped, compute per window (backbone + decoder), the graph's rebuild and write, and the latency from
a window's last frame to its graph on disk.

buffer: for each window length N (sampled at 1 FPS, stride N/2), tiny-backbone features of the same videos
(--videos training worlds, 20 validation and 40 test worlds), an attentive probe (`20_probe`) per multi-label clip task
and seed, scored by mAP on the test clips beside chance (each label's share of the test clips, which changes with N); and the probe saved as a classifier and run as `event-graph live --model`
runs it, one window at a time: its compute per window, and the delay from the start of a window to its labels
(N seconds of frames, then the compute). Run it alone: other jobs on the 2 cores distort the times.
Writes stream.csv, buffer.csv, buffer.md and buffer.png into --out.
"""
import argparse, tempfile, time
from pathlib import Path
import numpy as np
import pandas as pd
import torch
import matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt
from event_graph.world import WorldConfig
from event_graph.render import video_name
from event_graph.synth import SPLITS, make_dataset, make_video
from event_graph.backbone import load_backbone
from event_graph.features import extract_features
from event_graph.data import EventClips, pair_files
from event_graph.inference import load_model
from event_graph.video import iter_clips
from event_graph.probe import ClipTaskData, ProbeConfig, train_probe, task_scores, save_probe_classifier
from event_graph.classify import load_classifier
from event_graph.live import LiveEvents, LiveLabels, VideoServer, WindowSampler, live_frames, live_source, run_live
from event_graph.fixtures import QUICK_WORLD, feature_folder
from event_graph.benchmark import markdown_table
from frozen_probe import chance

TASKS = ('actions', 'categories') # the multi-label clip tasks: mAP means the same at every window length

def stream_rates(data:Path, world:WorldConfig, speeds:list, out:Path)->pd.DataFrame:
    "Windows skipped and latencies of the event model on one video, streamed at real time, then played at each speed; and reading alone."
    video,_ = make_video(SPLITS['test'][0], data/'videos'/'live', world)
    model,bb = load_model(),load_backbone('tiny')
    rows,graph_file = [],out/'stream-graph.json'
    def one(label:str, source:str, speed:float=1.0, model_runs:bool=True)->dict:
        events,writes = LiveEvents(model, bb, name=video.stem),[]
        def write(w):
            t = time.perf_counter()
            if model_runs: events.graph().save(graph_file)
            writes.append(time.perf_counter()-t)
        start = time.perf_counter()
        run = run_live(live_frames(live_source(source), speed), WindowSampler(), events if model_runs else (lambda clip: None), write)
        seconds = time.perf_counter()-start
        compute,latency = np.array([w.compute for w in run.windows]),np.array([w.latency for w in run.windows])+np.array(writes)
        row = dict(source=label, speed=speed, **{'achieved speed': round(world.duration/seconds, 1)}, windows=len(run.windows), skipped=run.skipped,
                   seconds=round(seconds, 1),
                   **{'compute median (s)': np.median(compute), 'compute max (s)': compute.max(), 'graph write median (s)': np.median(writes),
                      'latency median (s)': np.median(latency), 'latency max (s)': latency.max()})
        print(', '.join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k,v in row.items()), flush=True)
        return row
    with VideoServer(video, 'ts') as server: rows.append(one('MPEG-TS stream over HTTP', server.url))
    misses = 0
    for speed in speeds:
        rows.append(one('file', str(video), speed))
        misses = misses+1 if rows[-1]['skipped'] else 0
        if misses==2: break
    rows.append(one('file, reading and sampling alone (no model)', str(video), 1e6, model_runs=False)) # the ceiling: how fast frames come at all
    graph_file.unlink(missing_ok=True)
    return pd.DataFrame(rows)

def window_tradeoff(data:Path, world:WorldConfig, lengths:list, videos:int, seeds:int, epochs:int)->pd.DataFrame:
    "Per window length: probe mAP on each multi-label task, and the probe classifier's compute per window."
    bb = load_backbone('tiny')
    splits = {'probe': SPLITS['train'][:videos], 'valid': SPLITS['valid'][:20 if videos>=20 else 2], 'test': SPLITS['test'][:40 if videos>=20 else 2]}
    for split,seeds_ in splits.items(): make_dataset(data/'videos'/split, seeds_, world)
    rows = []
    for n in lengths:
        sets = {}
        for split,seeds_ in splits.items():
            feats = feature_folder(data, bb).with_name(f"{feature_folder(data, bb).name}-{n}f")/split
            table = extract_features([data/'videos'/split/f"{video_name(s)}.mp4" for s in seeds_], feats, bb, size=n, stride=max(1, n//2))
            if len(failed := table[table.status=='failed']): raise SystemExit(f"{len(failed)} videos have no usable features, e.g. {failed.problem.iloc[0]}")
            names = {video_name(s) for s in seeds_}
            sets[split] = ClipTaskData.from_clips(EventClips([(f, g) for f,g in pair_files(feats, data/'videos'/split) if f.stem in names]))
        row = dict(frames=n, **{'train clips': len(sets['probe']), 'test clips': len(sets['test'])})
        for task in TASKS:
            maps = []
            for seed in range(seeds):
                probe,_ = train_probe(sets['probe'], sets['valid'], task, ProbeConfig(epochs=epochs, seed=seed), progress=False)
                maps.append(task_scores(probe, sets['test'], task)['mAP'])
            row[f'{task} mAP'],row[f'{task} mAP std'],row[f'{task} chance'] = np.mean(maps),np.std(maps),chance(sets['test'], task)['mAP']
        with tempfile.TemporaryDirectory() as d:
            save_probe_classifier(probe, sets['probe'].backbone, sets['probe'].classes[task], d, multi_label=True)
            live = LiveLabels(load_classifier(d, num_frames=n))
            clips = list(iter_clips(next((data/'videos'/'test').glob('*.mp4')), 1.0, n, max(1, n//2)))
            for c in clips[:2]: live(c) # warm-up
            times = []
            for c in (clips*20)[:20]:
                t = time.perf_counter(); live(c); times.append(time.perf_counter()-t)
        row['compute per window (s)'] = float(np.median(times))
        row['delay to labels (s)'] = n/1.0+row['compute per window (s)']
        print(', '.join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k,v in row.items()), flush=True)
        rows.append(row)
    return pd.DataFrame(rows)

def plot_tradeoff(t:pd.DataFrame, path:Path):
    fig,(a,b) = plt.subplots(1, 2, figsize=(9, 3.4))
    a.plot(t.frames, t['compute per window (s)']*1000, 'o-'); a.set_xscale('log', base=2); a.set_xticks(t.frames, t.frames)
    a.set(xlabel='frames per window (1 FPS)', ylabel='compute per window (ms)', title='cost: tiny backbone + probe, 2 cores')
    for task,colour in zip(TASKS, ('C0', 'C1')):
        b.errorbar(t.frames, t[f'{task} mAP'], t[f'{task} mAP std'], marker='o', capsize=3, color=colour, label=task)
        b.plot(t.frames, t[f'{task} chance'], ':', color=colour, label=f'{task}: chance')
    b.set_xscale('log', base=2); b.set_xticks(t.frames, t.frames)
    b.set(xlabel='frames per window (1 FPS)', ylabel='test mAP', title='what the probe reads'); b.legend()
    fig.tight_layout(); fig.savefig(path, dpi=110); plt.close(fig)

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', type=Path, default=Path('synth-data'))
    p.add_argument('--out', type=Path, default=Path('bench/results/live'))
    p.add_argument('--part', choices=('stream', 'buffer', 'both'), default='both')
    p.add_argument('--speeds', type=float, nargs='+', default=[2, 4, 8, 16, 32, 64, 128, 256, 512, 1024])
    p.add_argument('--seconds', type=float, default=120, help='length of the streamed video')
    p.add_argument('--frames', type=int, nargs='+', default=[4, 8, 16, 32], help='window lengths to compare')
    p.add_argument('--videos', type=int, default=60, help='training worlds of the probes')
    p.add_argument('--seeds', type=int, default=3)
    p.add_argument('--epochs', type=int, default=ProbeConfig.epochs)
    p.add_argument('--quick', action='store_true', help='20 s videos, speeds 8 and 64, windows of 4 and 8 frames, 4 training videos, 1 seed, 1 epoch')
    args = p.parse_args(argv)
    world = WorldConfig()
    if args.part!='buffer': world_stream = WorldConfig(duration=args.seconds)
    if args.quick:
        args.data,args.out,world = Path(tempfile.mkdtemp()),Path(tempfile.mkdtemp()),QUICK_WORLD
        world_stream = world
        args.speeds,args.frames,args.videos,args.seeds,args.epochs = [8, 64],[4, 8],4,1,1
    args.out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(min(2, torch.get_num_threads()))
    if args.part in ('stream', 'both'):
        s = stream_rates(args.data, world_stream, args.speeds, args.out)
        s.to_csv(args.out/'stream.csv', index=False)
        print(markdown_table(s.set_index('source')))
    if args.part in ('buffer', 'both'):
        t = window_tradeoff(args.data, world, args.frames, args.videos, args.seeds, args.epochs)
        t.to_csv(args.out/'buffer.csv', index=False)
        md = markdown_table(t.set_index('frames'))
        (args.out/'buffer.md').write_text(md+'\n'); print(md)
        plot_tradeoff(t, args.out/'buffer.png')

if __name__=='__main__': main()
