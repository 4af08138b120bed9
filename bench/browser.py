"""Runs in the benchmark process: items 5b, 7a and 7b in a real JupyterLab in Chromium.

One JupyterLab (loopback, isolated config, as ``tests/browser/lab_driver.py``
starts it) and Debian's ``/usr/bin/chromium`` driven by Playwright (never
``playwright install``).  One notebook displays the dashboard of a two-worker
LocalCluster; its later cells wait for flag files that this process writes in
the notebook folder, so each measurement starts when the page is ready for it:

* **5b, worker stop -> page**: a trickle of real tasks (one every 0.3 s, each
  sleeping 0.05 s) with the listener at its default interval.  The page
  stamps ``Date.now()`` whenever the task-stream title's count ("last N
  tasks") changes; the kernel writes the stream's records (in stream order)
  when done.  Record ``i`` is on the page at the first stamp whose count is
  ``>= i + 1``; latency is that stamp minus the record's ``stop`` (the
  worker's clock; same machine, so the clocks agree).
* **7a, one Status task-stream update of 1000 rectangles**: the listener is
  stopped, then per repetition the kernel replaces ``dash.model.tasks`` by 1000
  fresh synthetic records in one go (appended to the task store as a new
  stream generation, as after a quiet gap, so the view redraws all of them;
  the thread count alternates 8/9 so the title text changes).  In
  lock-step: this process arms a one-shot MutationObserver on the figure's
  title, reads CDP ``Performance.getMetrics`` ("before"), writes the flag, the
  page resolves two animation frames after the title changed, and metrics are
  read again ("after").  The headline figure is the delta of ScriptDuration +
  LayoutDuration + RecalcStyleDuration (renderer main-thread work for the
  whole update: every widget message, not only the title's); the wall time
  from the title mutation to the second frame is reported beside it.
* **7b, 100,000 tasks on the Tasks page**: 100,000 synthetic records put in
  ``dash.model.history`` (as the browser test does); per repetition, from the
  click on the Tasks tab to two frames after the title reads "100,000
  retained" (``performance.now()`` in the page; a tab's content is attached
  only while shown, so every click renders it afresh); then frame intervals
  while dragging across the plot (pan).

Playwright stays attached during the timed windows (it is needed for the CDP
metrics); that costs the browser process, not the renderer main thread that
7a measures.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import stats
from .report import Row

REPO = Path(__file__).resolve().parents[1]
METRICS = ("ScriptDuration", "LayoutDuration", "RecalcStyleDuration")


NOTE = (
    "Browser items (5b, 7a, 7b): JupyterLab in Debian's Chromium (headless, Playwright attached). "
    "7a = renderer main-thread work (CDP Performance.getMetrics ScriptDuration + LayoutDuration + "
    "RecalcStyleDuration delta) from just before the kernel replaces dash.model.tasks with 1000 "
    "fresh records (listener stopped, generation bumped: a full redraw) to two animation frames "
    "after the task-stream title changed; the wall time from the title mutation to the 2nd frame "
    "is shown beside it. "
    "7b = performance.now() from the Tasks-tab click to 2 frames after '100,000 retained' shows. "
    "5b = first Date.now() at which the task-stream title's count included a task, minus its "
    "record's stop, "
    "30 tasks one every 0.3 s."
)


# -- pure helpers (tested in tests/bench/test_bench_browser.py) ----------------


def match_stops(stops: Sequence[float], marks: Sequence[tuple[float, int]]) -> list[float | None]:
    """Seconds from each record's ``stop`` to the first page mark that shows it.

    ``stops[i]`` is the stop (seconds since the epoch) of the stream's record
    ``i`` (stream order); ``marks`` are ``(page_time_ms, count)`` pairs, in
    time order, taken whenever the title's count changed.  Record ``i`` is
    shown from the first mark whose count is at least ``i + 1``; ``None`` when
    no mark ever showed it.
    """
    out: list[float | None] = []
    ordered = sorted(marks)
    for i, stop in enumerate(stops):
        seen = next((t for t, n in ordered if n >= i + 1), None)
        out.append(None if seen is None else seen / 1000.0 - stop)
    return out


def metric_delta(
    before: dict[str, float], after: dict[str, float], names: Sequence[str] = METRICS
) -> float:
    """Milliseconds of main-thread work between two ``Performance.getMetrics`` reads."""
    return sum(after.get(n, 0.0) - before.get(n, 0.0) for n in names) * 1e3


def metrics_dict(response: dict) -> dict[str, float]:
    """``{name: value}`` from a CDP ``Performance.getMetrics`` answer."""
    return {m["name"]: float(m["value"]) for m in response.get("metrics", [])}


def summary(values: Sequence[float]) -> tuple[float, float]:
    """``(median, p95)`` of the finite values (NaN when there are none)."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return stats.median(finite), stats.p95(finite)


