"""Profile, Groups and Metrics in a real JupyterLab: inline and in the 250 px side panel,
light and dark, with no console error; a click on a frame zooms the flame graph."""

from __future__ import annotations

import re
from typing import Any

import looks_probe
import pytest
from lab_driver import (
    ARTIFACTS,
    DASHBOARD_CELL,
    DRAWN_CHART,
    BrowserPage,
    Lab,
    open_and_run,
    run_command_from_palette,
)
from layout_probe import OVERFLOWS, set_right_width, set_theme, show_tab, wait_for_text

pytestmark = pytest.mark.browser

INLINE = ".jp-NotebookPanel .dashmon-dashboard"
PANEL = ".jp-DashboardPanel"
PANEL_BODY = f"{PANEL} .jp-DashmonPanel-body"

WORKLOAD = (
    "import dask.array as da\n"
    "def spin_for_profile(seconds):\n"
    "    end = time.perf_counter() + seconds\n"
    "    n = 0\n"
    "    while time.perf_counter() < end:\n"
    "        n += sum(i * i for i in range(200))\n"
    "    return n\n"
    "x = client.persist(da.ones((100, 100), chunks=50))\n"
    "y = client.persist(x + 1)\n"
    "z = client.persist(y * 2)\n"
    "a = da.random.random((2000, 2000), chunks=500)\n"
    "client.compute((a + a.T).mean(axis=0)).result()\n"
    "client.gather(client.map(spin_for_profile, [3.0] * 4, pure=False))\n"
    "# One transfer of an array for certain: on a busy machine one worker may have\n"
    "# made every chunk of a above, and then nothing above moved between workers.\n"
    "import numpy as np\n"
    "w0, w1 = list(client.scheduler_info()['workers'])[:2]\n"
    "ones = client.submit(np.ones, 500_000, workers=[w0], pure=False)\n"
    "client.submit(len, ones, workers=[w1], pure=False).result()\n"
    "print('WORKLOAD DONE')"
)
#: A second cell of other work, its first line looking like markup.
SECOND = "# <b>second</b> cell\nclient.gather(client.map(abs, range(-20, 0)))\nprint('SECOND DONE')"


#: The text in a row of the Metrics tab's row charts (js/src/bars.ts).
ROW_TEXT = ".dashmon-bars-text"


def figure(page: Any, scope: str, title: str) -> Any:
    """The chart in ``scope`` (a bqplot figure, or a row bar chart) whose title matches."""
    pattern = re.compile(title)
    return (
        page.locator(f"{scope} .bqplot.figure, {scope} .dashmon-bars")
        .filter(has=page.locator("text.mainheading, .dashmon-bars-title", has_text=pattern))
        .first
    )


def check_pages(page: Any, scope: str, shot: str) -> None:
    """Each new page draws its data in ``scope``; a screenshot of each."""
    show_tab(page, scope, "Profile")
    flame = figure(page, scope, r"^Profile: [\d,]+ samples")
    flame.wait_for(timeout=30_000)
    flame.locator("text.label", has_text=re.compile("^spin_for_pr")).first.wait_for(timeout=30_000)
    assert flame.locator("path.line").count() >= 3
    page.screenshot(path=str(ARTIFACTS / f"{shot}-profile.png"))

    show_tab(page, scope, "Groups")
    groups = figure(page, scope, r"^Task groups: \d")
    groups.wait_for(timeout=30_000)
    names = set(groups.locator("text.label").all_text_contents())
    assert {"add", "mul", "ones_like"} <= names, names
    page.screenshot(path=str(ARTIFACTS / f"{shot}-groups.png"))

    show_tab(page, scope, "Metrics")
    time = figure(page, scope, r"^Time by activity: ")
    time.wait_for(timeout=30_000)
    time.locator(ROW_TEXT, has_text=re.compile(r"^transfer\s")).first.wait_for(timeout=30_000)
    figure(page, scope, "^Bandwidth by type").locator(
        ROW_TEXT, has_text=re.compile(r"^numpy\.ndarray\s")
    ).first.wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / f"{shot}-metrics.png"))

    show_tab(page, scope, "Cluster memory")
    memory = figure(page, scope, r"^Cluster memory$")
    memory.wait_for(timeout=30_000)
    summary = page.locator(f"{scope} .dashmon-progress-counts", has_text="spilled").first
    summary.wait_for()
    assert memory.locator("path.area, path.line").count() >= 3  # three bands at least
    # The limit is a line, or (far above the memory in use) named in the text.
    assert (memory.locator("text.label", has_text="limit").count() == 1) != (
        "limit" in summary.inner_text()
    )
    page.screenshot(path=str(ARTIFACTS / f"{shot}-cluster-memory.png"))


