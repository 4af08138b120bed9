"""Screenshots of the axes, line charts and task hover on a realistic mixed workload.

Not a test: ``python tests/browser/shots_axes.py [OUT_DIR]`` starts an isolated
JupyterLab (with this checkout's own labextension build when
``jupyter_dashmon/labextension`` exists, so CSS changes show), runs the mixed
workload of ``/work/shared/LOOKS.md`` with about twenty functions, and saves
PNGs of the Status, Scheduler, Tasks and Workers pages in the light and dark
themes, the 250 px side panel, and a hovered task.  It prints the colours of
figure text in both themes (titles and axis labels must not be orange).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from lab_driver import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    DASHBOARD_CELL,
    REPO,
    lab_server,
    open_and_run,
)

WORKLOAD = """
import dask.array as da
def inc(x):
    time.sleep(random.random() / 10); return x + 1
def dec(x):
    time.sleep(random.random() / 10); return x - 1
def add(x, y):
    time.sleep(random.random() / 10); return x + y
def flaky(i):
    time.sleep(0.05)
    if i % 6 == 0:
        raise ValueError(i)
    return i
extra = []
for name in ['load', 'parse', 'clean', 'score']:
    f = eval(f"lambda x: (time.sleep(0.02), x)[1]")
    f.__name__ = f.__qualname__ = name
    extra += client.map(f, range(30), key=[f'{name}-{i}' for i in range(30)])
client.gather(extra)
incs = client.map(inc, range(100)); decs = client.map(dec, range(100))
adds = client.map(add, incs, decs); total = client.submit(sum, adds); total.result()
x = da.random.random((3000, 3000), chunks=(500, 500))
for _ in range(2):
    (x + x.T).mean(axis=0).compute()
bad = client.map(flaky, range(40))
client.gather(bad, errors='skip')
time.sleep(8)  # an idle gap: lines break, the Tasks page has two runs
y = (x + 1).persist()
for _ in range(2):
    (y - y.mean(axis=0)).std().compute()
time.sleep(3)
print('FUNCTIONS', len(dash.snapshot()['progress']))
"""

TEXT_COLOURS = """() => {
    const pick = sel => [...document.querySelectorAll(sel)].slice(0, 3)
        .map(e => getComputedStyle(e).fill);
    return {
        titles: pick('.dashmon-dashboard text.mainheading'),
        axis_labels: pick('.dashmon-dashboard .axis text.axislabel'),
        ticks: pick('.dashmon-dashboard .axis .tick text'),
        body: getComputedStyle(document.body).color,
    };
}"""


def own_build(home: Path) -> bool:
    """Put this checkout's labextension build where the isolated JupyterLab looks first."""
    build = REPO / "jupyter_dashmon" / "labextension"
    if not (build / "package.json").exists():
        return False
    target = home / "data" / "labextensions" / "jupyter-dashmon"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(build, target, dirs_exist_ok=True)
    (target / "install.json").write_text(
        json.dumps({"packageManager": "python", "packageName": "jupyter_dashmon"})
    )
    return True


def dashboard(page: Any) -> Any:
    return page.locator(".jp-NotebookPanel .dashmon-dashboard").first


def tab(page: Any, name: str) -> None:
    page.locator(".jp-NotebookPanel .dashmon-dashboard .lm-TabBar-tab", has_text=name).click()
    page.wait_for_timeout(2000)


def shoot(page: Any, out: Path, name: str, element: Any | None = None) -> None:
    path = out / f"{name}.png"
    (element or page).screenshot(path=str(path))
    print("saved", path)


def shoot_figures(page: Any, out: Path, name: str, titles: tuple[str, ...]) -> None:
    """Each figure of the dashboard whose title starts with one of ``titles``."""
    dash = dashboard(page)
    for i, title in enumerate(titles):
        fig = (
            dash.locator(".bqplot.figure")
            .filter(has=page.locator("text.mainheading", has_text=re.compile("^" + title)))
            .first
        )
        fig.scroll_into_view_if_needed()
        shoot(page, out, f"{name}-{i}", fig)


def hover_task(page: Any) -> None:
    stream = (
        page.locator(".jp-NotebookPanel .dashmon-dashboard .bqplot.figure")
        .filter(has=page.locator("text.mainheading", has_text="Task Stream"))
        .first
    )
    stream.scroll_into_view_if_needed()
    boxes = [p.bounding_box() for p in stream.locator("path.line[d]:not([d=''])").all()]
    box = max((b for b in boxes if b), key=lambda b: b["width"])
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(500)


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    home, root = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp())
    print("own labextension build:", own_build(home))
    with lab_server(home, root) as lab, sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            tempfile.mkdtemp(),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
        )
        page = ctx.new_page()
        open_and_run(page, lab, [DASHBOARD_CELL, WORKLOAD, "dash.sidebar()"], wait_ms=300_000)
        print(page.locator(".jp-OutputArea-output", has_text="FUNCTIONS").first.inner_text())
        page.evaluate("() => window.jupyterapp.commands.execute('application:toggle-left-area')")
        page.wait_for_timeout(1500)
        dash = dashboard(page)
        for theme in ("light", "dark"):
            if theme == "dark":
                page.evaluate(
                    "() => window.jupyterapp.commands.execute("
                    "'apputils:change-theme', {theme: 'JupyterLab Dark'})"
                )
                page.wait_for_timeout(3000)
            print(theme, page.evaluate(TEXT_COLOURS))
            tab(page, "Status")
            shoot(page, out, f"status-{theme}", dash)
            shoot_figures(page, out, f"status-lines-{theme}", ("CPU", "Network"))
            for name in ("Scheduler", "Tasks", "Workers"):
                tab(page, name)
                if name == "Workers":
                    chooser = dash.locator("select").first
                    options = chooser.locator("option").all_inner_texts()
                    chooser.select_option(label=next(o for o in options if "tcp://" in o))
                    page.wait_for_timeout(2500)
                shoot(page, out, f"{name.lower()}-{theme}", dash)
                if name == "Workers":
                    shoot_figures(
                        page,
                        out,
                        f"worker-detail-{theme}",
                        ("CPU %", "CPU [0-9]", "Memory [0-9]", "Network", "Recent"),
                    )
            shoot(page, out, f"sidepanel-{theme}", page.locator(".jp-DashboardPanel").first)
        tab(page, "Status")
        hover_task(page)
        shoot(page, out, "stream-hover-dark")
        tab(page, "Tasks")
        dash.locator("button", has_text="Latest run").click()
        page.wait_for_timeout(2500)
        shoot(page, out, "tasks-latest-run-dark", dash)
        ctx.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "test-artifacts" / "axes")