# -- the notebook ---------------------------------------------------------------

# The first cell, before lab_driver.DASHBOARD_CELL: later cells wait for flag files.
GATE = (
    "import pathlib, time\n"
    "import numpy as np\n"
    "def gate(name, timeout=300):\n"
    "    deadline = time.time() + timeout\n"
    "    while not pathlib.Path(name).exists():\n"
    "        if time.time() > deadline: raise TimeoutError(name)\n"
    "        time.sleep(0.01)\n"
)

TRICKLE = (
    "gate('go-5b')\n"
    "def nap(x):\n    time.sleep(0.05)\n    return x\n"
    "futures = []\n"
    "for i in range({n}):\n"
    "    futures.append(client.submit(nap, i, key=f'trickle-{{i}}'))\n"
    "    time.sleep({gap})\n"
    "client.gather(futures)\n"
    "time.sleep(1.5)\n"
    "t = dash.model.tasks\n"
    "pathlib.Path('out-5b.json').write_text(json.dumps({{'interval': dash.options.interval,\n"
    "    'generation': t.generation, 'received': dash.model.history.history.count - t.start,\n"
    "    'records': [[r['key'], r['action'], r['stop']] for r in t.records]}}))"
)

UPDATES = (
    "dash.listener.stop_soon()\n"
    "time.sleep(0.5)\n"
    "t = dash.model.tasks\n"
    "def synthetic(n, threads, now):\n"
    "    dur = 0.001 + np.random.default_rng(int(now)).random(n) * 0.01\n"
    "    clock = np.full(threads, now - 2.0); recs = []\n"
    "    for i in range(n):\n"
    "        j = i % threads; s = float(clock[j]); clock[j] += dur[i] + 0.0002\n"
    "        recs.append({{'key': f'upd-{{now}}-{{i}}', 'prefix': 'upd',"
    " 'worker': f'tcp://10.0.0.{{j // 2}}:1',\n"
    "                     'thread': j % 2, 'start': s, 'stop': s + float(dur[i]),\n"
    "                     'action': 'compute', 'status': 'OK'}})\n"
    "    return recs\n"
    "pathlib.Path('ready-7a').write_text('1')\n"
    "for rep in range({reps}):\n"
    "    recs = synthetic(1000, 8 + rep % 2, time.time())\n"
    "    gate(f'go-7a-{{rep}}')\n"
    "    t.records = recs  # appended to the store as a new stream generation\n"
    # The stream's intake runs a refresh that comes too soon on a timer of this
    # thread's event loop, which this cell blocks until it ends: the next update
    # must find the intake due, or the page never sees it (session 15's hang).
    "    time.sleep(0.6)\n"
    "held = synthetic(1000, 8, time.time())\n"
    "t.records = held\n"
    "time.sleep(0.6)\n"
    "from jupyter_dashmon.aggregate.task_windows import append_tasks\n"
    "from jupyter_dashmon.collect.packing import pack_tasks\n"
    "pathlib.Path('ready-7c').write_text('1')\n"
    "for rep in range({reps}):\n"
    "    gate(f'go-7c-{{rep}}')\n"
    "    new = synthetic(50, 8, t.now + 0.05)\n"
    "    fields = ('key', 'prefix', 'worker', 'thread', 'start', 'stop')\n"
    "    columns = {{f: [r[f] for r in new] for f in fields}}\n"
    "    columns['code'] = [0] * len(new)\n"
    "    append_tasks(dash.model.history, t, pack_tasks(columns), max(r['stop'] for r in new))\n"
    "    time.sleep(0.6)"
)

