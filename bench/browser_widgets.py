"""The viewer of `17_widgets` and the live view of `21_live` in a real browser.

Voila serves a notebook holding an `EventViewer` on 127.0.0.1; headless Chromium (Debian's package), driven by
Playwright, moves the slider with the keyboard, picks an event in the menu and presses Play. After each step the script
checks that the picture, the caption and the timeline followed, and saves a screenshot. Then Voila serves a notebook
whose `LiveView` follows `run_live` on a synthetic video streamed over HTTP at real time, and the script checks that the
page shows window after window as they are read. It prints how long each step took to show in the browser and exits
with status 1 if a check fails.

Needs Debian's Chromium and two Python packages (Playwright's own browser download is not used):

    apt-get install chromium && pip install voila playwright
    python bench/browser_widgets.py [--out bench/results/browser_widgets]
"""
import argparse, os, socket, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np
import nbformat
from PIL import Image
from playwright.sync_api import sync_playwright
from transformers.utils import logging as hf_logging
from event_graph.draw import ROLE_COLOURS
from event_graph.world import WorldConfig
from event_graph.synth import make_video
from event_graph.backbone import load_backbone
from event_graph.inference import predict_video, load_model, save_maps

CHROMIUM = '/usr/bin/chromium'
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run']

def free_port()->int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def viewer_notebook(folder:Path, video:Path, graph:Path, maps:Path)->Path:
    "A one-cell notebook that shows the viewer of `graph` on `video`, as a dashboard would (no progress bar)."
    # A progress bar that closes when it is done leaves "Loading widget..." on a Voila page: its widget is gone.
    code = ("from event_graph.widgets import EventViewer\nfrom event_graph.schema import EventGraph\n"
            "from event_graph.inference import load_maps\n"
            f"EventViewer.from_video({str(video)!r}, EventGraph.load({str(graph)!r}), load_maps({str(maps)!r}), width=480, progress=False)")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nb.metadata = {'kernelspec': {'display_name': 'python3', 'language': 'python', 'name': 'python3'}}
    path = folder/'viewer.ipynb'; nbformat.write(nb, path); return path

def live_notebook(folder:Path, video:Path)->Path:
    "A notebook whose `LiveView` follows the event model on `video`, streamed as MPEG-TS at real time, from a thread."
    code = ("import threading\nfrom transformers.utils import logging\nlogging.disable_progress_bar()\nfrom event_graph.live import LiveEvents, LiveView, VideoServer, WindowSampler, live_frames, live_source, run_live\n"
            "from event_graph.inference import load_model\nfrom event_graph.backbone import load_backbone\n"
            f"server = VideoServer({str(video)!r}, 'ts')\n"
            "events,view = LiveEvents(load_model(), load_backbone('tiny'), name='live'),LiveView()\n"
            "args = (live_frames(live_source(server.url)), WindowSampler(), events, lambda w: view.update(w, events.graph()))\n"
            "threading.Thread(target=run_live, args=args, daemon=True).start()\nview")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nb.metadata = {'kernelspec': {'display_name': 'python3', 'language': 'python', 'name': 'python3'}}
    path = folder/'live.ipynb'; nbformat.write(nb, path); return path

def serve(nb:Path, port:int, env:dict)->subprocess.Popen:
    "Voila on 127.0.0.1:`port`, once it answers."
    proc = subprocess.Popen([sys.executable, '-m', 'voila', str(nb), f'--port={port}', '--no-browser', '--Voila.ip=127.0.0.1'],
                            cwd=nb.parent, env=env, stdout=subprocess.DEVNULL, stderr=open(nb.parent/'voila.log', 'w'))
    for _ in range(600):
        try: socket.create_connection(('127.0.0.1', port), timeout=0.5).close(); return proc
        except OSError: time.sleep(0.1)
    proc.kill(); raise SystemExit(f"voila did not start; see {nb.parent/'voila.log'}")

def agent_pixels(png:Path)->int:
    "How many pixels of a screenshot are within 60 of the agent colour (the viewer's JPEG frames shift colours by up to 40)."
    im = np.asarray(Image.open(png).convert('RGB')).astype(int)
    return int((np.abs(im-ROLE_COLOURS['agent']).max(-1)<60).sum())

