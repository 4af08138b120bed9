"""Runs in the benchmark process: a dashboard page left open and updating, visible then hidden.

``python -m bench.browser_soak [--minutes 10]`` starts a real JupyterLab on
loopback and Debian's Chromium as a process of its own with a DevTools port
on loopback (BROWSER.md, "Measuring what a page costs").  Playwright connects
over CDP only to open the notebook and run it (a Client keeping a trickle of
tasks going, so the dashboard keeps updating), then disconnects: with an
automation attached, headless Chromium reports every page as visible.

Every ``--every`` seconds a short raw DevTools connection to the dashboard's
page alone forces a garbage collection (``HeapProfiler.collectGarbage``),
reads the JS heap (``Runtime.getHeapUsage``), the DOM size, how many
batches of DOM changes the dashboard had since the last sample, and
``document.visibilityState``, then closes.  Phases: the page visible for the
first half; hidden for the second half (a new tab opened in front of it
through the DevTools HTTP endpoint); then shown again for one last sample
(that tab closed).  It prints the samples and appends them to
``bench/SOAK.md``.  Run by hand; not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from .browser import _driver
from .cluster import CHROMIUM_FLAGS, free_port, kill_tree

TRICKLE = (
    "def nap(x):\n    time.sleep(0.02)\n    return x\n"
    "running = True\n"
    "def trickle():\n"
    "    i = 0\n"
    "    while running:\n"
    "        client.gather(client.map(nap, range(i, i + 20), pure=False))\n"
    "        i += 20\n"
    "        time.sleep(0.5)\n"
    "threading.Thread(target=trickle, daemon=True).start()"
)

# Installed once the page is ready: counts batches of DOM changes in the
# dashboard (each is part of a drawn update), so a sample says whether the
# page kept drawing.
WATCH = """() => {
    const dashboard = document.querySelector('.jp-NotebookPanel .dashmon-dashboard');
    window.dashmonDrawn = 0;
    new MutationObserver(() => { window.dashmonDrawn += 1; }).observe(dashboard,
        {attributes: true, characterData: true, childList: true, subtree: true});
    return true;
}"""
PROBE = """(() => {
    const drawn = window.dashmonDrawn;
    window.dashmonDrawn = 0;
    return {visibility: document.visibilityState, drawn: drawn,
            nodes: document.getElementsByTagName('*').length};
})()"""


class DevTools:
    """Chromium's DevTools endpoint on loopback: list, open and close tabs, talk to one."""

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self._ids = itertools.count(1)

    def http(self, path: str, method: str = "GET") -> Any:
        request = urllib.request.Request(self.base + path, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        try:
            return json.loads(body)
        except ValueError:
            return body.decode()

    def pages(self) -> list[dict]:
        return [t for t in self.http("/json/list") if t.get("type") == "page"]

    def session(self, target: dict, commands: list[tuple[str, dict]]) -> list[dict]:
        """Connect to one page only, send ``commands`` in order, disconnect; the results."""
        import websocket  # websocket-client, a Jupyter server dependency

        ws = websocket.create_connection(
            target["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        try:
            out = []
            for method, params in commands:
                ident = next(self._ids)
                ws.send(json.dumps({"id": ident, "method": method, "params": params}))
                while True:
                    message = json.loads(ws.recv())
                    if message.get("id") == ident:
                        break
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                out.append(message["result"])
            return out
        finally:
            ws.close()


def sample(devtools: DevTools, target: dict) -> dict:
    """Heap after a forced GC, plus what the page says about itself."""
    _, heap, probe = devtools.session(
        target,
        [
            ("HeapProfiler.collectGarbage", {}),
            ("Runtime.getHeapUsage", {}),
            ("Runtime.evaluate", {"expression": PROBE, "returnByValue": True}),
        ],
    )
    return {"heap_mb": heap["usedSize"] / 2**20, **probe["result"]["value"]}


def _open_dashboard(devtools: DevTools, ld: Any, lab: Any, timeout: float = 120.0) -> dict:
    """Over CDP with Playwright: run the notebook until the dashboard draws; then detach."""
    from playwright.sync_api import sync_playwright

    deadline = time.monotonic() + timeout
    with sync_playwright() as p:
        browser = None
        while browser is None:
            try:
                browser = p.chromium.connect_over_cdp(devtools.base)
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        page = browser.contexts[0].pages[0]
        page.set_viewport_size({"width": 1400, "height": 1000})
        ld.open_and_run(page, lab, [ld.DASHBOARD_CELL, TRICKLE], wait_ms=120_000)
        page.wait_for_function(
            """() => [...document.querySelectorAll('.dashmon-dashboard .dashmon-stream')]
                .some(f => (f.dataset.title || '').startsWith('Task Stream'))""",
            timeout=60_000,
        )
        page.evaluate(WATCH)
        url = page.url
        browser.close()  # disconnects; Chromium and the page stay
    return next(t for t in devtools.pages() if t["url"] == url)


def soak(minutes: float, every: float = 30.0, log: Any = print) -> list[dict]:
    ld = _driver("the browser soak")
    home = Path(tempfile.mkdtemp(prefix="dashmon-soak-home-"))
    root = Path(tempfile.mkdtemp(prefix="dashmon-soak-nb-"))
    port = free_port()
    samples: list[dict] = []
    with ld.lab_server(home, root) as lab:
        chromium = subprocess.Popen(
            [
                ld.CHROMIUM,
                *CHROMIUM_FLAGS,
                f"--remote-debugging-port={port}",
                f"--user-data-dir={home / 'chromium'}",
                "--window-size=1400,1000",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            devtools = DevTools(port)
            target = _open_dashboard(devtools, ld, lab)
            start = time.monotonic()
            cover: dict | None = None
            while (elapsed := time.monotonic() - start) < minutes * 60.0:
                phase = "visible" if elapsed < minutes * 30.0 else "hidden"
                if phase == "hidden" and cover is None:
                    cover = devtools.http("/json/new?about:blank", method="PUT")
                samples.append({"t": elapsed, "phase": phase, **sample(devtools, target)})
                log(_line(samples[-1]))
                time.sleep(max(0.0, every - (time.monotonic() - start - elapsed)))
            if cover is not None:
                devtools.http(f"/json/close/{cover['id']}")
            time.sleep(every / 2)  # let the page catch up with what came while hidden
            samples.append(
                {"t": time.monotonic() - start, "phase": "shown again", **sample(devtools, target)}
            )
            log(_line(samples[-1]))
        finally:
            kill_tree(chromium.pid)
            shutil.rmtree(home / "chromium", ignore_errors=True)
    return samples


def _line(s: dict) -> str:
    return (
        f"{s['t']:6.0f} s {s['phase']:11s} {s['visibility']:8s} heap {s['heap_mb']:7.2f} MiB "
        f"nodes {s['nodes']:6d} drawn {s['drawn']}"
    )


def report(samples: list[dict], minutes: float, every: float) -> str:
    """Markdown: the samples and the heap within each phase."""
    lines = [
        f"## Browser soak, {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC",
        "",
        (
            f"Command: `python -m bench.browser_soak --minutes {minutes:g} --every {every:g}`. "
            "A dashboard updating (20 tasks every 0.5 s) in a real JupyterLab in Chromium started "
            "as its own process; no automation attached between samples. Each sample: a DevTools "
            "connection to that page alone, forced GC, JS heap, DOM element count, batches of "
            "DOM changes in the dashboard since the previous sample, `document.visibilityState`. "
            "Visible for the first half, then another tab in front of it, then that tab closed."
        ),
        "",
        "| t (s) | phase | visibilityState | JS heap (MiB) | DOM elements | DOM change batches |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {s['t']:.0f} | {s['phase']} | {s['visibility']} | {s['heap_mb']:.2f} | "
        f"{s['nodes']} | {s['drawn']} |"
        for s in samples
    ]
    lines.append("")
    for phase in ("visible", "hidden"):
        values = [s["heap_mb"] for s in samples if s["phase"] == phase]
        if len(values) >= 2:
            lines.append(
                f"- {phase}: {len(values)} samples, first {values[0]:.2f} MiB, "
                f"last {values[-1]:.2f} MiB, min {min(values):.2f}, max {max(values):.2f} MiB"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--every", type=float, default=30.0, help="seconds between samples")
    args = parser.parse_args()
    samples = soak(args.minutes, args.every)
    text = report(samples, args.minutes, args.every)
    print(text)
    out = Path(__file__).with_name("SOAK.md")
    previous = out.read_text() if out.exists() else "# jupyter_dashmon soak runs\n\n"
    out.write_text(previous + "\n" + text)


if __name__ == "__main__":
    sys.exit(main())