def check_one_cell(page: Any, scope: str) -> None:
    """Metrics of one cell: its first line as plain text in the chooser, its function only."""
    show_tab(page, scope, "Metrics")
    cell = page.locator(f"{scope} .widget-dropdown", has=page.locator("label", has_text="Cell"))
    chooser = cell.locator("select").first
    label = "In [3]: # <b>second</b> cell"
    # ipywidgets writes an option's label as text, its spaces as no-break spaces.
    find = "[...el.options].find(o => o.textContent.replace(/\\u00a0/g, ' ') === label)"
    page.wait_for_function(
        f"([el, label]) => {find} !== undefined",
        arg=[chooser.element_handle(), label],
        timeout=30_000,
    )
    assert chooser.locator("b").count() == 0  # the label is text, not markup
    value = chooser.evaluate(f"(el, label) => {find}.value", label)
    chooser.select_option(value=value)
    compute = figure(page, scope, r"^Compute time by function")
    page.wait_for_function(
        "el => { const t = [...el.querySelectorAll('.dashmon-bars-text')].map(l => l.textContent);"
        " return t.length === 1 && /^abs\\s/.test(t[0]); }",
        arg=compute.element_handle(),
        timeout=30_000,
    )
    page.screenshot(path=str(ARTIFACTS / "on-demand-inline-metrics-one-cell.png"))
    chooser.select_option(value=chooser.evaluate("el => el.options[0].value"))
    compute.locator(ROW_TEXT, has_text=re.compile(r"^spin_for_pr")).first.wait_for(timeout=30_000)


def test_new_views_render_inline_and_in_the_side_panel(browser: BrowserPage, lab: Lab) -> None:
    page = browser.page
    page.set_viewport_size({"width": 1400, "height": 1000})
    open_and_run(page, lab, [DASHBOARD_CELL, WORKLOAD, SECOND])
    wait_for_text(page, "SECOND DONE")
    ARTIFACTS.mkdir(exist_ok=True)
    check_pages(page, INLINE, "on-demand-inline")
    check_one_cell(page, INLINE)

    # Hover a frame: its function, file and line; click it: the graph zooms into it.
    show_tab(page, INLINE, "Profile")
    flame = figure(page, INLINE, r"^Profile: ")
    label = flame.locator("text.label", has_text=re.compile("^spin_for_pr")).first
    box = label.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(1, 1)
    page.mouse.move(x, y)
    page.mouse.move(x + 1, y)
    page.wait_for_timeout(400)
    tip = page.evaluate(looks_probe.TOOLTIP)
    assert tip is not None and tip["text"].startswith("spin_for_profile  "), tip
    assert "% of the time" in tip["text"] and ":" in tip["text"].splitlines()[1], tip
    assert looks_probe.contrast(tip["color"], tip["background"]) >= 4.5, tip
    page.mouse.click(x, y)
    page.locator(f"{INLINE} .widget-label", has_text="Zoomed into spin_for_profile").wait_for(
        timeout=10_000
    )
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "on-demand-inline-profile-zoomed.png"))
    # The zoomed frame spans the width at the bottom; clicking it goes back a level
    # (to its caller), and "Zoom out" all the way back.
    frame = flame.locator("path.line").first.bounding_box()
    assert frame is not None and frame["width"] > 0.9 * flame.bounding_box()["width"]
    page.mouse.move(1, 1)
    page.mouse.click(frame["x"] + frame["width"] * 0.6, frame["y"] + frame["height"] / 2)
    info = page.locator(f"{INLINE} .widget-label", has_text=re.compile(r"^(Zoomed into|Click)"))
    page.wait_for_function(
        "el => !el.textContent.includes('spin_for_profile')", arg=info.element_handle()
    )
    for _ in range(10):
        if info.inner_text().startswith("Click a frame"):
            break
        page.locator(f"{INLINE} button", has_text="Zoom out").click()
        page.wait_for_timeout(1000)
    assert info.inner_text() == "Click a frame to zoom into it."

    set_theme(page, dark=True)
    try:
        check_pages(page, INLINE, "on-demand-inline-dark")
    finally:
        set_theme(page, dark=False)

    # The side panel at its narrowest: the same pages, nothing sticking out.
    run_command_from_palette(page, "Show Dask dashboard", "jupyter-dashmon:open")
    # It shows the page the inline view last showed (one Tab model): a bqplot figure.
    drawn = f"{PANEL} .bqplot.figure svg, {PANEL} {DRAWN_CHART}"
    page.locator(drawn).first.wait_for(state="visible", timeout=60_000)
    assert abs(set_right_width(page, 250) - 250) <= 2
    check_pages(page, PANEL, "on-demand-panel-250")
    for name in ("Profile", "Groups", "Metrics", "Cluster memory"):
        show_tab(page, PANEL, name)
        assert page.evaluate(OVERFLOWS, PANEL_BODY) == [], name
    assert browser.errors == []
