"""The Progress and Memory use figures as a user sees them, at twenty-odd functions."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from lab_driver import DASHBOARD_CELL, BrowserPage, Lab, open_and_run
from layout_probe import set_theme
from looks_probe import TOOLTIP as TOOLTIP_SHOWN
from looks_probe import contrast
from many_functions import NAMES, PROGRESS_LABELS, WORKLOAD, hover_first_bar, label_problems

pytestmark = pytest.mark.browser

INLINE = ".jp-NotebookPanel .dashmon-dashboard"
#: The tooltip of the row bar charts (js/src/bars.ts).
BARS_TOOLTIP = ".dashmon-stream-tooltip"
STOP_SLOW = "client.cancel(slow)\ntime.sleep(1)"


def run_workload(page: Any, lab: Lab, cells: list[str]) -> dict:
    page.set_viewport_size({"width": 1400, "height": 1000})
    open_and_run(page, lab, [DASHBOARD_CELL, WORKLOAD, *cells], wait_ms=240_000)
    # Wait until every function has its label (the figures redraw a few times a second).
    page.wait_for_function(
        f"root => {{ const f = ({PROGRESS_LABELS})(root);"
        f" return f && f.labels.length >= {len(NAMES) + 1}; }}",
        arg=INLINE,
        timeout=30_000,
    )
    page.wait_for_timeout(500)
    return page.evaluate(PROGRESS_LABELS, INLINE)


def test_progress_labels_are_legible_at_twenty_functions(browser: BrowserPage, lab: Lab) -> None:
    page = browser.page
    found = run_workload(page, lab, [])
    texts = [label["text"] for label in found["labels"]]
    # Every function has a label with its counts (long names cut to 20
    # characters, whole in the tooltip): none squeezed out.
    expected = {n if len(n) <= 20 else n[:19] + "\u2026" for n in NAMES}
    assert {t.split()[0] for t in texts} >= expected | {"slow_simulation"}
    assert all(re.fullmatch(r"\S+  [\d,]+ / [\d,]+", t) for t in texts), texts
    assert label_problems(found) == []
    # The one still running sits on top; finished functions that hold nothing last.
    assert texts[0].startswith("slow_simulation")
    tops = [label["box"]["y"] for label in found["labels"]]
    assert all(b - a >= 18 for a, b in itertools.pairwise(tops)), tops
    assert browser.errors == []


def test_a_progress_bar_and_a_memory_bar_show_a_tooltip(browser: BrowserPage, lab: Lab) -> None:
    page = browser.page
    # The slow function is cancelled: the bars hold still under the pointer.
    run_workload(page, lab, [STOP_SLOW])
    label = hover_first_bar(page, INLINE)
    name = label.text_content().split()[0].rstrip("\u2026")
    tooltip = page.locator(BARS_TOOLTIP).filter(has_text=name)
    tooltip.wait_for(state="visible", timeout=5_000)
    text = tooltip.inner_text()
    for count in ("done", "in memory", "released", "erred", "processing", "waiting", "queued"):
        assert count in text, text
    assert "no-worker" in text, text

    page.mouse.move(1, 1)
    label = hover_first_bar(page, INLINE, memory=True)
    name = label.text_content().split()[0].rstrip("\u2026")
    tooltip = page.locator(BARS_TOOLTIP).filter(has_text=name)
    tooltip.wait_for(state="visible", timeout=5_000)
    assert re.search(r": \d+(\.\d+)? (B|KiB|MiB) in memory$", tooltip.inner_text())
    # The bytes axis under the rows, its labels apart and inside the chart.
    chart = page.locator(f"{INLINE} .dashmon-memory").first
    ticks = chart.locator(".dashmon-bars-label:visible")
    boxes = [ticks.nth(i).bounding_box() for i in range(ticks.count())]
    assert len(boxes) >= 3, boxes
    assert ticks.first.text_content() == "0" and "iB" in (ticks.last.text_content() or "")
    whole = chart.bounding_box()
    assert all(
        whole["x"] <= b["x"] and b["x"] + b["width"] <= whole["x"] + whole["width"] for b in boxes
    )
    assert all(a["x"] + a["width"] + 6 <= b["x"] for a, b in itertools.pairwise(boxes)), boxes
    assert browser.errors == []


def test_progress_labels_in_the_side_panel_and_dark_theme(browser: BrowserPage, lab: Lab) -> None:
    page = browser.page
    run_workload(page, lab, ["dash.sidebar()"])
    panel = ".jp-DashboardPanel"
    page.locator(f"{panel} .dashmon-progress .dashmon-bars-text").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    side = page.evaluate(PROGRESS_LABELS, panel)
    assert len(side["labels"]) >= len(NAMES) + 1
    assert label_problems(side) == []
    light = side["labels"][0]["fill"]
    page.evaluate(
        "() => window.jupyterapp.commands.execute("
        "'apputils:change-theme', {theme: 'JupyterLab Dark'})"
    )
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
    page.wait_for_timeout(1000)
    dark = page.evaluate(PROGRESS_LABELS, INLINE)["labels"][0]["fill"]
    # The text follows the theme: dark on light, light on dark.
    assert brightness(light) < 0.3 < 0.7 < brightness(dark), (light, dark)
    assert browser.errors == []


def brightness(css: str) -> float:
    r, g, b = (int(v) for v in re.findall(r"\d+", css)[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


#: Functions that fail: every task of ``always_fails`` (held, so its bar stays
#: black under its label), every third of ``sometimes``.
FAILING = (
    "def ok(i):\n    time.sleep(random.random() / 20); return i\n"
    "def always_fails(i):\n    time.sleep(0.01); raise ValueError(i)\n"
    "def sometimes(i):\n    time.sleep(0.01)\n    if i % 3 == 0: raise ValueError(i)\n"
    "    return i\n"
    "held = [client.map(f, range(40)) for f in (ok, always_fails, sometimes)]\n"
    "_ = [client.gather(h, errors='skip') for h in held]\n"
    "time.sleep(2)\n"
    "print('FAILED SOME')"
)

#: For the progress label starting with ``name``: its colours and halo, and the
#: colour of the bar segment drawn under its middle.
UNDER_LABEL = """([root, name]) => {
    const label = [...document.querySelectorAll(root + ' .dashmon-progress .dashmon-bars-text')]
        .find(t => t.textContent.startsWith(name));
    const s = getComputedStyle(label);
    // The text's own box (the span spans the bar): its middle is over the text.
    const range = document.createRange();
    range.selectNodeContents(label);
    const b = range.getBoundingClientRect();
    const under = document.elementsFromPoint(b.x + b.width / 2, b.y + b.height / 2)
        .filter(e => e.classList.contains('dashmon-bars-seg')
                     && e.getBoundingClientRect().width > 0
                     && parseFloat(getComputedStyle(e).opacity) > 0);
    // The halo's colour as the page paints it (a color-mix() reads as color(srgb ...)).
    const ctx = document.createElement('canvas').getContext('2d');
    ctx.fillStyle = s.webkitTextStrokeColor;
    ctx.fillRect(0, 0, 1, 1);
    const [hr, hg, hb, ha] = ctx.getImageData(0, 0, 1, 1).data;
    return {fill: s.color, halo: `rgb(${hr}, ${hg}, ${hb})`,
            halo_width: parseFloat(s.webkitTextStrokeWidth),
            halo_opacity: ha / 255, paint_order: s.paintOrder,
            segment: under.length ? getComputedStyle(under[0]).backgroundColor : null};
}"""


def seen_colour(top: str, opacity: float, below: str) -> str:
    """``top`` drawn at ``opacity`` over ``below``, as an ``rgb()`` string."""
    a = [float(v) for v in re.findall(r"[\d.]+", top)[:3]]
    b = [float(v) for v in re.findall(r"[\d.]+", below)[:3]]
    return "rgb({}, {}, {})".format(*(opacity * x + (1 - opacity) * y for x, y in zip(a, b)))


def readable(found: dict) -> bool:
    """Text reads on its segment by itself, or inside a halo that reads on the segment."""
    segment = found["segment"]
    if contrast(found["fill"], segment) >= 4.5:
        return True
    halo = seen_colour(found["halo"], found["halo_opacity"], segment)
    return (
        found["paint_order"].startswith("stroke")
        and found["halo_width"] >= 2
        and contrast(halo, segment) >= 3
        and contrast(found["fill"], halo) >= 4.5
    )


def test_text_over_erred_tasks_reads_and_tooltips_keep_clear_of_the_row(
    browser: BrowserPage, lab: Lab
) -> None:
    page = browser.page
    page.set_viewport_size({"width": 1400, "height": 1000})
    open_and_run(page, lab, [DASHBOARD_CELL, FAILING], wait_ms=120_000)
    page.locator(".jp-OutputArea-output", has_text="FAILED SOME").wait_for()
    page.wait_for_timeout(1000)
    try:
        for dark in (False, True):
            set_theme(page, dark)
            check_erred_text_and_tooltips(page)
    finally:  # the theme is a setting of the whole JupyterLab the tests share
        set_theme(page, False)
    page.mouse.move(1, 1)
    assert browser.errors == []


def check_erred_text_and_tooltips(page: Any) -> None:
    """Text over an erred bar reads; hovering a row's text shows a tooltip clear of it."""
    found = page.evaluate(UNDER_LABEL, [INLINE, "always_fails"])
    # The whole bar is erred: black (the theme's text is dark on a light page).
    assert found["segment"] == "rgb(0, 0, 0)", found
    assert readable(found), found
    found = page.evaluate(UNDER_LABEL, [INLINE, "ok"])
    assert readable(found), found

    # Hovering a row's text: the tooltip is in the theme's colours, inside
    # the page, and leaves the hovered row's text uncovered.
    fig = page.locator(f"{INLINE} .dashmon-progress").first
    for place in ("start", "end"):
        # The figure at the top of the notebook's view, then at its bottom.
        fig.evaluate("(el, block) => el.scrollIntoView({block})", place)
        page.wait_for_timeout(500)
        labels = fig.locator(".dashmon-bars-text")
        for i in range(labels.count()):
            row = labels.nth(i).bounding_box()
            page.mouse.move(1, 1)
            page.mouse.move(row["x"] + row["width"] / 2, row["y"] + row["height"] / 2)
            page.mouse.move(row["x"] + row["width"] / 2 + 1, row["y"] + row["height"] / 2)
            page.wait_for_function(f"() => ({TOOLTIP_SHOWN})() !== null", timeout=5_000)
            tip = page.evaluate(TOOLTIP_SHOWN)
            name = labels.nth(i).text_content().split()[0]
            assert tip["text"].startswith(name), (tip, name)
            t, (width, height) = tip["box"], tip["viewport"]
            assert t["left"] >= 0 and t["right"] <= width, (place, tip)
            assert t["top"] >= 0 and t["bottom"] <= height, (place, tip)
            assert t["top"] >= row["y"] + row["height"] or t["bottom"] <= row["y"], (
                place,
                row,
                tip,
            )
            assert contrast(tip["color"], tip["background"]) >= 4.5, tip
            assert "255, 165, 0" not in tip["color"], tip  # bqplot's dark-theme orange
