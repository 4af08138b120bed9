"""Screenshots of the dashboard beside Dask's Bokeh ``/status``, from real runs.

    python tests/browser/shots.py [OUT_DIR] [--functions 5,20,60] [--readme]

Not a test.  Starts an isolated JupyterLab and headless Chromium (this
checkout's labextension when ``DASHMON_LABEXTENSION`` names a build) and, for
each number of functions, runs the mixed workload of ``/work/shared/LOOKS.md``
on a fresh ``LocalCluster(n_workers=2, threads_per_worker=2)`` whose Bokeh
dashboard listens on a free loopback port.  For each it saves, in
``OUT_DIR/<n>-functions/``: the Status tab inline in the light and dark
themes, the side panel at 250 and 600 px, the Workers tab, Bokeh's
``/status`` page taken right after ours (a second Chromium page), and
``beside-bokeh.png``, ours and Bokeh's side by side.  It prints what it
measured on the page (overflows, cut titles, label overlaps).

``--readme`` also writes the README's pictures in ``docs/screenshots/`` from
the 20-function run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from lab_driver import (  # noqa: E402
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO,
    lab_server,
    open_and_run,
)
from layout_probe import OVERFLOWS, set_right_width, set_theme, show_tab  # noqa: E402
from looks_probe import CUT_TICKS, CUT_TITLES, TICK_COLLISIONS, settled  # noqa: E402

INLINE = ".jp-NotebookPanel .dashmon-dashboard"
PANEL = ".jp-DashboardPanel"

#: The first cell: a cluster whose Bokeh dashboard listens on a free loopback
#: port, its Client and our dashboard inline.
CLUSTER_CELL = (
    "import json, logging, random, time\n"
    "from distributed import Client, LocalCluster\n"
    "import jupyter_dashmon\n"
    "cluster = LocalCluster(n_workers=2, threads_per_worker=2,\n"
    "                       dashboard_address='127.0.0.1:0', silence_logs=logging.ERROR)\n"
    "client = Client(cluster)\n"
    "print('BOKEH', client.dashboard_link)\n"
    "dash = client.dashboard()\n"
    "dash"
)


def workload(functions: int) -> str:
    """The LOOKS.md mixed workload, then named steps up to ``functions`` functions.

    Five functions: the upstream example (inc, dec, add, sum) and a failing
    one.  More: the dask.array reductions with transfers and persisted data
    too (about seventeen functions), then as many named steps as it takes.
    The last one keeps running slowly, so the pictures show work in flight.
    """
    arrays = functions > 5
    return "\n".join(
        [
            "import dask.array as da",
            "def inc(x):\n    time.sleep(random.random() / 10); return x + 1",
            "def dec(x):\n    time.sleep(random.random() / 10); return x - 1",
            "def add(x, y):\n    time.sleep(random.random() / 10); return x + y",
            "def flaky(i):\n    time.sleep(0.05)\n    if i % 6 == 0:\n"
            "        raise ValueError(i)\n    return i",
            "def step(name):\n    def run(i):\n        time.sleep(random.random() * 0.02)\n"
            "        return bytes(1000 * (i % 5 + 1))\n"
            "    run.__name__ = run.__qualname__ = name\n    return run",
            "incs = client.map(inc, range(100)); decs = client.map(dec, range(100))",
            "adds = client.map(add, incs, decs); total = client.submit(sum, adds)",
            "total.result()",
            "bad = client.map(flaky, range(40)); _ = client.gather(bad, errors='skip')",
            *(
                [
                    "x = da.random.random((4000, 4000), chunks=(500, 500))",
                    "for _ in range(2):\n    (x + x.T).mean(axis=0).compute()",
                    "y = (x + 1).persist()",
                    "for _ in range(2):\n    (y - y.mean(axis=0)).std().compute()",
                ]
                if arrays
                else []
            ),
            "time.sleep(1)",
            f"need = {functions} - len(dash.snapshot()['progress']) - 1",
            "steps = [client.map(step(f'step_{k:02d}_' + 'abcdefgh'[k % 8] * (k % 5)),"
            " range(6 + k % 9), pure=False) for k in range(max(need, 0))]",
            "held = steps[::3]; _ = [client.gather(s) for s in steps]",
            "def slow_simulation(i):\n    time.sleep(0.5 + random.random()); return i",
            "slow = client.map(slow_simulation, range(400), pure=False)",
            "time.sleep(3)",
            "print('FUNCTIONS', len(dash.snapshot()['progress']))",
        ]
    )


def shoot(target: Any, path: Path) -> Path:
    """A picture of ``target`` (a locator or a page), saved at ``path``.

    A locator is taken as a clip of its page: while work runs its figures
    redraw, and Playwright would wait in vain for the element to hold still.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if hasattr(target, "bounding_box"):
        target.evaluate("el => el.scrollIntoView({block: 'start'})")
        target.page.screenshot(path=str(path), clip=target.bounding_box(), full_page=True)
    else:
        target.screenshot(path=str(path))
    return path


