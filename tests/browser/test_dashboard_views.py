"""The inline dashboard and its pages in a real JupyterLab, in headless Chromium."""

from __future__ import annotations

import json
import re
from typing import Any

import lab_driver
import pytest
from lab_driver import ALL_CELLS_RAN, ARTIFACTS, DASHBOARD_CELL, DRAWN_CHART, BrowserPage, Lab

from jupyter_dashmon.placement.layout import PAGES

pytestmark = pytest.mark.browser

SETUP = DASHBOARD_CELL
EXAMPLE = (
    "def inc(x):\n    time.sleep(random.random() / 10)\n    return x + 1\n"
    "def dec(x):\n    time.sleep(random.random() / 10)\n    return x - 1\n"
    "def add(x, y):\n    time.sleep(random.random() / 10)\n    return x + y\n"
    "incs = client.map(inc, range(100))\n"
    "decs = client.map(dec, range(100))\n"
    "adds = client.map(add, incs, decs)\n"
    "total = client.submit(sum, adds)\n"
    "del incs, decs, adds\n"
    "total.result()"
)
SETTLE = (
    "deadline = time.time() + 30\n"
    "while time.time() < deadline"
    " and dash.snapshot()['progress'].get('inc', {}).get('done') != 100:\n"
    "    time.sleep(0.1)\n"
    "time.sleep(1)\n"
    "print('MODEL', json.dumps({'prefixes': len(dash.snapshot()['progress']),\n"
    "    'records': len(dash.snapshot()['task_stream'])}))"
)

DASHBOARD = ".jp-NotebookPanel .dashmon-dashboard"


def open_and_run(page: Any, lab: Lab, cells: list[str], wait: bool = True) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    lab_driver.open_and_run(page, lab, cells, wait_ms=120_000 if wait else None)


#: A chart's title: a bqplot figure's, or a row bar chart's (js/src/bars.ts).
TITLE = "text.mainheading, .dashmon-bars-title"


def figure(page: Any, title: str | re.Pattern, root: str = DASHBOARD) -> Any:
    """The inline chart (a bqplot figure, or a row bar chart) whose title starts
    with ``title`` (or matches it)."""
    pattern = title if isinstance(title, re.Pattern) else re.compile("^" + re.escape(title))
    return (
        page.locator(f"{root} .bqplot.figure, {root} .dashmon-bars")
        .filter(has=page.locator(TITLE, has_text=pattern))
        .first
    )


def stream_figure(page: Any, title: str | re.Pattern) -> Any:
    """The inline task figure (a canvas, js/src/stream.ts) whose title starts with ``title``."""
    pattern = title if isinstance(title, re.Pattern) else re.compile("^" + re.escape(title))
    return (
        page.locator(f"{DASHBOARD} .dashmon-stream")
        .filter(has=page.locator(".dashmon-stream-title", has_text=pattern))
        .first
    )


def painted(figure: Any) -> int:
    """Rectangles a task figure painted in its last frame."""
    return int(figure.get_attribute("data-rects") or 0)


def printed(page: Any, tag: str) -> dict:
    text = page.locator(".jp-NotebookPanel .jp-OutputArea-output", has_text=tag).first.inner_text()
    return json.loads(text.split(tag, 1)[1].strip().splitlines()[0])