HISTORY = (
    "n, threads = {n}, 8\n"
    "rng = np.random.default_rng(0)\n"
    "dur = 0.001 + rng.random(n) * 0.01\n"
    "start = np.empty(n); clock = np.full(threads, time.time() - 3600)\n"
    "for i in range(n):\n"
    "    start[i] = clock[i % threads]; clock[i % threads] += dur[i] + 0.0002\n"
    "columns = {{'key': [f'syn-{{i:032x}}' for i in range(n)], 'prefix': ['syn'] * n,\n"
    "           'worker': [f'tcp://10.0.0.{{i % threads // 2}}:1' for i in range(n)],\n"
    "           'thread': [i % 2 for i in range(n)], 'start': start.tolist(),\n"
    "           'stop': (start + dur).tolist(), 'code': [0] * n}}\n"
    # Forgets the stream's threads with the records (a bare history.clear() left
    # them pointing past the new store's threads).
    "from jupyter_dashmon.aggregate.task_windows import reset_store\n"
    "reset_store(dash.model.history, dash.model.tasks)\n"
    "dash.model.history.history.append_columns(columns)\n"
    "dash.model.history.revision += 1\n"
    "pathlib.Path('ready-7b').write_text('1')"
)

DASHBOARD = ".jp-NotebookPanel .dashmon-dashboard"

# -- page scripts ---------------------------------------------------------------

# Task figures are canvases (js/src/stream.ts) whose title is a text element.
TITLE = """() => [...document.querySelectorAll('.dashmon-dashboard .dashmon-stream-title')]
    .find(t => t.textContent.startsWith('Task Stream'))"""

WATCH_COUNT = """() => {
    window.dashmonCounts = [];
    const fig = (TITLE_FN)().closest('.dashmon-stream');
    let last = -1;
    const check = () => {
        const title = (TITLE_FN)();
        const m = title ? /last ([\\d,]+) tasks/.exec(title.textContent) : null;
        const n = m ? parseInt(m[1].replace(/,/g, ''), 10) : 0;
        if (n !== last) { last = n; window.dashmonCounts.push([Date.now(), n]); }
    };
    new MutationObserver(check).observe(fig, {characterData: true, childList: true, subtree: true});
    check();
    return true;
}""".replace("TITLE_FN", TITLE)

ARM_UPDATE = """() => {
    const title = (TITLE_FN)();
    const before = title.textContent;
    window.dashmonDone = new Promise(resolve => {
        const obs = new MutationObserver(() => {
            const now = (TITLE_FN)();
            if (!now || now.textContent === before) return;
            const seen = performance.now();
            obs.disconnect();
            requestAnimationFrame(() => requestAnimationFrame(() =>
                resolve({seen, drawn: performance.now(), title: now.textContent,
                         rects: Number(now.closest('.dashmon-stream').dataset.rects)})));
        });
        // Attributes too: a live update of a full stream may change no text,
        // only where the canvas places its tick labels.
        obs.observe(title.closest('.dashmon-stream'),
            {characterData: true, childList: true, subtree: true, attributes: true});
    });
    return before;
}""".replace("TITLE_FN", TITLE)