def trim_bottom(path: Path, margin: int = 8) -> Path:
    """Cut off the empty bottom of a picture (a side panel is as tall as the
    window; its content ends higher up), leaving ``margin`` pixels (needs PIL)."""
    try:
        from PIL import Image, ImageChops
    except ImportError:
        return path
    image = Image.open(path).convert("RGB")
    background = Image.new("RGB", image.size, image.getpixel((image.width // 2, image.height - 1)))
    box = ImageChops.difference(image, background).getbbox()
    if box is not None and box[3] + margin < image.height:
        image.crop((0, 0, image.width, box[3] + margin)).save(path)
    return path


def beside(left: Path, right: Path, out: Path) -> Path | None:
    """``left`` and ``right`` side by side at the same height (needs PIL)."""
    try:
        from PIL import Image
    except ImportError:  # two files are as good to look at
        return None
    a, b = Image.open(left), Image.open(right)
    height = max(a.height, b.height)
    both = Image.new("RGB", (a.width + b.width + 16, height), "white")
    both.paste(a, (0, 0))
    both.paste(b, (a.width + 16, 0))
    both.save(out)
    return out


def measure(page: Any, scope: str) -> dict:
    """What is wrong on the page inside ``scope``: overflows, cut titles, touching ticks."""
    return {
        "overflows": page.evaluate(OVERFLOWS, scope),
        "cut_titles": settled(page, CUT_TITLES, scope),
        "cut_ticks": settled(page, CUT_TICKS, scope),
        "touching_ticks": settled(page, TICK_COLLISIONS, scope),
    }


def run_one(context: Any, lab: Any, functions: int, out: Path) -> dict:
    """One workload of ``functions`` functions; every picture of it in ``out``."""
    seen: dict = {}
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.set_viewport_size({"width": 1400, "height": 1000})
    open_and_run(page, lab, [CLUSTER_CELL, workload(functions), "dash.sidebar()"], 400_000)
    outputs = page.locator(".jp-NotebookPanel .jp-OutputArea-output")
    text = "\n".join(outputs.all_inner_texts())
    seen["functions"] = next(ln for ln in text.splitlines() if ln.startswith("FUNCTIONS"))
    link = next(ln for ln in text.splitlines() if ln.startswith("BOKEH")).split()[1]
    bokeh = context.new_page()
    bokeh.set_viewport_size({"width": 1400, "height": 1000})
    bokeh.goto(link)
    bokeh.wait_for_timeout(4000)

    page.set_viewport_size({"width": 1400, "height": 2400})
    page.evaluate("() => window.jupyterapp.shell.collapseRight()")
    page.wait_for_timeout(1000)
    dash = page.locator(INLINE).first
    show_tab(page, INLINE, "Status")
    ours = shoot(dash, out / "status-light.png")
    shoot(bokeh, out / "bokeh-status.png")
    beside(ours, out / "bokeh-status.png", out / "beside-bokeh.png")
    seen["inline"] = measure(page, INLINE)
    show_tab(page, INLINE, "Workers")
    shoot(dash, out / "workers-light.png")
    show_tab(page, INLINE, "Status")
    page.evaluate("() => window.jupyterapp.shell.expandRight()")
    for width in (250, 600):
        set_right_width(page, width)
        trim_bottom(shoot(page.locator(PANEL).first, out / f"panel-{width}-light.png"))
        seen[f"panel-{width}"] = measure(page, f"{PANEL} .jp-DashmonPanel-body")
    set_theme(page, dark=True)
    set_right_width(page, 250)
    trim_bottom(shoot(page.locator(PANEL).first, out / "panel-250-dark.png"))
    page.evaluate("() => window.jupyterapp.shell.collapseRight()")
    page.wait_for_timeout(1000)
    shoot(dash, out / "status-dark.png")
    seen["dark"] = measure(page, INLINE)
    set_theme(page, dark=False)
    page.evaluate("() => window.jupyterapp.shell.expandRight()")
    bokeh.close()
    page.close()
    return seen


def readme_pictures(context: Any, lab: Any, folder: Path) -> None:
    """The README's pictures (``docs/screenshots/``): 20 functions, names kept."""
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.set_viewport_size({"width": 1400, "height": 1000})
    open_and_run(page, lab, [CLUSTER_CELL, workload(20), "dash.sidebar()"], 400_000)
    page.set_viewport_size({"width": 1400, "height": 2400})
    for dark in (False, True):
        theme = "dark" if dark else "light"
        set_theme(page, dark)
        for width in (250, 600):
            set_right_width(page, width)
            for name in ("Status", "Workers"):
                show_tab(page, PANEL, name)
                path = folder / f"panel-{width}-{name}-{theme}.png"
                trim_bottom(shoot(page.locator(PANEL).first, path))
            show_tab(page, PANEL, "Status")
        page.evaluate("() => window.jupyterapp.shell.collapseRight()")
        page.wait_for_timeout(1000)
        for name in ("Status", "Workers"):
            show_tab(page, INLINE, name)
            shoot(page.locator(INLINE).first, folder / f"inline-{name}-{theme}.png")
        show_tab(page, INLINE, "Status")
        page.evaluate("() => window.jupyterapp.shell.expandRight()")
    page.close()


def main(argv: list[str] | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=ARTIFACTS / "shots")
    parser.add_argument("--functions", default="5,20,60")
    parser.add_argument("--readme", action="store_true")
    args = parser.parse_args(argv)
    seen: dict = {}
    home = Path(tempfile.mkdtemp(prefix="dashmon-shots-"))
    (home / "notebooks").mkdir()
    (home / "jupyter").mkdir()
    with lab_server(home / "jupyter", home / "notebooks") as lab, sync_playwright() as p:
        runs: list[tuple[Any, ...]] = [
            (run_one, n, args.out / f"{n}-functions")
            for n in (int(v) for v in args.functions.split(",") if v)
        ]
        if args.readme:
            runs.append((readme_pictures, None, REPO / "docs" / "screenshots"))
        for k, (run, n, folder) in enumerate(runs):
            # A browser of its own for each run, and the last run's kernel (its
            # cluster still working) shut down first.
            lab.shut_down_kernels()
            context = p.chromium.launch_persistent_context(
                str(home / f"chromium-{k}"),
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1400, "height": 1000},
            )
            if n is None:
                run(context, lab, folder)
            else:
                seen[n] = run(context, lab, n, folder)
                print(n, json.dumps(seen[n], indent=1), flush=True)
            context.close()
    shutil.rmtree(home, ignore_errors=True)
    return seen


if __name__ == "__main__":
    main()