def test_example_renders_inline(browser: BrowserPage, lab: Lab) -> None:
    page = browser.page
    open_and_run(page, lab, [SETUP, EXAMPLE, SETTLE])
    model = printed(page, "MODEL")
    progress = figure(page, "Progress")
    progress.wait_for()
    labels = progress.locator(".dashmon-bars-text").filter(
        has_text=re.compile(r"^\S+\s+[\d,]+ / [\d,]+$")
    )
    assert labels.count() == model["prefixes"] == 4
    assert {t.split()[0] for t in labels.all_text_contents()} == {"inc", "dec", "add", "sum"}
    assert "total: 301" in progress.locator(TITLE).text_content()
    # Task stream: one painted rectangle per record.
    stream = stream_figure(page, "Task Stream")
    stream.wait_for()
    assert painted(stream) >= model["records"] >= 301
    memory = figure(page, "Memory use")
    rows = memory.locator(".dashmon-bars-row")
    held = rows.filter(has=page.locator(".dashmon-bars-text", has_text=re.compile(r"^sum\s")))
    # The page redraws Memory use on its own cadence: under a loaded machine (CI)
    # the row of the result still held can come a moment after the model's.
    try:
        held.first.wait_for(timeout=15_000)
    except Exception:
        pytest.fail(f"no Memory use row for sum; rows: {rows.all_text_contents()}")
    assert held.count() == 1
    assert held.locator(".dashmon-bars-seg").first.evaluate("s => s.offsetWidth") >= 1
    for title in ("CPU", "Net"):  # "Net read … · write …", canvas line charts (js/src/lines.ts)
        chart = page.locator(f"{DASHBOARD} .dashmon-lines[data-title^='{title}']").first
        # Two lines of two samples at least, drawn in the last frame.
        page.wait_for_function("el => Number(el.dataset.points) >= 4", arg=chart.element_handle())
    assert browser.errors == []


BLOCKING = (
    "def nap(x):\n    time.sleep(0.25)\n    return x\n"
    "futures = client.map(nap, range(48))\n"
    "print('BLOCKING', flush=True)\n"
    "print('DONE', client.submit(sum, futures).result(), flush=True)"
)

WATCH = """() => {
    window.dashmonChanges = [];
    // The counts by state under the Progress bars change as tasks move on.
    const counts = document.querySelector(
        '.dashmon-dashboard .dashmon-progress .dashmon-bars-note');
    new MutationObserver(() => window.dashmonChanges.push(performance.now()))
        .observe(counts, {characterData: true, childList: true, subtree: true});
    window.dashmonMarks = {};
    const outputs = document.querySelector('.jp-NotebookPanel .jp-Notebook');
    new MutationObserver(() => {
        const text = [...outputs.querySelectorAll('.jp-OutputArea-output')]
            .map(o => o.innerText).join(' ');
        for (const tag of ['BLOCKING', 'DONE']) {
            if (text.includes(tag) && !(tag in window.dashmonMarks)) {
                window.dashmonMarks[tag] = performance.now();
            }
        }
    }).observe(outputs, {characterData: true, childList: true, subtree: true});
    return true;
}"""


def test_inline_view_changes_while_a_cell_blocks(browser: BrowserPage, lab: Lab) -> None:
    page = browser.page
    open_and_run(page, lab, [SETUP, "time.sleep(4)", BLOCKING], wait=False)
    figure(page, "Progress").wait_for(timeout=60_000)
    page.evaluate(WATCH)
    page.wait_for_function(ALL_CELLS_RAN, timeout=120_000)
    marks = page.evaluate("() => window.dashmonMarks")
    changes = page.evaluate("() => window.dashmonChanges")
    during = [t for t in changes if marks["BLOCKING"] <= t <= marks["DONE"]]
    assert marks["DONE"] - marks["BLOCKING"] > 1500  # the cell really sat in .result()
    assert len(during) >= 3, f"{len(during)} changes of the view while the cell was blocked"
    assert browser.errors == []