#: The armed update, or null when the page showed no change within 15 s (a
#: live update whose records moved nothing on the stream): the bench goes on.
AWAIT_UPDATE = (
    "() => Promise.race([window.dashmonDone, new Promise(r => setTimeout(() => r(null), 15000))])"
)

# A live update of a full stream does not change the title; the axis ticks move.
ARM_ANY = ARM_UPDATE.replace("if (!now || now.textContent === before) return;", "if (!now) return;")

TWO_FRAMES = (
    "() => new Promise(r => requestAnimationFrame(() => "
    "requestAnimationFrame(() => r(performance.now()))))"
)

RETAINED = """() => [...document.querySelectorAll('.dashmon-dashboard .dashmon-stream-title')]
    .some(t => t.textContent.includes('100,000 retained'))"""

FRAMES = """() => { window.dashmonFrames = []; let last = performance.now();
    const tick = now => { window.dashmonFrames.push(now - last); last = now;
        if (window.dashmonFrames.length < 120) requestAnimationFrame(tick); };
    requestAnimationFrame(tick); }"""


# -- the measurement ------------------------------------------------------------


def _driver(what: str = "the browser step") -> Any:
    """``tests/browser/lab_driver.py``, once Chromium and Playwright are known present."""
    folder = str(REPO / "tests" / "browser")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import lab_driver

    reason = lab_driver.missing_browser_reason()
    if reason is not None:
        raise RuntimeError(f"{what} needs Chromium: {reason}")
    return lab_driver


#: The text of every error a cell of the open notebook printed.
CELL_ERRORS = """() => [...document.querySelectorAll(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
    .map(e => e.textContent).join('\\n')"""


def _wait_file(path: Path, timeout: float, page: Any = None) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            shown = page.evaluate(CELL_ERRORS)[-2000:] if page is not None else ""
            raise TimeoutError(
                f"the notebook did not write {path.name} within {timeout} s"
                + (f"; the cells printed:\n{shown}" if shown else "")
            )
        time.sleep(0.05)


