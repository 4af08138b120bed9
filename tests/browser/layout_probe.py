"""What the layout tests and the screenshot script share: a workload, and page probes.

The probes run in the page (``page.evaluate``) and return plain data: what
overflows its container, which texts are cut, where the Workers table's
header cells sit against their columns.  The workload runs about twenty
functions, some failing, with transfers, so the pages are as full as a
user's would be.
"""

from __future__ import annotations

import time
from typing import Any

#: A notebook cell (after ``lab_driver.DASHBOARD_CELL``): twenty functions
#: named like a pipeline's steps, a few failing tasks, and a dask.array
#: reduction that moves data between the two workers.
TWENTY_FUNCTIONS = (
    "import dask.array as da\n"
    "def step(name):\n"
    "    def run(x):\n"
    "        time.sleep(random.random() * 0.02)\n"
    "        return x + 1\n"
    "    run.__name__ = run.__qualname__ = name\n"
    "    return run\n"
    "names = ['load_csv', 'parse_dates', 'clean_rows', 'tokenize', 'embed', 'normalize',\n"
    "         'dedupe', 'join_users', 'score', 'rank', 'bucketize', 'aggregate_daily',\n"
    "         'render_report', 'compress', 'upload', 'validate_schema', 'enrich_geo']\n"
    "futures = [f for name in names\n"
    "           for f in client.map(step(name), range(12 + 3 * len(name)), pure=False)]\n"
    "def flaky(i):\n"
    "    if i % 6 == 0:\n"
    "        raise ValueError(i)\n"
    "    return i\n"
    "failing = client.map(flaky, range(24))\n"
    "x = da.random.random((1000, 1000), chunks=(250, 250))\n"
    "total = (x + x.T).mean(axis=0).sum().compute()\n"
    "client.gather(futures)\n"
    "_ = client.gather(failing, errors='skip')\n"
    "time.sleep(1.5)  # a few resource samples and redraws after the work\n"
    "print('WORKLOAD DONE')"
)

#: Every element of ``scope`` that sticks out of it sideways, and every text
#: that is cut (its content wider than its box).  Elements without a box
#: (detached or hidden) are skipped.
OVERFLOWS = """(scope) => {
    const root = document.querySelector(scope);
    if (root === null) return [{what: 'no ' + scope}];
    const box = root.getBoundingClientRect();
    const found = [];
    const name = el => {
        const title = el.querySelector && el.querySelector('text.mainheading');
        return title ? 'figure "' + title.textContent.trim() + '"' : el.className;
    };
    const sticksOut = (el) => {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) return;
        if (r.left < box.left - 1 || r.right > box.right + 1) {
            found.push({what: name(el), left: Math.round(r.left), right: Math.round(r.right),
                        container: [Math.round(box.left), Math.round(box.right)]});
        }
    };
    // every widget's element (each has the class jupyter-widgets), the table's box, the tabs
    const selectors = ['.jupyter-widgets', '.bqplot.figure', '.dashmon-lines',
        '.dashmon-workers-scroll',
        '.lm-TabBar', 'select'];
    root.querySelectorAll(selectors.join(',')).forEach(sticksOut);
    root.querySelectorAll('.lm-TabBar-tabLabel, .dashmon-status, .jupyter-button').forEach(el => {
        if (el.offsetParent === null) return;
        if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) {
            found.push({what: 'cut text "' + el.textContent.trim() + '"',
                        content: [el.scrollWidth, el.scrollHeight],
                        box: [el.clientWidth, el.clientHeight]});
        }
    });
    return found;
}"""

#: Width of ``scope`` and of each figure in it, by title.
FIGURE_WIDTHS = """(scope) => {
    const root = document.querySelector(scope);
    const figures = [...root.querySelectorAll('.bqplot.figure, .dashmon-bars, .dashmon-lines')]
        .filter(f => f.offsetParent);
    return {
        container: root.getBoundingClientRect().width,
        figures: figures.map(f => [
            (f.querySelector('text.mainheading, .dashmon-bars-title, .dashmon-stream-title')
                || {textContent: ''}).textContent.trim(),
            f.getBoundingClientRect().width]),
    };
}"""

#: Header cells of the Workers table in ``scope`` against the first row's cells:
#: [text, header left, header width, cell left, cell width, header cut?].
HEADER_ALIGNMENT = """(scope) => {
    const table = document.querySelector(scope + ' table.dashmon-workers');
    if (table === null) return null;
    const headers = [...table.querySelectorAll('thead th')];
    const first = table.querySelector('tbody tr');
    const cells = first ? [...first.querySelectorAll('td')] : [];
    return headers.map((th, i) => {
        const h = th.getBoundingClientRect();
        const c = cells[i] ? cells[i].getBoundingClientRect() : {left: NaN, width: NaN};
        return [th.textContent.trim(), h.left, h.width, c.left, c.width,
                th.scrollWidth > th.clientWidth + 1];
    });
}"""

#: Right sidebar tabs that belong to this package: their ``data-id``s.
DASHMON_SIDEBAR_TABS = """() => [...document.querySelectorAll(
        '.jp-SideBar.jp-mod-right .lm-TabBar-tab')]
    .map(li => li.dataset.id || '').filter(id => id.startsWith('jupyter-dashmon'))"""

_SET_RIGHT_WIDTH = """(width) => {
    const shell = window.jupyterapp.shell;
    shell.collapseLeft();
    const split = shell._hsplitPanel;
    const total = split.node.getBoundingClientRect().width;
    const sizes = split.relativeSizes();
    const right = width / total;
    split.setRelativeSizes([sizes[0], Math.max(1 - sizes[0] - right, 0.05), right]);
    return true;
}"""


def set_right_width(page: Any, width: int, panel: str = ".jp-DashboardPanel") -> float:
    """Make the right side panel ``width`` pixels wide; returns the width reached."""
    reached = 0.0
    for _ in range(4):  # the split handle and borders take a few pixels: correct and retry
        page.evaluate(_SET_RIGHT_WIDTH, width + (width - reached if reached else 0))
        page.wait_for_timeout(300)
        reached = page.evaluate(
            f"() => document.querySelector('{panel}').getBoundingClientRect().width"
        )
        if abs(reached - width) <= 2:
            break
    page.wait_for_timeout(700)  # figures redraw at their new size
    return float(reached)


def set_theme(page: Any, dark: bool) -> None:
    """Switch JupyterLab's theme and wait until the page has it."""
    theme = "JupyterLab Dark" if dark else "JupyterLab Light"
    page.evaluate(
        "(theme) => window.jupyterapp.commands.execute('apputils:change-theme', {theme})", theme
    )
    page.wait_for_function(
        f"() => document.body.dataset.jpThemeLight === '{str(not dark).lower()}'",
        timeout=20_000,
    )
    page.wait_for_timeout(1000)  # theme CSS applied and figures repainted


def show_tab(page: Any, scope: str, name: str) -> None:
    """Select the dashboard page ``name`` inside ``scope`` and let it draw."""
    page.locator(f"{scope} .lm-TabBar-tab", has_text=name).first.click()
    page.wait_for_timeout(1500)


def wait_for_text(page: Any, text: str, timeout: float = 120.0) -> None:
    """Wait until an output area of the page shows ``text``."""
    deadline = time.monotonic() + timeout
    output = page.locator(".jp-NotebookPanel .jp-OutputArea-output", has_text=text)
    while time.monotonic() < deadline:
        if output.count():
            return
        page.wait_for_timeout(250)
    raise TimeoutError(f"no output {text!r} within {timeout} s")