def test_a_tab_picked_while_a_cell_blocks_shows_its_page_at_once(
    browser: BrowserPage, lab: Lab
) -> None:
    # The Tab's own message waits for the cell; the page also tells the kernel on
    # the visibility comm (a subshell), so the Tasks page is drawn during the block.
    page = browser.page
    block = BLOCKING.replace("time.sleep(0.25)", "time.sleep(0.6)")  # about 8 s
    open_and_run(page, lab, [SETUP, block], wait=False)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output')]"
        ".some(o => o.innerText.startsWith('BLOCKING'))",
        timeout=120_000,
    )
    page.wait_for_timeout(1500)  # a few tasks done
    page.locator(".jp-NotebookPanel .dashmon-dashboard .lm-TabBar-tab", has_text="Tasks").click()
    stream = ".jp-NotebookPanel .dashmon-dashboard .dashmon-stream[data-title^='Tasks']"
    page.locator(stream).first.wait_for(timeout=4_000)
    page.wait_for_function(
        f'() => Number(document.querySelector("{stream}").dataset.rects || 0) > 0',
        timeout=4_000,
    )
    # Still inside the block: the cell has not printed DONE yet.
    outputs = page.locator(".jp-NotebookPanel .jp-OutputArea-output").all_inner_texts()
    assert not any(o.startswith("DONE") for o in outputs), "the cell ended first"
    page.wait_for_function(ALL_CELLS_RAN, timeout=120_000)
    assert browser.errors == []


CHURN = (
    "def inc(x):\n    time.sleep(0.01)\n    return x + 1\n"
    "for _ in range(30):\n"
    "    held = client.map(inc, range(20), pure=False)\n"
    "    client.gather(held)\n"
    "    time.sleep(0.35)\n"
    "    del held\n"
    "    time.sleep(0.35)\n"
    "print('CHURNED')"
)
ELEMENTS = """title => [...document.querySelectorAll(
        '.dashmon-dashboard .bqplot.figure, .dashmon-dashboard .dashmon-bars')]
    .filter(f => (f.querySelector('text.mainheading, .dashmon-bars-title') || {})
        .textContent.startsWith(title))
    .map(f => f.getElementsByTagName('*').length)[0]"""


def test_bar_charts_do_not_grow_the_page_as_they_update(browser: BrowserPage, lab: Lab) -> None:
    """bqplot's Bars leave an element behind per redraw; the dashboard's bars must not."""
    page = browser.page
    open_and_run(page, lab, [SETUP, CHURN], wait=False)
    figure(page, re.compile(r"^Memory use: (?!0 B)")).wait_for(timeout=60_000)  # inc held
    before = {t: page.evaluate(ELEMENTS, t) for t in ("Memory use", "Progress")}
    page.wait_for_function(ALL_CELLS_RAN, timeout=120_000)
    page.wait_for_timeout(1000)  # the last redraws
    after = {t: page.evaluate(ELEMENTS, t) for t in ("Memory use", "Progress")}
    # 30 rounds of results held then released: about 60 redraws of each figure.
    for title, count in before.items():
        assert after[title] - count <= 4, (title, count, after[title])
    assert browser.errors == []


HIDE_AND_SHOW = (
    "view = dash.views['task_stream']\n"
    "def wait_for(cond, timeout=60):\n"
    "    deadline = time.time() + timeout\n"
    "    while time.time() < deadline and not cond():\n"
    "        time.sleep(0.05)\n"
    "    return cond()\n"
    "print('HELD', wait_for(lambda: not view.redraw.active), flush=True)\n"
    "print('RESUMED', wait_for(lambda: view.redraw.active), flush=True)"
)
SET_VISIBILITY = """state => {
    Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => state});
    document.dispatchEvent(new Event('visibilitychange'));
}"""


def test_a_hidden_page_holds_redraws_even_while_a_cell_is_busy(
    browser: BrowserPage, lab: Lab
) -> None:
    """The extension reports the page hidden; the kernel, busy in a cell, hears it
    (comms run on a subshell) and holds the redraws, then resumes when shown."""
    page = browser.page
    open_and_run(page, lab, [SETUP, HIDE_AND_SHOW], wait=False)
    figure(page, "Progress").wait_for(timeout=60_000)
    output = page.locator(".jp-NotebookPanel .jp-OutputArea-output")
    try:
        page.evaluate(SET_VISIBILITY, "hidden")
        output.filter(has_text="HELD True").wait_for(timeout=30_000)
        assert page.locator(".jp-NotebookPanel .jp-InputPrompt").last.inner_text().strip() == "[*]:"
    finally:
        page.evaluate(SET_VISIBILITY, "visible")
    output.filter(has_text="RESUMED True").wait_for(timeout=30_000)
    page.wait_for_function(ALL_CELLS_RAN, timeout=30_000)
    assert browser.errors == []


