"""Sixty functions as a user sees them: a Status tab that packs like Bokeh's on
a wide cell, a side panel of sensible height from 250 to 600 px, and every
tooltip of the row charts inside the viewport and clear of the hovered row.
Real JupyterLab, kernel and LocalCluster, headless Chromium; bounding boxes.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from lab_driver import ARTIFACTS, DASHBOARD_CELL, DRAWN_CHART, BrowserPage, Lab, open_and_run
from layout_probe import OVERFLOWS, set_right_width, show_tab, wait_for_text
from looks_probe import TOOLTIP
from many_functions import SIXTY_FUNCTIONS, label_problems, overlaps

pytestmark = pytest.mark.browser

INLINE = ".jp-NotebookPanel .dashmon-dashboard"
PANEL = ".jp-DashboardPanel"
PANEL_BODY = f"{PANEL} .jp-DashmonPanel-body"

#: Pixels per row and rows shown at once (views/bar_rows.py); the title of
#: Progress and Memory use, Progress's counts line under its rows (one line of
#: 12 px text at this width, and its margins), and Memory use's bytes axis
#: (js/style/stream.css).
ROW_PX, VISIBLE_ROWS = 20, 12
PROGRESS_CHROME, MEMORY_CHROME = 36 + 21, 62

#: Height of the whole inline dashboard (status line, tabs, Status page) on a
#: 1400 px wide page at sixty functions; Bokeh's /status is about 650 px.
INLINE_MOST = 760
#: Height of the side panel's content at 250 px wide and sixty functions (it was 2350).
PANEL_MOST = 1500

#: The scrolling boxes of the row charts' rows (Progress, then Memory use:
#: js/src/bars.ts), and their row texts.
ROWS_SELECTOR = ".dashmon-bars-rows"
ROW_TEXT = ".dashmon-bars-text"

#: Boxes of the Status page's parts inside ``scope``: the dashboard, the two
#: row-chart boxes (with their scroll sizes), the task stream and each figure.
BOXES = f"""(scope) => {{
    const root = document.querySelector(scope);
    const box = el => {{ const r = el.getBoundingClientRect();
        return {{x: r.x, y: r.y, right: r.right, bottom: r.bottom, width: r.width,
                height: r.height}}; }};
    const figure = title => [...root.querySelectorAll('.dashmon-lines')].find(f =>
        (f.dataset.title || '').startsWith(title));
    // A row chart's whole box (a row bar chart's rows sit under its title) and
    // its rows' scroll sizes.
    const rows = [...root.querySelectorAll('{ROWS_SELECTOR}')].map(el => ({{
        ...box(el.closest('.dashmon-bars') || el), scroll: el.scrollHeight,
        client: el.clientHeight}}));
    const stream = root.querySelector('.dashmon-stream');
    return {{
        root: box(root), rows,
        stream: stream ? box(stream) : null,
        cpu: box(figure('CPU')), net: box(figure('Net')),
        scroll: root.scrollHeight,
    }};
}}"""


def hover(page: Any, label: Any) -> dict:
    """Point at the middle of ``label`` (a row's text) and return the tooltip shown."""
    row = label.bounding_box()
    x, y = row["x"] + min(row["width"] / 2, 40), row["y"] + row["height"] / 2
    page.mouse.move(1, 1)
    page.mouse.move(x, y)
    page.mouse.move(x + 1, y)
    page.wait_for_function(f"() => ({TOOLTIP})() !== null", timeout=5_000)
    page.wait_for_timeout(100)
    return {"row": row, "tip": page.evaluate(TOOLTIP)}


def tooltip_problems(seen: dict, what: str) -> list[str]:
    """A tooltip outside the viewport, or covering the hovered row (20 px around its text)."""
    tip, row = seen["tip"], seen["row"]
    t, (width, height) = tip["box"], tip["viewport"]
    problems = []
    if t["left"] < 0 or t["right"] > width or t["top"] < 0 or t["bottom"] > height:
        problems.append(f"{what}: tooltip {t} leaves the {width}x{height} viewport")
    middle = row["y"] + row["height"] / 2
    band = {
        "x": row["x"],
        "right": row["x"] + row["width"],
        "y": middle - ROW_PX / 2,
        "bottom": middle + ROW_PX / 2,
    }
    box = {"x": t["left"], "right": t["right"], "y": t["top"], "bottom": t["bottom"]}
    if overlaps(box, band):
        problems.append(f"{what}: tooltip {t} covers the hovered row {band}")
    return problems


def check_row_tooltips(page: Any, scope: str) -> list[str]:
    """Hover the first, last visible and (scrolled) last row of Progress and Memory use."""
    problems: list[str] = []
    boxes = page.locator(f"{scope} {ROWS_SELECTOR}")
    for k, chart in enumerate(("Progress", "Memory use")):
        rows = boxes.nth(k)
        rows.evaluate("el => { el.scrollIntoView({block: 'center'}); el.scrollTop = 0; }")
        page.wait_for_timeout(300)
        labels = rows.locator(ROW_TEXT)
        n = labels.count()
        visible = min(n, VISIBLE_ROWS) - 1
        picks = [(0, "first"), (visible, "last visible")]
        for i, name in picks:
            seen = hover(page, labels.nth(i))
            problems += tooltip_problems(seen, f"{scope} {chart} {name} row")
        rows.evaluate("el => { el.scrollTop = el.scrollHeight; }")
        page.wait_for_timeout(300)
        seen = hover(page, labels.nth(n - 1))
        problems += tooltip_problems(seen, f"{scope} {chart} last row, scrolled")
        if chart == "Progress" and "more" in labels.nth(n - 1).text_content():
            # The "+N more" row's tooltip lists functions, one a line: the tallest.
            assert seen["tip"]["text"].count("\n") >= 5, seen
        rows.evaluate("el => { el.scrollTop = 0; }")
    page.mouse.move(1, 1)
    return problems


def test_sixty_functions_pack_and_tooltips_stay_in_view(browser: BrowserPage, lab: Lab) -> None:
    page = browser.page
    page.set_viewport_size({"width": 1400, "height": 1000})
    open_and_run(page, lab, [DASHBOARD_CELL, SIXTY_FUNCTIONS, "dash.sidebar()"], wait_ms=240_000)
    wait_for_text(page, "SIXTY 6", timeout=240)
    page.locator(f"{PANEL} {DRAWN_CHART}").first.wait_for(state="visible", timeout=60_000)
    ARTIFACTS.mkdir(exist_ok=True)

    # Inline on a wide cell (the side panel folded away).
    page.evaluate("() => window.jupyterapp.shell.collapseRight()")
    page.wait_for_timeout(1500)
    show_tab(page, INLINE, "Status")
    page.locator(INLINE).evaluate("el => el.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    b = page.evaluate(BOXES, INLINE)
    page.locator(INLINE).screenshot(path=str(ARTIFACTS / "sixty-inline.png"))
    assert b["root"]["height"] <= INLINE_MOST, b["root"]
    progress, memory = b["rows"][:2]
    # Twelve rows and a half at a time; the rest scroll inside the chart's box.
    shown = (VISIBLE_ROWS + 0.5) * ROW_PX
    assert progress["height"] <= shown + PROGRESS_CHROME + 1, progress
    assert memory["height"] <= shown + MEMORY_CHROME + 1, memory
    assert progress["scroll"] > progress["client"] and memory["scroll"] > memory["client"], b
    # Side by side: Progress beside Memory use, the task stream beside CPU and network.
    assert memory["x"] >= progress["right"] - 1 and abs(memory["y"] - progress["y"]) < 2, b
    assert b["cpu"]["x"] >= b["stream"]["right"] - 1, b
    assert b["cpu"]["y"] < b["stream"]["bottom"] and b["net"]["y"] < b["stream"]["bottom"], b
    for k in range(2):
        found = page.evaluate(
            """([scope, k, rows, text]) => {
                const box = document.querySelectorAll(
                    rows.split(', ').map(sel => scope + ' ' + sel).join(', '))[k];
                // The whole chart, rows scrolled out of view included.
                const svg = box.querySelector('svg'), b = box.getBoundingClientRect();
                const r = svg ? svg.getBoundingClientRect()
                    : {x: b.x, y: b.y - box.scrollTop, right: b.right,
                       bottom: b.y - box.scrollTop + box.scrollHeight};
                return {figure: {x: r.x, y: r.y, right: r.right, bottom: r.bottom},
                        labels: [...box.querySelectorAll(text)].map(t => {
                            const q = t.getBoundingClientRect();
                            return {text: t.textContent, size: parseFloat(
                                getComputedStyle(t).fontSize),
                                box: {x: q.x, y: q.y, right: q.right, bottom: q.bottom}};
                        })}; }""",
            [INLINE, k, ROWS_SELECTOR, ROW_TEXT],
        )
        assert label_problems(found) == [], k
        # Every row its full height: nothing squeezes them (bqplot's padding did).
        tops = [label["box"]["y"] for label in found["labels"]]
        assert all(abs(b - a - ROW_PX) < 1 for a, b in itertools.pairwise(tops)), (k, tops)
    problems = check_row_tooltips(page, INLINE)

    # The side panel, 250 then 600 px wide.
    page.evaluate("() => window.jupyterapp.shell.expandRight()")
    for width in (250, 600):
        reached = set_right_width(page, width)
        assert abs(reached - width) <= 2, reached
        show_tab(page, PANEL, "Status")
        assert page.evaluate(OVERFLOWS, PANEL_BODY) == [], width
        b = page.evaluate(BOXES, PANEL_BODY)
        page.locator(PANEL).screenshot(path=str(ARTIFACTS / f"sixty-panel-{width}.png"))
        if width == 250:
            body = page.locator(PANEL_BODY).evaluate("el => el.scrollHeight")
            assert body <= PANEL_MOST, body
            # One figure per row: the stream above CPU, CPU above network.
            assert b["cpu"]["y"] >= b["stream"]["bottom"] - 1, b
            assert b["net"]["y"] >= b["cpu"]["bottom"] - 1, b
        else:
            # The stream across the panel, CPU and network side by side under it.
            assert b["stream"]["width"] >= width - 40, b
            assert b["cpu"]["y"] >= b["stream"]["bottom"] - 1, b
            assert abs(b["cpu"]["y"] - b["net"]["y"]) < 2 and b["net"]["x"] >= b["cpu"]["right"] - 1
        problems += check_row_tooltips(page, PANEL)
    assert problems == []
    assert browser.errors == []