def main(out:Path):
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix='browser_widgets.'))
    env = dict(os.environ, **{k: str(work/k.lower()) for k in ('JUPYTER_CONFIG_DIR', 'JUPYTER_RUNTIME_DIR', 'IPYTHONDIR', 'MPLCONFIGDIR')})
    hf_logging.disable_progress_bar()
    video,_ = make_video(200_000, work, WorldConfig())
    g = predict_video(video, load_model(), load_backbone('tiny'), threshold=0.3, progress=False, keep_maps=True)
    graph,maps = g.save(work/'pred.json'),save_maps(g, work/'pred.maps.npz')
    event = max(g.events, key=lambda e: e.confidence)
    port = free_port()
    failures = []
    def check(ok:bool, what:str):
        print(('ok    ' if ok else 'FAIL  ')+what)
        if not ok: failures.append(what)
    server = serve(viewer_notebook(work, video, graph, maps), port, env)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={'width': 900, 'height': 1100})
            t = time.time()
            page.goto(f'http://127.0.0.1:{port}/', timeout=120_000)
            image = page.locator('img.widget-image').first
            image.wait_for(timeout=120_000)
            caption = page.locator('.widget-html-content').first
            page.wait_for_function("document.querySelector('.widget-html-content') && document.querySelector('.widget-html-content').innerText.includes('frame')", timeout=60_000)
            print(f"page with the viewer shown in {time.time()-t:.1f} s")
            page.screenshot(path=out/'start.png', full_page=True)
            src,text = image.get_attribute('src'),caption.inner_text()
            check(text.startswith('frame 0 '), f"first caption {text!r}")

            def wait_change(old_text:str)->float:
                t = time.time()
                page.wait_for_function("t => document.querySelector('.widget-html-content').innerText!==t", arg=old_text, timeout=30_000)
                return time.time()-t

            page.locator('.noUi-handle').first.focus()
            steps = []
            for _ in range(5):
                before = caption.inner_text(); page.keyboard.press('ArrowRight'); steps.append(wait_change(before))
            text = caption.inner_text()
            print(f"slider step shown in {1000*np.median(steps):.0f} ms (median of 5)")
            check(text.startswith('frame 10 '), f"after 5 steps right the caption is {text!r}")
            check(image.get_attribute('src')!=src, "the picture changed")
            check('Loading widget' not in page.inner_text('body'), 'no "Loading widget..." left on the page')
            page.screenshot(path=out/'slider.png', full_page=True)

            image.screenshot(path=out/'frame.png')
            before = caption.inner_text()
            order = [e.id for e in sorted(g.events, key=lambda e: (e.timestamp, e.id))]
            page.locator('.widget-dropdown select').first.select_option(index=order.index(event.id)+1)   # after '(all objects)'
            wait_change(before)
            text = caption.inner_text()
            check(text.startswith(f"frame {event.frame} ") and event.action in text, f"after picking {event.id} the caption is {text!r}")
            page.wait_for_timeout(300)
            image.screenshot(path=out/'event_frame.png')
            page.screenshot(path=out/'event.png', full_page=True)
            painted,plain = agent_pixels(out/'event_frame.png'),agent_pixels(out/'frame.png')
            check(painted>plain+200, f"the frame carries the agent colour ({painted} pixels; {plain} before the event was picked)")
            check(page.locator('table.event-table tr[style]').count()==1, "one row of the table is highlighted")

            before = caption.inner_text()
            page.locator('.widget-play button').first.click()
            page.wait_for_timeout(2500)
            after = caption.inner_text()
            page.screenshot(path=out/'playing.png', full_page=True)
            frames = lambda s: int(s.split()[1])
            check(frames(after)>frames(before), f"Play moved from {before.split('(')[0].strip()!r} to {after.split('(')[0].strip()!r} in 2.5 s")
            browser.close()
    finally:
        server.terminate(); server.wait(10)
    port = free_port()
    server = serve(live_notebook(work, video), port, env)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={'width': 900, 'height': 1100})
            page.goto(f'http://127.0.0.1:{port}/', timeout=120_000)
            has_window = "document.querySelector('.widget-html-content') && document.querySelector('.widget-html-content').innerText.includes('latency')"
            page.wait_for_function(has_window, timeout=120_000)
            caption,image = page.locator('.widget-html-content').first,page.locator('img.widget-image').first
            first,src = caption.inner_text(),image.get_attribute('src')
            page.screenshot(path=out/'live_first.png', full_page=True)
            t = time.time()
            page.wait_for_function("t => document.querySelector('.widget-html-content').innerText!==t", arg=first, timeout=60_000)
            second = caption.inner_text()
            print(f"the live view showed a new window {time.time()-t:.1f} s after the first it showed (windows come every 8 s of video)")
            page.screenshot(path=out/'live_next.png', full_page=True)
            span = lambda s: s.split(',')[0]
            check(float(span(second).split('-')[0])>float(span(first).split('-')[0]), f"the live view moved on from {span(first)!r} to {span(second)!r}")
            check(image.get_attribute('src')!=src, "the live picture changed")
            check('Loading widget' not in page.inner_text('body'), 'no "Loading widget..." left on the live page')
            browser.close()
    finally:
        server.terminate(); server.wait(10)
    for png in out.glob('*.png'): Image.open(png).convert('RGB').quantize(256).save(png, optimize=True)   # a quarter of the bytes
    print(f"screenshots in {out}: " + ', '.join(sorted(p.name for p in out.glob('*.png'))))
    if failures: raise SystemExit(f"{len(failures)} check(s) failed")

if __name__=='__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', type=Path, default=Path('bench/results/browser_widgets'), help='folder for the screenshots')
    main(ap.parse_args().out)