def test_each_page_renders_and_a_worker_can_be_chosen(browser: BrowserPage, lab: Lab) -> None:
    page = browser.page
    open_and_run(page, lab, [SETUP, EXAMPLE, SETTLE])
    tabs = page.locator(f"{DASHBOARD} .lm-TabBar-tab")
    assert tabs.all_inner_texts() == list(PAGES)

    tabs.filter(has_text="Tasks").click()
    tasks = stream_figure(page, "Tasks")
    tasks.wait_for()
    page.wait_for_function(
        """() => [...document.querySelectorAll('.dashmon-dashboard .dashmon-stream')]
            .some(f => f.dataset.title.startsWith('Tasks') && +f.dataset.rects >= 301)""",
        timeout=20_000,
    )

    tabs.filter(has_text="Workers").click()
    table = page.locator(f"{DASHBOARD} .dashmon-workers-table")
    table.wait_for()
    assert table.locator("tr").count() >= 3  # totals and two workers
    chooser = page.locator(f"{DASHBOARD} .dashmon-worker-chooser select").first
    options = chooser.locator("option").all_inner_texts()
    worker = next(o for o in options if "tcp://" in o)
    chooser.select_option(label=worker)
    recent = stream_figure(page, "Recent tasks on this worker")
    recent.wait_for(timeout=20_000)
    recent.scroll_into_view_if_needed()  # a canvas draws only while on screen
    page.wait_for_function(
        """() => [...document.querySelectorAll('.dashmon-dashboard .dashmon-stream-title')]
            .some(t => /^Recent tasks on this worker: [1-9]/.test(t.textContent))""",
        timeout=20_000,
    )
    page.wait_for_function(
        """() => [...document.querySelectorAll('.dashmon-dashboard .dashmon-stream')]
            .some(f => f.dataset.title.startsWith('Recent tasks on') && +f.dataset.rects > 0)""",
        timeout=20_000,
    )
    assert figure(page, re.compile(r"^Memory \d")).locator("path.line").count() >= 1

    tabs.filter(has_text="Scheduler").click()
    figure(page, "Tasks by state").wait_for()
    assert figure(page, "Event loop").locator("path.line").count() >= 1
    assert browser.errors == []


HUNDRED_THOUSAND = (
    "import numpy as np\n"
    "n, threads = 100_000, 8\n"
    "rng = np.random.default_rng(0)\n"
    "dur = 0.001 + rng.random(n) * 0.01\n"
    "start = np.empty(n); clock = np.full(threads, time.time() - 3600)\n"
    "for i in range(n):\n"
    "    start[i] = clock[i % threads]; clock[i % threads] += dur[i] + 0.0002\n"
    "columns = {'key': [f'syn-{i:032x}' for i in range(n)], 'prefix': ['syn'] * n,\n"
    "           'worker': [f'tcp://10.0.0.{i % threads // 2}:1' for i in range(n)],\n"
    "           'thread': [i % 2 for i in range(n)], 'start': start.tolist(),\n"
    "           'stop': (start + dur).tolist(), 'code': [0] * n}\n"
    "dash.listener.stop_soon()\n"
    "time.sleep(0.5)\n"
    "from jupyter_dashmon.aggregate.task_windows import reset_store\n"
    "reset_store(dash.model.history, dash.model.tasks)  # the stream's threads go too\n"
    "dash.model.history.history.append_columns(columns)\n"
    "dash.model.history.revision += 1\n"
    "print('SYNTHETIC', len(dash.model.history.history))"
)


