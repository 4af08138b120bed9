"""The Progress and Memory use figures as a user sees them, at twenty-odd functions."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from lab_driver import DASHBOARD_CELL, BrowserPage, Lab, open_and_run
from many_functions import NAMES, PROGRESS_LABELS, WORKLOAD, hover_first_bar, label_problems

pytestmark = pytest.mark.browser

INLINE = ".jp-NotebookPanel .dashmon-dashboard"
TOOLTIP = ".bqplot_tooltip_div"
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
    tooltip = page.locator(TOOLTIP).filter(has_text=name)
    tooltip.wait_for(state="visible", timeout=5_000)
    text = tooltip.inner_text()
    for count in ("done", "in memory", "released", "erred", "processing", "waiting", "queued"):
        assert count in text, text
    assert "no-worker" in text, text

    page.mouse.move(1, 1)
    label = hover_first_bar(page, INLINE, memory=True)
    name = label.text_content().split()[0].rstrip("\u2026")
    tooltip = page.locator(TOOLTIP).filter(has_text=name)
    tooltip.wait_for(state="visible", timeout=5_000)
    assert re.search(r"\d+(\.\d+)? (B|kiB|MiB)", tooltip.inner_text())
    assert browser.errors == []


def test_progress_labels_in_the_side_panel_and_dark_theme(browser: BrowserPage, lab: Lab) -> None:
    page = browser.page
    run_workload(page, lab, ["dash.sidebar()"])
    panel = ".jp-DashboardPanel"
    page.locator(f"{panel} .bqplot.figure svg").first.wait_for(timeout=60_000)
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