def measure(
    trickle: int = 30,
    gap: float = 0.3,
    updates: int = 15,
    renders: int = 5,
    history: int = 100_000,
    log: Callable[[str], None] = print,
) -> dict:
    ld = _driver()
    from playwright.sync_api import sync_playwright

    home = Path(tempfile.mkdtemp(prefix="dashmon-bench-home-"))
    root = Path(tempfile.mkdtemp(prefix="dashmon-bench-nb-"))
    out: dict = {"trickle": trickle, "updates": updates, "renders": renders, "history": history}
    with ld.lab_server(home, root) as lab, sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(home / "chromium"),
            executable_path=ld.CHROMIUM,
            headless=True,
            args=ld.CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            page = ctx.new_page()
            cells = [
                GATE,
                ld.DASHBOARD_CELL,
                TRICKLE.format(n=trickle, gap=gap),
                UPDATES.format(reps=updates),
                HISTORY.format(n=history),
            ]
            ld.open_and_run(page, lab, cells, wait_ms=None)
            try:
                page.wait_for_function(f"() => !!({TITLE})()", timeout=120_000)
            except Exception as exc:
                raise RuntimeError(
                    "The dashboard never drew its task stream in JupyterLab (120 s). "
                    "Is the jupyter_dashmon labextension installed here? An editable "
                    "install puts none in share/jupyter/labextensions: `pip install .`, "
                    f"or set {ld.LOCAL_LABEXTENSION}=jupyter_dashmon/labextension "
                    "after `cd js && npm run build`."
                ) from exc
            out["visibility"] = page.evaluate("() => document.visibilityState")
            time.sleep(2.0)  # the listener's first polls

            log(f"  [5b] {trickle} tasks, one every {gap} s")
            page.evaluate(WATCH_COUNT)
            (root / "go-5b").write_text("1")
            _wait_file(root / "out-5b.json", timeout=60 + trickle * gap, page=page)
            kern = json.loads((root / "out-5b.json").read_text())
            marks = [(t, n) for t, n in page.evaluate("() => window.dashmonCounts")]
            out.update(interval=kern["interval"], generation=kern["generation"])
            records = kern["records"]
            lat = match_stops([r[2] for r in records], marks)
            out["latency"] = [
                x for r, x in zip(records, lat) if r[1] == "compute" and r[0].startswith("trickle-")
            ]

            log(f"  [7a] {updates} updates of 1000 task rectangles")
            _wait_file(root / "ready-7a", timeout=30, page=page)
            # The canvas draws only while on screen (JupyterLab scrolls to the
            # running cell): bring the stream into view, or nothing is drawn.
            page.locator(f"{DASHBOARD} .dashmon-stream[data-title^='Task Stream']").first.evaluate(
                "el => el.scrollIntoView({block: 'center'})"
            )
            time.sleep(0.5)
            cdp = ctx.new_cdp_session(page)
            cdp.send("Performance.enable")
            work, wall, window, idle, parts, painted = [], [], [], [], [], []
            for rep in range(updates):
                quiet = metrics_dict(cdp.send("Performance.getMetrics"))
                time.sleep(0.5)
                page.evaluate(ARM_UPDATE)
                t0 = time.perf_counter()
                before = metrics_dict(cdp.send("Performance.getMetrics"))
                idle.append(metric_delta(quiet, before) / 0.5)  # ms of work per second, no update
                (root / f"go-7a-{rep}").write_text("1")
                done = page.evaluate(AWAIT_UPDATE)
                after = metrics_dict(cdp.send("Performance.getMetrics"))
                if done is None:
                    log(f"  [7a] update {rep}: no change on the page within 15 s, left out")
                    continue
                window.append((time.perf_counter() - t0) * 1e3)
                work.append(metric_delta(before, after))
                parts.append(
                    {n: metric_delta(before, after, (n,)) for n in METRICS + ("TaskDuration",)}
                )
                wall.append(done["drawn"] - done["seen"])
                painted.append(done["rects"])
            out["update_work_ms"], out["update_wall_ms"] = work, wall
            out["update_rects"] = painted  # rectangles the canvas had painted by then
            out["update_window_ms"], out["idle_work_ms_per_s"] = window, idle
            out["update_parts_ms"] = (
                {n: stats.median([p[n] for p in parts]) for n in parts[0]} if parts else {}
            )

            log(f"  [7a] {updates} live updates of 50 new records on a 1000-rectangle stream")
            _wait_file(root / "ready-7c", timeout=30, page=page)
            time.sleep(1.0)
            live_work, live_wall = [], []
            for rep in range(updates):
                time.sleep(0.3)
                page.evaluate(ARM_ANY)
                before = metrics_dict(cdp.send("Performance.getMetrics"))
                (root / f"go-7c-{rep}").write_text("1")
                done = page.evaluate(AWAIT_UPDATE)
                after = metrics_dict(cdp.send("Performance.getMetrics"))
                if done is None:
                    log(f"  [7a] live update {rep}: no change on the page within 15 s, left out")
                    continue
                live_work.append(metric_delta(before, after))
                live_wall.append(done["drawn"] - done["seen"])
            out["live_work_ms"], out["live_wall_ms"] = live_work, live_wall

            log(f"  [7b] {history:,} tasks on the Tasks page, {renders} renders, then a pan")
            _wait_file(root / "ready-7b", timeout=120, page=page)
            tabs = page.locator(f"{DASHBOARD} .lm-TabBar-tab")
            render = []
            for _ in range(renders):
                tabs.filter(has_text="Status").click()
                page.wait_for_function(f"() => !({RETAINED})()", timeout=30_000)
                time.sleep(0.5)
                started = page.evaluate("() => performance.now()")
                tabs.filter(has_text="Tasks").click()
                page.wait_for_function(RETAINED, timeout=30_000, polling="raf")
                render.append(page.evaluate(TWO_FRAMES) - started)
            out["render_ms"] = render
            tasks = page.locator(f"{DASHBOARD} .dashmon-stream[data-title^='Tasks']").first
            box = tasks.bounding_box()
            # Dragging pans once the page's Pan/zoom is on (off, the wheel scrolls the page).
            page.locator(f"{DASHBOARD} button:visible", has_text="Pan/zoom").first.click()
            page.evaluate(FRAMES)
            ld.pan_left(page, box)
            page.wait_for_function(
                """() => [...document.querySelectorAll('.dashmon-dashboard .widget-label')]
                    .some(l => l.textContent.includes('fixed window'))""",
                timeout=20_000,
            )
            page.wait_for_function("() => window.dashmonFrames.length >= 120", timeout=20_000)
            out["pan_frames_ms"] = page.evaluate("() => window.dashmonFrames")
        finally:
            ctx.close()
    return out