def test_100_000_tasks_render_on_the_tasks_page(
    browser: BrowserPage, lab: Lab, record_property
) -> None:
    page = browser.page
    open_and_run(page, lab, [SETUP, HUNDRED_THOUSAND])
    assert (
        "100000"
        in page.locator(
            ".jp-NotebookPanel .jp-OutputArea-output", has_text="SYNTHETIC"
        ).inner_text()
    )
    started = page.evaluate("() => performance.now()")
    page.locator(f"{DASHBOARD} .lm-TabBar-tab", has_text="Tasks").click()
    page.wait_for_function(
        """() => [...document.querySelectorAll('.dashmon-dashboard .dashmon-stream-title')]
            .some(t => t.textContent.includes('100,000 retained'))""",
        timeout=30_000,
    )
    rendered = page.evaluate(
        "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame("
        "() => r(performance.now()))))"
    )
    elapsed = (rendered - started) / 1000
    tasks = stream_figure(page, "Tasks")
    drawn = painted(tasks)
    record_property("render_100k_seconds", round(elapsed, 3))
    print(f"\n100,000 tasks on the Tasks page: {elapsed:.3f} s from click to drawn, {drawn} rects")
    assert 0 < drawn <= 8000  # aggregated by pixel, not one rectangle per task
    assert "aggregated by pixel" in (tasks.get_attribute("data-title") or "")
    # Pan: drag across the plot; the browser moves at once, the kernel refines.
    box = tasks.bounding_box()
    assert box is not None
    page.evaluate(
        """() => { window.dashmonFrames = []; let last = performance.now();
            const tick = now => { window.dashmonFrames.push(now - last); last = now;
                if (window.dashmonFrames.length < 120) requestAnimationFrame(tick); };
            requestAnimationFrame(tick); }"""
    )
    # The wheel scrolls the notebook until the figure's Pan/zoom button is on.
    page.locator(f"{DASHBOARD} button", has_text="Pan/zoom").first.click()
    page.wait_for_function(
        """() => [...document.querySelectorAll('.dashmon-dashboard .dashmon-stream')]
            .some(f => f.dataset.title.startsWith('Tasks')
                && f.classList.contains('dashmon-stream-panzoom'))"""
    )
    lab_driver.pan_left(page, box)
    page.wait_for_function(
        """() => [...document.querySelectorAll('.dashmon-dashboard .widget-label')]
            .some(l => l.textContent.includes('fixed window'))""",
        timeout=20_000,
    )
    frames = sorted(page.evaluate("() => window.dashmonFrames"))
    p95 = frames[int(len(frames) * 0.95) - 1]
    record_property("pan_frame_p95_ms", round(p95, 1))
    print(
        f"frame interval while panning: median {frames[len(frames) // 2]:.1f} ms, p95 {p95:.1f} ms"
    )
    assert browser.errors == []


def test_sidebar_shows_the_same_live_model(browser: BrowserPage, lab: Lab) -> None:
    page = browser.page
    work = (
        "futures = client.map(lambda x: x, range(40), key=[f'seen-{i}' for i in range(40)])\n"
        "client.gather(futures)\n"
        "deadline = time.time() + 20\n"
        "while time.time() < deadline"
        " and dash.snapshot()['progress'].get('seen', {}).get('done') != 40:\n"
        "    time.sleep(0.1)\n"
        "time.sleep(1)"
    )
    open_and_run(page, lab, [SETUP, "dash.sidebar()", work])
    panel = page.locator(".jp-DashboardPanel")
    panel.locator(DRAWN_CHART).first.wait_for(timeout=60_000)
    inline = figure(page, "Progress").locator(TITLE)
    side = figure(page, "Progress", root=".jp-DashboardPanel").locator(TITLE)
    # The change made by the last cell shows in both views of the one model.
    page.wait_for_function(
        """() => [...document.querySelectorAll(
                '.jp-DashboardPanel text.mainheading, .jp-DashboardPanel .dashmon-bars-title')]
            .some(t => t.textContent.includes('total: 40'))""",
        timeout=20_000,
    )
    assert "total: 40" in inline.text_content()
    assert side.text_content() == inline.text_content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "side-panel-and-inline.png"))
    assert browser.errors == []
