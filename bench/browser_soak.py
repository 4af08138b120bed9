"""Runs in the benchmark process: a dashboard page left open and updating, visible then hidden.

``python -m bench.browser_soak [--minutes 10]`` starts a real JupyterLab on
loopback and Debian's Chromium (Playwright, BROWSER.md's flags), runs a
notebook whose Client keeps a trickle of tasks going (so the dashboard keeps
updating), and every 30 s forces a garbage collection in the page and reads
its JS heap (CDP ``HeapProfiler.collectGarbage`` then
``Runtime.getHeapUsage``): first with the page visible, then with another
tab in front for the second half.  Known limit: with Playwright attached,
headless Chromium still reports the dashboard page as ``visible`` in that
second half (the samples record ``visibilityState``), so a truly hidden page
needs the measurement to detach between samples (BROWSER.md).  It prints the
samples and appends them to ``bench/SOAK.md``.  Run by hand; not part of the
test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .browser import _driver, _start_lab

CELLS = [
    "import logging, threading, time\n"
    "from distributed import Client, LocalCluster\n"
    "import jupyter_dashmon\n"
    "cluster = LocalCluster(n_workers=2, threads_per_worker=2, dashboard_address=None,\n"
    "                       silence_logs=logging.ERROR)\n"
    "client = Client(cluster)\n"
    "dash = client.dashboard()\n"
    "dash",
    "def nap(x):\n    time.sleep(0.02)\n    return x\n"
    "running = True\n"
    "def trickle():\n"
    "    i = 0\n"
    "    while running:\n"
    "        client.gather(client.map(nap, range(i, i + 20), pure=False))\n"
    "        i += 20\n"
    "        time.sleep(0.5)\n"
    "threading.Thread(target=trickle, daemon=True).start()",
]

HEADING = "Task Stream"


def heap_mb(cdp) -> float:
    """The page's JS heap after a full garbage collection, in MiB."""
    cdp.send("HeapProfiler.collectGarbage")
    return cdp.send("Runtime.getHeapUsage")["usedSize"] / 2**20


def soak(minutes: float, every: float = 30.0) -> list[tuple[float, str, str, float]]:
    ld = _driver()
    reason = ld.missing_browser_reason()
    if reason is not None:
        raise RuntimeError(f"the browser soak needs Chromium: {reason}")
    from playwright.sync_api import sync_playwright

    home = Path(tempfile.mkdtemp(prefix="dashmon-soak-home-"))
    root = Path(tempfile.mkdtemp(prefix="dashmon-soak-nb-"))
    lab, process = _start_lab(ld, home, root)
    samples: list[tuple[float, str, str, float]] = []
    try:
        with sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(
                str(home / "chromium"), executable_path=ld.CHROMIUM, headless=True,
                args=ld.CHROMIUM_ARGS, viewport={"width": 1400, "height": 1000},
            )  # fmt: skip
            try:
                page = ctx.new_page()
                name = ld.write_notebook(root, CELLS)
                page.goto(f"{lab.url}/lab/tree/{name}?reset")
                page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
                page.evaluate("() => window.jupyterapp.restored.then(() => true)")
                page.wait_for_function(ld.KERNEL_READY, timeout=60_000)
                page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
                page.click("li.lm-Menu-item[data-command='runmenu:run-all']")
                page.wait_for_function(ld.ALL_CELLS_RAN, timeout=120_000)
                cdp = ctx.new_cdp_session(page)
                start = time.monotonic()
                half = minutes * 30.0
                other = None
                while (elapsed := time.monotonic() - start) < minutes * 60.0:
                    phase = "visible" if elapsed < half else "hidden"
                    if phase == "hidden" and other is None:
                        other = ctx.new_page()  # another tab in front hides the dashboard's
                        other.goto("about:blank")
                        other.bring_to_front()
                    visibility = page.evaluate("() => document.visibilityState")
                    samples.append((elapsed, phase, visibility, heap_mb(cdp)))
                    print(f"{elapsed:6.0f} s {phase:8s} {visibility:8s} heap {samples[-1][3]:7.2f} MiB",
                          flush=True)  # fmt: skip
                    time.sleep(every)
                samples.append((time.monotonic() - start, "end", page.evaluate(
                    "() => document.visibilityState"), heap_mb(cdp)))  # fmt: skip
            finally:
                ctx.close()
    finally:
        with contextlib.suppress(Exception):
            lab.shut_down_kernels()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return samples


def report(samples: list[tuple[float, str, str, float]], minutes: float) -> str:
    """Markdown: the samples and the growth within each phase."""
    lines = [
        f"## Browser soak, {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC",
        "",
        f"Command: `python -m bench.browser_soak --minutes {minutes:g}`. A dashboard updating "
        "(20 tasks every 0.5 s) in a real JupyterLab; JS heap after a forced GC every 30 s; "
        "visible for the first half, then hidden behind another tab.",
        "",
        "| t (s) | phase | visibilityState | JS heap (MiB) |",
        "|---|---|---|---|",
    ]
    lines += [f"| {t:.0f} | {ph} | {vis} | {mb:.2f} |" for t, ph, vis, mb in samples]
    for phase in ("visible", "hidden"):
        values = [mb for _, ph, _, mb in samples if ph == phase]
        if len(values) >= 2:
            lines.append(f"\n{phase}: first {values[0]:.2f} MiB, last {values[-1]:.2f} MiB, "
                         f"max {max(values):.2f} MiB")  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    samples = soak(args.minutes)
    text = report(samples, args.minutes)
    print(text)
    out = Path(__file__).with_name("SOAK.md")
    previous = out.read_text() if out.exists() else "# jupyter_dashmon soak runs\n\n"
    out.write_text(previous + "\n" + text)


if __name__ == "__main__":
    sys.exit(main())