def rows(m: dict) -> list[Row]:
    lat_ms = [x * 1e3 for x in m["latency"] if x is not None]
    missing = sum(1 for x in m["latency"] if x is None)
    l_med, l_p95 = summary(lat_ms)
    w_med, w_p95 = summary(m["update_work_ms"])
    d_med, d_p95 = summary(m["update_wall_ms"])
    r_med, r_p95 = summary(m["render_ms"])
    f_med, f_p95 = summary(m["pan_frames_ms"])
    n_up = len(m["update_work_ms"])
    parts = ", ".join(
        f"{k.replace('Duration', '')} {v:.0f}" for k, v in m.get("update_parts_ms", {}).items()
    )
    idle = stats.median(m.get("idle_work_ms_per_s", []))
    v_med, v_p95 = summary(m["live_work_ms"])
    lw_med, _ = summary(m["live_wall_ms"])
    return [
        Row(
            "5b",
            "latency worker stop -> page, median",
            l_med,
            "ms",
            "",
            None,
            f"{len(lat_ms)} of {m['trickle']} tasks matched, {missing} never shown; "
            f"interval {m['interval'] * 1e3:.0f} ms",
        ),
        Row("5b", "latency worker stop -> page, p95", l_p95, "ms", "<= 300 ms", l_p95 <= 300),
        Row(
            "7a",
            "live update of a 1000-rectangle stream (50 new), main-thread work, median",
            v_med,
            "ms",
            "16 ms",
            v_med <= 16,
            f"CDP Script+Layout+RecalcStyle delta; p95 {v_p95:.1f} ms over "
            f"{len(m['live_work_ms'])} updates; mutation -> 2nd frame median {lw_med:.1f} ms",
        ),
        Row(
            "7a",
            "full redraw of 1000 rectangles (stream restart), main-thread work, median",
            w_med,
            "ms",
            "",
            None,
            f"CDP Script+Layout+RecalcStyle delta; p95 {w_p95:.1f} ms over {n_up} updates; "
            f"median parts {parts}; idle page {idle:.1f} ms/s",
        ),
        Row(
            "7a",
            "1000-rectangle update, title change -> 2nd frame, median",
            d_med,
            "ms",
            "",
            None,
            f"p95 {d_p95:.1f} ms (wall, from the title mutation only)",
        ),
        Row(
            "7b",
            "100,000 tasks: Tasks tab click -> drawn, median",
            r_med / 1e3,
            "s",
            "1 s",
            r_med <= 1000,
            f"p95 {r_p95 / 1e3:.2f} s over {len(m['render_ms'])} renders",
        ),
        Row("7b", "pan frame interval, median", f_med, "ms", "", None, f"p95 {f_p95:.1f} ms"),
    ]


if __name__ == "__main__":
    from .report import table

    result = measure(log=lambda s: print(s, file=sys.stderr, flush=True))
    print(json.dumps({k: v for k, v in result.items() if k != "pan_frames_ms"}, default=str))
    print(table(rows(result)))
