"""Work by cell as a user sees it: real JupyterLab, kernel, LocalCluster and Chromium.

A card appears under a cell that runs Dask work and changes while the cell
is still busy; a failing cell's card and the Errors tab show an exception
message with markup in it as text; choosing a cell on the Cells tab narrows
the Tasks page to that cell's tasks.
"""

from __future__ import annotations

import re

import pytest
from lab_driver import DASHBOARD_CELL, BrowserPage, Lab, open_and_run

pytestmark = pytest.mark.browser

SLOW = (
    "def slow(x):\n    time.sleep(0.15)\n    return x\n"
    "total = client.submit(sum, client.map(slow, range(60))).result()\ntotal"
)
FAILING = (
    "from distributed import wait\n"
    "def picky(x):\n"
    "    if x % 4 == 0:\n"
    "        raise ValueError('bad <b>x</b>')\n"
    "    return x\n"
    "fs = client.map(picky, range(20))\nwait(fs)\nlen(fs)"
)
QUIET = "answer = 6 * 7"

CARD_TEXTS = """(index) => {
    const cell = document.querySelectorAll('.jp-NotebookPanel .jp-Cell')[index];
    const card = cell && cell.querySelector('.dashmon-card');
    return card ? card.textContent : null;
}"""

BUSY = """(index) => {
    const cell = document.querySelectorAll('.jp-NotebookPanel .jp-Cell')[index];
    return cell.querySelector('.jp-InputPrompt').textContent.includes('*');
}"""


def test_cards_cells_and_errors(browser: BrowserPage, lab: Lab) -> None:
    page = browser.page
    page.set_viewport_size({"width": 1400, "height": 1000})
    open_and_run(page, lab, [DASHBOARD_CELL, SLOW, FAILING, QUIET], wait_ms=None)

    # The card under the slow cell changes while the cell is still running.
    page.wait_for_function(f"() => ({CARD_TEXTS})(1) !== null", timeout=120_000)
    seen = set()
    while page.evaluate(BUSY, 1):
        text = page.evaluate(CARD_TEXTS, 1)
        if text:
            seen.add(re.sub(r"[\d.]+ (ms|s|us)", "", text))
        page.wait_for_timeout(100)
    assert len(seen) >= 2, seen
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-NotebookPanel .jp-InputPrompt')]
            .every(p => /^\\[\\d+\\]:$/.test(p.textContent.trim()))""",
        timeout=120_000,
    )
    page.wait_for_function(f"() => ({CARD_TEXTS})(1).includes('61 / 61 tasks in')", timeout=30_000)
    page.wait_for_function(
        f"() => ({CARD_TEXTS})(2) && ({CARD_TEXTS})(2).includes('15 / 20 tasks in')",
        timeout=30_000,
    )
    failing = page.evaluate(CARD_TEXTS, 2)
    assert "15 / 20 tasks in" in failing and "5 erred" in failing
    assert "ValueError('bad <b>x</b>') in picky" in failing  # as text
    assert page.evaluate(CARD_TEXTS, 3) is None  # no Dask work, no card
    injected = """() => [...document.querySelectorAll('.jp-NotebookPanel b')]
        .filter(b => b.textContent === 'x').length"""
    assert page.evaluate(injected) == 0

    dash = page.locator(".jp-NotebookPanel .dashmon-dashboard").first
    dash.scroll_into_view_if_needed()
    # The Status page points to the Errors tab.
    banner = dash.locator(".dashmon-errors-banner")
    banner.wait_for(state="visible", timeout=30_000)
    # The banner redraws at most once a second: wait for the last count.
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-NotebookPanel .dashmon-errors-banner')]
            .some(b => b.textContent.includes('5 tasks failed'))""",
        timeout=30_000,
    )
    assert "Errors tab" in banner.inner_text()

    dash.locator(".lm-TabBar-tab", has_text="Errors").click()
    errors = dash.locator(".dashmon-list").first
    errors.wait_for(timeout=30_000)
    assert "picky" in errors.inner_text() and "ValueError" in errors.inner_text()
    dash.locator("details summary", has_text="traceback").first.click()
    assert "bad <b>x</b>" in errors.inner_text()
    assert page.evaluate(injected) == 0

    dash.locator(".lm-TabBar-tab", has_text="Cells").click()
    table = dash.locator(".dashmon-list").first
    table.wait_for(timeout=30_000)
    rows = table.locator("tbody tr")
    assert rows.count() == 2  # two cells ran Dask work; newest first
    cell = re.match(r"In \[\d+\]", failing)
    assert cell is not None, failing
    assert rows.nth(0).inner_text().startswith(cell.group()), rows.nth(0).inner_text()
    assert "15 / 20" in rows.nth(0).inner_text()
    choose = dash.locator("select").first
    options = choose.locator("option").all_text_contents()
    # ipywidgets writes option labels with non-breaking spaces.
    chosen = [o for o in options if o.replace("\xa0", " ").startswith(cell.group())]
    assert chosen, (cell.group(), options)
    choose.select_option(label=chosen[0])
    dash.locator(".dashmon-card").first.wait_for(timeout=30_000)

    dash.locator(".lm-TabBar-tab", has_text="Tasks").click()
    title = dash.locator(".dashmon-stream[data-title^='Tasks']").first
    # All 20 of the cell's tasks, once the window has taken in the last records
    # (it redraws at most once a second); the title says what is in view.  It
    # counts records: on a loaded machine distributed adds a "disk-read" record
    # to a task now and then (gathering its inputs, none here, took over 5 ms),
    # so 20 to 40, and not the other cell's 61 and more.
    settled = """() => { const t = document.querySelector(
            ".jp-NotebookPanel .dashmon-stream[data-title^='Tasks']");
        const m = t && /, (\\d+) of In \\[\\d+\\] in view/.exec(t.dataset.title);
        return !!m && Number(m[1]) >= 20 && Number(m[1]) <= 40; }"""
    try:
        page.wait_for_function(settled, timeout=30_000)
    except Exception:
        raise AssertionError(title.get_attribute("data-title")) from None
    assert browser.errors == []
