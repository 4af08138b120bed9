"""Runs in the benchmark process: what the page costs the browser under a real workload,
ours beside Bokeh's ``/status`` (issue 11, point 11).

``python -m bench.browser_load [--rounds 3] [--heap-runs 10] [--repeats 3]``, or
``python -m bench --only load``.  One JupyterLab (loopback, isolated config, as
``tests/browser/lab_driver.py`` starts it) whose notebook kernel holds one
``LocalCluster(n_workers=2, threads_per_worker=2, processes=True)`` with Bokeh's
dashboard on a free loopback port, and our dashboard shown inline on its Status
tab.  A thread in that kernel runs the LOOKS.md workload
(:func:`bench.load_kernel.workload`) each
time this process writes a flag file, and meanwhile polls the Progress model
every 50 ms, noting each new counts line with the time the model first had it.

Each page lives in a Chromium process of its own (Debian's ``/usr/bin/chromium``,
headless, a DevTools port on loopback), its viewport 1400 x 1000.  Playwright
connects only to open the notebook, then disconnects: an attached Playwright
receives every websocket frame (BROWSER.md).  During a timed run one raw
DevTools connection to the page under test enables ``Performance`` and
evaluates small scripts; nothing else is attached.

One page per run: rounds alternate (order rotated each round) between

* **ours**: Bokeh's page on ``about:blank`` (no Bokeh session), our notebook page
  in front;
* **Bokeh**: another tab put in front of our notebook page (the page reports
  itself hidden, so the kernel holds its redraws) and the page then frozen
  (``Page.setWebLifecycleState``), Bokeh's page loaded on ``/status``.

(Checked here: a page behind another tab of its headless Chromium reports
``hidden``, gets no animation frames and its timers fire about once a second;
frozen, it ran no timer at all.  Browsers do not hold back websocket messages
for hidden pages, hence the freeze.)  Each
run starts once the page under test has been under 25 % busy for a second, so
a page just shown again has redrawn what was held before the clock starts.

Per run, on the page under test:

* main-thread busy share: delta of CDP ``Performance.getMetrics`` ``TaskDuration``
  over the run's wall time (flag written to workload finished);
* frames: a ``requestAnimationFrame`` counter installed at the start, read at the
  end: frames per second over the run and the three longest gaps between frames
  (the start and end of the window count as frame edges);
* lag (ours): the page notes ``(Date.now(), text)`` whenever the counts line under
  the Progress figure changes (MutationObserver).  Each page mark is matched to
  the latest model change with that text; the page has caught up with a model
  change once it shows that change or a later one.  Lag = that time minus the
  time the model first had the change; a change the page never caught up with
  counts as a failure.  The kernel also notes the counts line its view last
  sent, which tells the kernel's share of the lag from the browser's.  A run
  of ours after a Bokeh run starts once the kernel has heard that our page
  is shown again (it holds redraws for hidden pages); how long that took is
  printed beside the run, apart from the lag under work.

* where the kernel's share went (:class:`bench.load_kernel.Trace`): when each
  delta was applied and each Progress redraw ran, how late a 20 ms sleep on the
  Client's loop woke, and how late a 5 ms sleep of a plain thread woke with the
  CPU each of the kernel's threads used meanwhile (a stall with no CPU used is
  the process left unscheduled by a busy machine, not a thread holding the
  interpreter lock).  Each run's line prints the worst; ``--dump`` keeps all.

The whole machine's CPU use and load average during each run are printed
beside it: the benchmark shares its two cores with whatever else runs.

Then ``--heap-runs`` runs in a row with our page, each followed by a forced GC
(``HeapProfiler.collectGarbage``) and ``Runtime.getHeapUsage`` (used size) and
the DOM node count (``Performance.getMetrics`` ``Nodes``).

The figures are computed in :mod:`bench.load_figures`.  Prints the medians of
the rounds, Bokeh's beside ours, against the budgets
(busy <= 40 %, >= 30 frames/s, worst gap <= 200 ms, lag <= 1 s, heap bounded)
and the command line.  Exit code 0 when every budget is met, 1 when one is
missed.  Takes about 8 minutes with the defaults on a quiet machine (13 with
the machine's two cores fully used by others).
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import math
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import stats
from .browser import metrics_dict
from .load_figures import (
    busy_share,
    comparison,
    frame_stats,
    heap_growth,
    lag_seconds,
    summarise,
    verdicts,
)

VIEWPORT = (1400, 1000)
#: Where the dashboard's top lands once scrolled to (below JupyterLab's menu and toolbars).
TOP = 100
#: Seconds our page gets after a run to show the model's last counts line.
CATCH_UP = 30.0

NOTE = (
    "Item 11 (load): the LOOKS.md workload in a JupyterLab notebook kernel (LocalCluster, 2 worker "
    "processes x 2 threads), one page per run, each in a Chromium process of its own with no "
    "automation attached: ours = the notebook with the dashboard's Status tab (Bokeh's page on "
    "about:blank), Bokeh = /status (our page behind another tab and frozen). Busy = CDP "
    "TaskDuration delta / run wall time; frames from a requestAnimationFrame counter; lag = page "
    "counts line vs the Progress model sampled every 50 ms in the kernel; heap = "
    "Runtime.getHeapUsage after HeapProfiler.collectGarbage after each of the runs in a row."
)

SETUP = (
    "import logging, threading\n"
    "from distributed import Client, LocalCluster\n"
    "import jupyter_dashmon\n"
    "from bench.load_kernel import kernel_serve\n"
    "cluster = LocalCluster(n_workers=2, threads_per_worker=2, processes=True,\n"
    "                       dashboard_address='127.0.0.1:0', silence_logs=logging.CRITICAL)\n"
    "client = Client(cluster)\n"
    "open('link.txt', 'w').write(client.dashboard_link)\n"
    "dash = client.dashboard()\n"
    "dash"
)
SERVE = (
    "threading.Thread(target=kernel_serve, args=(client, dash, 'load-runs', {repeats}),"
    " daemon=True).start()"
)

# -- page scripts ----------------------------------------------------------------

COUNTS = ".jp-NotebookPanel .dashmon-dashboard .dashmon-progress .dashmon-bars-note"

#: Starts the frame counter (and, on our page, the counts-line watcher).
INSTALL = """(() => {
    const b = {frames: [], shown: [], stopped: false, start: performance.now()};
    window.loadBench = b;
    const tick = t => { if (b.stopped) return; b.frames.push(t); requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    const counts = document.querySelector(SELECTOR);
    if (counts) {
        let last = null;
        const note = () => {
            const text = counts.textContent.trim();
            if (text !== last) { last = text; b.shown.push([Date.now(), text]); }
        };
        b.observer = new MutationObserver(note);
        b.observer.observe(counts, {characterData: true, childList: true, subtree: true});
        note();
    }
    const dash = document.querySelector('.jp-NotebookPanel .dashmon-dashboard');
    const box = dash ? dash.getBoundingClientRect() : null;
    return {visibility: document.visibilityState, counts: !!counts,
            width: innerWidth, height: innerHeight,
            dashboard: box ? [Math.round(box.top), Math.round(box.bottom)] : null};
})()"""

STOP_FRAMES = """(() => {
    const b = window.loadBench; b.stopped = true; b.stop = performance.now();
    return {frames: b.frames, start: b.start, stop: b.stop, visibility: document.visibilityState};
})()"""

COLLECT = """(() => {
    const b = window.loadBench; if (b.observer) b.observer.disconnect();
    return b.shown;
})()"""

BOKEH_READY = (
    "!!(window.Bokeh && Bokeh.documents.length > 0 && Bokeh.documents[0].roots().length >= 3)"
)


class PageSession:
    """One raw DevTools connection to one page, kept for a timed run."""

    def __init__(self, target: dict):
        import websocket  # websocket-client, a Jupyter server dependency

        self.ws = websocket.create_connection(
            target["webSocketDebuggerUrl"], timeout=120, suppress_origin=True
        )
        self.ids = itertools.count(1)

    def call(self, method: str, **params: Any) -> dict:
        ident = next(self.ids)
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == ident:
                break
        if "error" in message:
            raise RuntimeError(f"{method}: {message['error']}")
        return message["result"]

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def metrics(self) -> dict[str, float]:
        return metrics_dict(self.call("Performance.getMetrics"))

    def close(self) -> None:
        self.ws.close()

    def __enter__(self) -> PageSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Window:
    """A Chromium process of its own showing one page, driven over its DevTools port."""

    def __init__(self, home: Path, name: str):
        from .browser_soak import DevTools
        from .cluster import CHROMIUM_FLAGS, free_port

        port = free_port()
        self.name = name
        self.dir = home / f"chromium-{name}"
        self.proc = subprocess.Popen(
            [
                "/usr/bin/chromium",
                *CHROMIUM_FLAGS,
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.dir}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.devtools = DevTools(port)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.target = self.devtools.pages()[0]
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.cover: dict | None = None
        self.frozen = False

    def session(self) -> PageSession:
        return PageSession(self.target)

    def size(self, width: int, height: int) -> dict:
        """Make the page's viewport ``width`` x ``height`` (headless windows have a frame too)."""
        with self.session() as s:
            inner = s.evaluate("[innerWidth, innerHeight]")
            window = s.call("Browser.getWindowForTarget")
            bounds = window["bounds"]
            s.call(
                "Browser.setWindowBounds",
                windowId=window["windowId"],
                bounds={
                    "width": bounds["width"] + width - inner[0],
                    "height": bounds["height"] + height - inner[1],
                },
            )
            time.sleep(0.3)
            return {"width": (got := s.evaluate("[innerWidth, innerHeight]"))[0], "height": got[1]}

    def navigate(self, url: str) -> None:
        with self.session() as s:
            s.call("Page.navigate", url=url)

    def hide(self) -> None:
        """Another tab in front (the page reports itself hidden), then freeze the page."""
        self.cover = self.devtools.http("/json/new?about:blank", method="PUT")
        time.sleep(0.5)  # the visibility report leaves before the page stops
        with self.session() as s:
            s.call("Page.setWebLifecycleState", state="frozen")
        self.frozen = True

    def show(self) -> None:
        if self.frozen:
            with self.session() as s:
                s.call("Page.setWebLifecycleState", state="active")
            self.frozen = False
        if self.cover is not None:
            self.devtools.http(f"/json/close/{self.cover['id']}")
            self.cover = None

    def close(self) -> None:
        from .cluster import kill_tree

        kill_tree(self.proc.pid)
        shutil.rmtree(self.dir, ignore_errors=True)


# -- the measurement -------------------------------------------------------------


def _wait_file(folder: Path, name: str, n: int, timeout: float) -> Path:
    deadline = time.monotonic() + timeout
    while not (folder / name).exists():
        if (folder / f"error-{n}.txt").exists():
            raise RuntimeError("the workload failed:\n" + (folder / f"error-{n}.txt").read_text())
        if time.monotonic() > deadline:
            raise TimeoutError(f"the kernel did not write {name} within {timeout:.0f} s")
        time.sleep(0.02)
    return folder / name


def _settle(s: PageSession, quiet: float = 0.25, timeout: float = 30.0) -> float:
    """Wait until the page's main thread was busy under ``quiet`` over one second.

    A page just shown again redraws what was held while it was hidden; a run
    must not start inside that catch-up.  Returns the seconds waited.
    """
    start = time.monotonic()
    last = s.metrics()
    while time.monotonic() - start < timeout:
        time.sleep(1.0)
        now = s.metrics()
        if busy_share(last, now, 1.0) < quiet:
            break
        last = now
    return time.monotonic() - start


class Bench:
    """The lab, the two windows and the kernel's run counter for one benchmark."""

    def __init__(
        self, root: Path, ours: Window, bokeh: Window, link: str, shots: Path | None = None
    ):
        self.root, self.ours, self.bokeh, self.link = root, ours, bokeh, link
        self.n = 0
        self.shots = shots

    def run(self, window: Window, lag: bool, timeout: float = 300.0) -> dict:
        """One workload run timed on ``window``'s page."""
        from .cluster import machine_cpu, wait_quiet

        n, self.n = self.n, self.n + 1
        with window.session() as s:
            s.call("Performance.enable")
            settled = _settle(s)
            wait_quiet()
            page = s.evaluate(INSTALL.replace("SELECTOR", json.dumps(COUNTS)))
            before, t0, cpu0 = s.metrics(), time.perf_counter(), machine_cpu()
            (self.root / f"go-{n}").write_text("1")
            _wait_file(self.root, f"ended-{n}", n, timeout)
            after, t1, cpu1 = s.metrics(), time.perf_counter(), machine_cpu()
            frames = s.evaluate(STOP_FRAMES)
            if self.shots is not None and not (self.shots / f"{window.name}.png").exists():
                # After the clock stopped: the page as the run left it, to check by eye.
                png = s.call("Page.captureScreenshot", format="png")["data"]
                (self.shots / f"{window.name}.png").write_bytes(base64.b64decode(png))
            done = json.loads(_wait_file(self.root, f"done-{n}.json", n, 30).read_text())
            if lag:
                # A page that fell behind gets time to catch up, so its lag is measured,
                # not cut off at the end of the run.
                last = json.dumps(done["model"][-1][1]) if done["model"] else "null"
                deadline = time.monotonic() + CATCH_UP
                while time.monotonic() < deadline and not s.evaluate(
                    f"(window.loadBench.shown.at(-1) || [])[1] === {last}"
                ):
                    time.sleep(0.1)
            shown = s.evaluate(COLLECT) if lag else []
        out = {
            "seconds": t1 - t0,
            "busy": busy_share(before, after, t1 - t0),
            "settled": settled,
            "visibility": [page["visibility"], frames["visibility"]],
            "viewport": [page["width"], page["height"]],
            "dashboard": page["dashboard"],
            "nodes": after.get("Nodes", math.nan),
            # Other engineers share these 2 cores: say how busy the whole machine was.
            "machine": (cpu1 - cpu0) / ((t1 - t0) * (os.cpu_count() or 1)),
            "load": os.getloadavg()[0],
            **frame_stats(frames["frames"], frames["start"], frames["stop"]),
        }
        if lag:
            if not page["counts"]:
                raise RuntimeError(f"no {COUNTS} on our page")
            model = [(t, text) for t, text in done["model"]]
            out["lag"] = lag_seconds(model, [(t, text) for t, text in shown])
            # The kernel's share: from the model to the view's text, before any message.
            out["kernel_lag"] = lag_seconds(model, [(t * 1000, x) for t, x in done["view"]])
            # Raw marks, for --dump: where along the path the time went.
            out["marks"] = {"model": model, "view": done["view"], "page": shown}
            out["trace"] = trace = done.get("trace", {})
            out["stalls"] = stall_summary(trace)
        return out

    def ours_run(self) -> dict:
        self.bokeh.navigate("about:blank")
        heard = None
        if self.ours.frozen:
            self.ours.show()
            heard = self._kernel_hears_visible(time.time())
        out = self.run(self.ours, lag=True)
        # Seconds from showing the page again to the kernel drawing for it: a
        # catch-up, kept apart from the lag under work that the runs measure.
        out["heard_visible"] = heard
        return out

    def _kernel_hears_visible(self, since: float, timeout: float = 30.0) -> float:
        """Seconds until the kernel knows a page shows its dashboards, from ``since``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                state, at = (self.root / "seen").read_text().split()
            except (FileNotFoundError, ValueError):
                state, at = "", "0"
            if state == "True":
                return max(float(at) - since, 0.0)
            time.sleep(0.05)
        raise TimeoutError(f"the kernel did not hear the page was shown within {timeout:.0f} s")

    def bokeh_run(self) -> dict:
        if not self.ours.frozen:
            self.ours.hide()
        self.bokeh.navigate(self.link)
        with self.bokeh.session() as s:
            deadline = time.monotonic() + 60
            while not s.evaluate(BOKEH_READY):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"Bokeh's page {self.link} did not render")
                time.sleep(0.2)
        time.sleep(1.5)  # first data pushed and drawn
        return self.run(self.bokeh, lag=False)

    def heap(self) -> dict:
        with self.ours.session() as s:
            s.call("Performance.enable")
            s.call("HeapProfiler.collectGarbage")
            used = s.call("Runtime.getHeapUsage")["usedSize"]
            nodes = s.metrics().get("Nodes", math.nan)
        return {"heap": used, "nodes": nodes}


def _open_notebook(ld: Any, lab: Any, window: Window, repeats: int) -> None:
    """With Playwright over CDP: run the notebook until the counts line shows; then detach."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.connect_over_cdp(window.devtools.base)
        page = browser.contexts[0].pages[0]
        ld.open_and_run(page, lab, [SETUP, SERVE.format(repeats=repeats)], wait_ms=180_000)
        page.wait_for_selector(COUNTS, timeout=60_000)
        # The dashboard's top at the top of the notebook's view, as a user would scroll
        # to it; Run All leaves the last cell active, and JupyterLab keeps an active
        # cell in view, so the dashboard's cell is made the active one first.
        page.evaluate(
            "() => { const nb = window.jupyterapp.shell.currentWidget.content;"
            " nb.mode = 'command'; nb.activeCellIndex = 0; }"
        )
        dashboard = page.locator(".jp-NotebookPanel .dashmon-dashboard").first
        for _ in range(10):
            dashboard.evaluate("el => el.scrollIntoView({block: 'start'})")
            time.sleep(1.0)
            if abs(dashboard.evaluate("el => el.getBoundingClientRect().top") - TOP) < 40:
                break
        browser.close()  # disconnects; Chromium and the page stay
    window.target = next(t for t in window.devtools.pages() if "/lab/tree/" in t.get("url", ""))


def measure(
    rounds: int = 3,
    heap_runs: int = 10,
    repeats: int = 3,
    shots: Path | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    from .browser import _driver

    ld = _driver("the load benchmark")
    home = Path(tempfile.mkdtemp(prefix="dashmon-load-home-"))
    root = Path(tempfile.mkdtemp(prefix="dashmon-load-nb-"))
    # Flag files in a folder of their own: the file browser beside the notebook shows
    # one folder, not a list growing with every run.
    flags = root / "load-runs"
    flags.mkdir()
    out: dict = {"rounds": rounds, "repeats": repeats}
    with ld.lab_server(home, root) as lab:
        ours = Window(home, "ours")
        bokeh = Window(home, "bokeh")
        try:
            log("  opening the notebook")
            ours.size(*VIEWPORT)
            _open_notebook(ld, lab, ours, repeats)
            out["viewport_ours"] = ours.size(*VIEWPORT)
            out["viewport_bokeh"] = bokeh.size(*VIEWPORT)
            log(f"  viewports: ours {out['viewport_ours']}, Bokeh {out['viewport_bokeh']}")
            link = _wait_file(root, "link.txt", -1, 30).read_text().strip()
            if shots is not None:
                shots.mkdir(parents=True, exist_ok=True)
            bench = Bench(flags, ours, bokeh, link, shots)
            log("  warm-up run (not counted)")
            bench.ours_run()
            runs: dict[str, list[dict]] = {"ours": [], "bokeh": []}
            for r, order in enumerate(stats.rotated_orders(["ours", "bokeh"], rounds)):
                for side in order:
                    got = bench.ours_run() if side == "ours" else bench.bokeh_run()
                    runs[side].append(got)
                    log(f"  round {r + 1} {side:5s} {_line(got)}")
            out["runs"] = runs
            heaps = []
            for i in range(heap_runs):
                got = bench.ours_run()
                got.update(bench.heap())
                heaps.append(got)
                log(f"  heap run {i + 1:2d} {_line(got)} heap {got['heap'] / 2**20:.1f} MiB")
            out["heap_runs"] = heaps
        finally:
            (flags / "stop").write_text("1")
            ours.close()
            bokeh.close()
    # Kept after a failure (the lab's log is in ``home``); nothing worth keeping now.
    shutil.rmtree(home, ignore_errors=True)
    shutil.rmtree(root, ignore_errors=True)
    out["ours"] = summarise(runs["ours"])
    out["bokeh"] = summarise(runs["bokeh"])
    out["heap"] = heap_growth([h["heap"] for h in heaps]) if heaps else None
    return out


def _line(run: dict) -> str:
    lag = run.get("lag")
    shown = [x for x in lag or [] if x is not None]
    text = (
        f"{run['seconds']:5.1f} s busy {run['busy']:.0%} fps {run['fps']:5.1f} "
        f"gaps {', '.join(f'{g:.0f}' for g in run['gaps_ms'])} ms "
        f"visibility {'/'.join(run['visibility'])} machine {run['machine']:.0%} "
        f"load {run['load']:.1f} settled {run['settled']:.0f} s"
    )
    if run.get("dashboard"):
        text += f" dashboard y {run['dashboard'][0]}..{run['dashboard'][1]}"
    if lag is not None:
        text += f" lag max {max(shown, default=math.nan):.2f} s ({len(lag) - len(shown)} unseen)"
        kernel = [x for x in run.get("kernel_lag", []) if x is not None]
        text += f", of it in the kernel max {max(kernel, default=math.nan):.2f} s"
    if run.get("heard_visible") is not None:
        text += f"; shown again, the kernel heard it after {run['heard_visible']:.2f} s"
    if run.get("stalls"):
        st = run["stalls"]
        text += (
            f"; kernel stalls: loop max {st['loop_max']:.2f} s, lock max {st['lock_max']:.2f} s"
            f" while its threads ran {st['lock_cpu']:.2f} CPU-s"
        )
    return text


def stall_summary(trace: dict) -> dict:
    """The kernel's worst stalls in one run: the Client's loop waking late, and a
    plain thread waiting for the interpreter lock, with the CPU seconds the
    kernel's threads used meanwhile (near 0: the process was not scheduled at
    all; near the stall: one of its threads held the lock)."""
    loop = [late for _, late in trace.get("loop", [])]
    lock = max(trace.get("gil", []), key=lambda e: e[1], default=None)
    return {
        "loop_max": max(loop, default=0.0),
        "lock_max": lock[1] if lock else 0.0,
        "lock_cpu": sum(lock[2].values()) if lock else 0.0,
        "updates": len(trace.get("update", [])),
    }


def passed(m: dict) -> bool:
    return all(met for _, met in verdicts(m["ours"], m.get("heap")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.browser_load", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--rounds", type=int, default=3, help="runs per page, alternating")
    parser.add_argument("--heap-runs", type=int, default=10, help="runs in a row for the heap")
    parser.add_argument("--repeats", type=int, default=3, help="array computations per run")
    parser.add_argument("--shots", type=Path, help="save each page as its first run left it here")
    parser.add_argument(
        "--dump", type=Path, help="write every run (with the kernel's timestamps) here as JSON"
    )
    args = parser.parse_args(argv)
    command = "python -m bench.browser_load " + shlex.join(
        argv if argv is not None else sys.argv[1:]
    )
    m = measure(
        args.rounds,
        args.heap_runs,
        args.repeats,
        args.shots,
        log=lambda s: print(s, file=sys.stderr, flush=True),
    )
    if args.dump is not None:
        args.dump.write_text(json.dumps(m, default=str))
    print(comparison(m["ours"], m["bokeh"], m["heap"], m["heap_runs"]))
    print(f"command: {command.strip()}")
    return 0 if passed(m) else 1


if __name__ == "__main__":
    sys.exit(main())
