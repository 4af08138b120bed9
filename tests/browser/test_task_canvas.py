"""The task stream drawn on a canvas, as a user sees it: real JupyterLab, real
kernel and LocalCluster, headless Chromium.

Where a task's rectangle is comes from what the kernel drew (printed by the
notebook); the test then reads the canvas's pixels there, hovers it, drags
the time axis, and checks the side panel and the dark theme.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import pytest
from lab_driver import ARTIFACTS, DASHBOARD_CELL, BrowserPage, Lab, open_and_run, pan_left
from layout_probe import set_right_width, wait_for_text

from jupyter_dashmon.collect.messages import ACTIONS

pytestmark = pytest.mark.browser

EVIL = "<img src=x onerror=window.dashmonXss=1>"
#: Margins of the plot inside the figure (js/src/stream.ts).
LEFT, TOP, RIGHT, BOTTOM = 28, 36, 28, 30

WORKLOAD = (
    "def slow(x):\n    time.sleep(0.4)\n    return x\n"
    "client.gather(client.map(slow, range(8)))\n"
    f"client.submit(slow, 99, key={EVIL!r}).result()\n"
    "view = dash.views['task_stream']\n"
    "deadline = time.time() + 30\n"
    "while view.rectangles < 9 and time.time() < deadline:\n"
    "    time.sleep(0.1)\n"
    "time.sleep(1.0)\n"
    "fig = view.figure\n"
    "print('DRAWN', json.dumps({**fig.drawn(), 'span': fig.span, 'rows': fig.rows,\n"
    "    'height': fig.height}))"
)

STREAM = ".dashmon-stream[data-title^='Task Stream']"
#: How the hover text of a record other than a computation begins.
OTHER_ACTIONS = tuple(f"{action}: " for action in ACTIONS if action != "compute")
TOOLTIP = ".dashmon-stream-tooltip"

PIXEL = """([selector, x, y]) => {
    const canvas = document.querySelector(selector + ' canvas');
    const box = canvas.getBoundingClientRect();
    const scale = canvas.width / box.width;
    const data = canvas.getContext('2d')
        .getImageData(Math.round((x - box.left) * scale), Math.round((y - box.top) * scale), 1, 1)
        .data;
    return [data[0], data[1], data[2], data[3]];
}"""

TICKS = """(selector) => [...document.querySelectorAll(selector + ' .dashmon-stream-ticks span')]
    .map(s => [s.textContent, s.getBoundingClientRect().left])"""

BOXES = """(selector) => {
    const el = document.querySelector(selector);
    const box = b => ({left: b.left, right: b.right, top: b.top, bottom: b.bottom});
    return {
        el: box(el.getBoundingClientRect()),
        canvas: box(el.querySelector('canvas').getBoundingClientRect()),
        title: box(el.querySelector('.dashmon-stream-title').getBoundingClientRect()),
        // Text cut by the title's box (an ellipsis or hidden overflow).
        titleCut: (t => t.scrollWidth > t.clientWidth + 1 || t.scrollHeight > t.clientHeight + 1)(
            el.querySelector('.dashmon-stream-title')),
        plotTop: el.querySelector('canvas').getBoundingClientRect().top + 36,
        ticks: [...el.querySelectorAll('.dashmon-stream-ticks span')]
            .map(s => ({text: s.textContent, ...box(s.getBoundingClientRect())})),
    };
}"""

THEME_COLOR = """(selector) => {
    const probe = document.createElement('span');
    probe.style.color = 'var(--jp-ui-font-color1)';
    document.body.appendChild(probe);
    const want = getComputedStyle(probe).color;
    probe.remove();
    const el = document.querySelector(selector);
    return {
        want,
        title: getComputedStyle(el.querySelector('.dashmon-stream-title')).color,
        ticks: [...el.querySelectorAll('.dashmon-stream-ticks span')]
            .map(s => getComputedStyle(s).color),
        light: document.body.dataset.jpThemeLight,
    };
}"""


def drawn(page: Any) -> dict:
    text = page.locator(".jp-NotebookPanel .jp-OutputArea-output", has_text="DRAWN").first
    return json.loads(text.inner_text().split("DRAWN", 1)[1].strip().splitlines()[0])


def centre(box: dict, d: dict, i: int) -> tuple[float, float]:
    """Page coordinates of the middle of record ``i``'s rectangle."""
    lo, hi = d["span"]
    width = box["width"] - LEFT - RIGHT
    band = (d["height"] - TOP - BOTTOM) / max(d["rows"], 1)
    x = box["x"] + LEFT + ((d["x0"][i] + d["x1"][i]) / 2 - lo) / (hi - lo) * width
    y = box["y"] + TOP + (d["row"][i] + 0.5) * band
    return x, y


def rgb(color: str) -> list[int]:
    return [int(color[k : k + 2], 16) for k in (1, 3, 5)]


def settled_box(page: Any, el: Any, timeout_s: float = 10.0) -> dict:
    """``el``'s box once the page stops moving it: three reads 200 ms apart agree.

    The notebook may still lay out (an output growing above the figure, a
    scroll bar coming or going) after the figure is drawn; a hover aimed
    from an older box lands on the neighbouring row or rectangle.
    """
    reads: list[dict] = []
    for _ in range(int(timeout_s / 0.2)):
        reads = [*reads[-2:], el.bounding_box()]
        if len(reads) == 3 and reads[0] == reads[1] == reads[2] and reads[0] is not None:
            return reads[0]
        page.wait_for_timeout(200)
    raise AssertionError(f"the figure kept moving for {timeout_s} s: {reads}")


def hover_text(page: Any, x: float, y: float) -> str:
    page.mouse.move(x - 3, y)
    page.mouse.move(x, y)
    tip = page.locator(TOOLTIP)
    tip.wait_for(state="visible", timeout=5_000)
    return tip.text_content() or ""


def test_stream_paints_hovers_and_pans(browser: BrowserPage, lab: Lab) -> None:
    page = browser.page
    page.set_viewport_size({"width": 1400, "height": 1000})
    open_and_run(page, lab, [DASHBOARD_CELL, WORKLOAD], wait_ms=120_000)
    d = drawn(page)
    stream = f".jp-NotebookPanel {STREAM}"
    el = page.locator(stream).first
    el.scroll_into_view_if_needed()
    box = settled_box(page, el)
    assert abs(box["height"] - d["height"]) < 1, box
    slow = [i for i, label in enumerate(d["label"]) if label.startswith("slow-")]
    evil = next(i for i, label in enumerate(d["label"]) if label.startswith(EVIL))
    assert len(slow) == 8 and d["rows"] == 4

    # Painted: the function's colour in the middle of each of its rectangles.
    for i in slow:
        x, y = centre(box, d, i)
        pixel = page.evaluate(PIXEL, [stream, x, y])
        assert pixel[3] == 255 and pixel[:3] == rgb(d["color"][i]), (i, pixel, d["color"][i])
    # ... and not between rows.
    x, y = centre(box, d, slow[0])
    band = (d["height"] - TOP - BOTTOM) / d["rows"]
    assert page.evaluate(PIXEL, [stream, x, y + band / 2])[3] == 0

    # Hover shows key, worker and duration, as the kernel labelled the task.
    i = slow[3]
    box = settled_box(page, el)
    text = hover_text(page, *centre(box, d, i))
    assert text == d["label"][i]
    # The task sleeps 0.4 s; a busy machine may run it longer, never shorter.
    shown = re.match(r"^slow-\S+ \| tcp://127\.0\.0\.1:\d+ \| (\d+(\.\d)?) ms$", text)
    assert shown and 400 <= float(shown[1]) < 1_000, text
    tip = page.locator(TOOLTIP).bounding_box()
    assert tip is not None and tip["x"] + tip["width"] <= 1400 and tip["y"] + tip["height"] <= 1000
    # Clear of the hovered rectangle's row (js/src/tooltips.ts): below or above it.
    x, y = centre(box, d, i)
    assert tip["y"] >= y + 0.3 * band or tip["y"] + tip["height"] <= y - 0.3 * band, (tip, y)

    # A key holding markup is shown as text, never run.
    box = settled_box(page, el)
    text = hover_text(page, *centre(box, d, evil))
    assert text.startswith(EVIL + " | ")
    assert page.evaluate(f"() => document.querySelector('{TOOLTIP}').children.length") == 0
    assert page.evaluate("() => window.dashmonXss === undefined")

    # Away from every rectangle, no tooltip.
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.locator(TOOLTIP).wait_for(state="hidden", timeout=5_000)

    # Pan/zoom on: hover still works, and a drag moves the window and fixes it.
    page.locator(".jp-NotebookPanel .dashmon-dashboard button", has_text="Pan/zoom").first.click()
    page.wait_for_function(
        f"() => document.querySelector(\"{stream}\").classList.contains('dashmon-stream-panzoom')"
    )
    i = slow[5]
    box = settled_box(page, el)
    assert hover_text(page, *centre(box, d, i)) == d["label"][i]
    ticks_before = page.evaluate(TICKS, stream)
    pan_left(page, box)
    page.wait_for_function(
        f"""() => (document.querySelector("{stream}").dataset.title || '')
            .includes('fixed window')""",
        timeout=20_000,
    )
    # The toggle's own message may follow the title's by a moment.
    fixed = page.locator(
        ".jp-NotebookPanel .dashmon-dashboard .widget-toggle-button.mod-active",
        has_text="Fixed window",
    )
    fixed.first.wait_for(timeout=5_000)
    assert page.evaluate(TICKS, stream) != ticks_before
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "task-canvas-inline-panned.png"))
    assert browser.errors == []


def test_stream_fits_the_side_panel_and_follows_the_dark_theme(
    browser: BrowserPage, lab: Lab
) -> None:
    page = browser.page
    page.set_viewport_size({"width": 1400, "height": 1000})
    open_and_run(page, lab, [DASHBOARD_CELL, WORKLOAD, "dash.sidebar()"], wait_ms=120_000)
    wait_for_text(page, "DRAWN")
    panel = f".jp-DashboardPanel {STREAM}"
    page.locator(panel).first.wait_for(state="visible", timeout=60_000)
    reached = set_right_width(page, 250)
    assert abs(reached - 250) <= 2, reached
    ARTIFACTS.mkdir(exist_ok=True)
    wanted = []
    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        if theme.endswith("Dark"):
            page.evaluate(
                "(theme) => window.jupyterapp.commands.execute('apputils:change-theme', {theme})",
                theme,
            )
            page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
            page.wait_for_timeout(1500)
        boxes = page.evaluate(BOXES, panel)
        el = boxes["el"]
        assert el["right"] - el["left"] <= 250
        inside = [boxes["canvas"], boxes["title"], *boxes["ticks"]]
        assert len(boxes["ticks"]) >= 2, boxes
        for b in inside:
            assert el["left"] - 0.5 <= b["left"] and b["right"] <= el["right"] + 0.5, (b, el)
            assert el["top"] - 0.5 <= b["top"] and b["bottom"] <= el["bottom"] + 0.5, (b, el)
        ticks = boxes["ticks"]
        assert all(a["right"] < b["left"] for a, b in itertools.pairwise(ticks)), ticks
        # The whole title shows (wrapped if need be), above the plot.
        assert not boxes["titleCut"] and boxes["title"]["bottom"] <= boxes["plotTop"] + 0.5, boxes
        colors = page.evaluate(THEME_COLOR, panel)
        assert colors["title"] == colors["want"] and set(colors["ticks"]) == {colors["want"]}
        wanted.append(colors["want"])
        # The panel's view draws the same rectangles as the inline one, without a resend.
        painted = page.evaluate(
            """(selector) => {
                const c = document.querySelector(selector + ' canvas');
                const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0;
                for (let i = 3; i < data.length; i += 4) n += data[i] === 255;
                return n;
            }""",
            panel,
        )
        assert painted > 500
        page.screenshot(path=str(ARTIFACTS / f"task-canvas-panel-250-{theme.split()[-1]}.png"))
    assert wanted[0] != wanted[1]  # the text did change with the theme
    zoom_through_spans(page, panel)
    assert browser.errors == []


#: Wheel the stream's time axis through ``n`` spans from ``lo`` to ``hi`` seconds
#: (evenly on a log scale), each turn about a pseudo-random point of the plot so
#: that round times fall anywhere on it; after each, in the next frame, note the
#: span and every placing of the tick labels with fewer than two, or touching.
ZOOM_SWEEP = """async ([selector, lo, hi, n]) => {
    const el = document.querySelector(selector);
    const canvas = el.querySelector('canvas');
    const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    let seed = 12345;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const spans = [], bad = [];
    for (let i = 0; i <= n; i++) {
        const want = lo * Math.pow(hi / lo, i / n);
        for (let k = 0; k < 8 && Math.abs(Math.log(Number(el.dataset.span) / want)) > 0.002; k++) {
            const b = canvas.getBoundingClientRect();
            const turn = Math.log(want / Number(el.dataset.span)) / 0.002;
            const deltaY = Math.max(-200, Math.min(200, turn));
            canvas.dispatchEvent(new WheelEvent('wheel', {deltaY, bubbles: true, cancelable: true,
                clientX: b.left + 28 + random() * (b.width - 56), clientY: b.top + b.height / 2}));
            await frame();
        }
        spans.push(Number(el.dataset.span));
        const ticks = [...el.querySelectorAll('.dashmon-stream-ticks span')].map(s => {
            const r = s.getBoundingClientRect();
            return {text: s.textContent, left: r.left, right: r.right};
        });
        if (ticks.length < 2 || ticks.some((t, j) => j > 0 && ticks[j - 1].right >= t.left)) {
            bad.push({span: spans[spans.length - 1], ticks});
        }
    }
    return {spans, bad};
}"""


def zoom_through_spans(page: Any, panel: str) -> None:
    """At every span from 0.2 s to 8 s, wherever round times fall, the 250 px
    panel's time axis shows two labels at least, apart (a CI run once showed
    one, ``18:12:25.5``, for a span of about 1.4 s)."""
    page.locator(".jp-DashboardPanel button", has_text="Pan/zoom").first.click()
    page.wait_for_function(
        f"() => document.querySelector(\"{panel}\").classList.contains('dashmon-stream-panzoom')"
    )
    swept = page.evaluate(ZOOM_SWEEP, [panel, 0.2, 8.0, 1200])
    spans = swept["spans"]
    assert min(spans) <= 0.21 and max(spans) >= 7.9, spans
    assert swept["bad"] == [], swept["bad"][:5]


#: A canvas of hand-made rectangles, one per row: durations that are exact
#: decimal ties (Python rounds them to even, JS's toFixed up), every unit, an
#: erred transfer and a run of pixels whose text is its whole label.
JOINED = (
    "import json, numpy as np\n"
    "from IPython.display import display\n"
    "from jupyter_dashmon.aggregate.segments import drawn as joined\n"
    "from jupyter_dashmon.aggregate.task_marks import TEXT_CODE, code_of\n"
    "from jupyter_dashmon.views.canvas import TaskCanvas\n"
    "seconds = [12.25e-3, 2.5e-6, 3.5e-6, 1.125, 1.375, 0.25e-3, 0.0123456, 7.0]\n"
    "codes = [0, 0, 0, 0, 0, 0, code_of('transfer', 'error'), TEXT_CODE]\n"
    "n = len(seconds)\n"
    "segs = {'x0': np.arange(n) * 1.0, 'x1': np.arange(n) + 0.8,\n"
    "    'row': np.arange(n, dtype=np.int32), 'color': np.zeros(n, dtype=np.int32),\n"
    "    'colors': ['#3d80d7'], 'code': np.array(codes, dtype=np.uint8),\n"
    "    'text': np.array([f'k-{i}' for i in range(n - 1)] + ['9 tasks, mostly k'],\n"
    "        dtype=object),\n"
    "    'worker': np.array([i % 2 for i in range(n - 1)] + [-1], dtype=np.int32),\n"
    "    'workers': ['tcp://a:1', 'tcp://b:2'], 'seconds': np.array(seconds),\n"
    "    'tasks': n, 'aggregated': False}\n"
    "fig = TaskCanvas(title='Joined labels', height=400, rows=n, span=(0.0, float(n)))\n"
    "fig.replace(segs)\n"
    "display(fig)\n"
    "print('DRAWN', json.dumps({**fig.drawn(), 'span': fig.span, 'rows': fig.rows,\n"
    "    'height': fig.height}))"
)


def test_the_browser_joins_each_hover_text_as_the_kernel_does(
    browser: BrowserPage, lab: Lab
) -> None:
    page = browser.page
    page.set_viewport_size({"width": 1400, "height": 1000})
    open_and_run(page, lab, [JOINED], wait_ms=60_000)
    d = drawn(page)
    assert d["label"][:6] == [
        "k-0 | tcp://a:1 | 12.2 ms",  # ties to even, as Python's format
        "k-1 | tcp://b:2 | 2 us",
        "k-2 | tcp://a:1 | 4 us",
        "k-3 | tcp://b:2 | 1.12 s",
        "k-4 | tcp://a:1 | 1.38 s",
        "k-5 | tcp://b:2 | 250 us",
    ]
    assert d["label"][6:] == ["transfer: k-6 | tcp://a:1 | 12.3 ms | erred", "9 tasks, mostly k"]
    selector = ".jp-NotebookPanel .dashmon-stream[data-title^='Joined labels']"
    el = page.locator(selector).first
    el.scroll_into_view_if_needed()
    box = settled_box(page, el)
    shown = [hover_text(page, *centre(box, d, i)) for i in range(len(d["label"]))]
    assert shown == d["label"]


def test_a_reloaded_page_draws_every_rectangle_held(browser: BrowserPage, lab: Lab) -> None:
    """A reload makes a new browser model, which starts from the kernel's state
    (its last batch of rectangles, an append) and asks for everything held."""
    page = browser.page
    page.set_viewport_size({"width": 1400, "height": 1000})
    open_and_run(page, lab, [DASHBOARD_CELL, WORKLOAD], wait_ms=120_000)
    d = drawn(page)
    # Nine tasks, sent in more than one batch: the state a new model starts
    # from holds only the last batch.  A loaded machine adds a record now and
    # then: distributed reports a "disk-read" when gathering a task's inputs
    # (none here) takes over 5 ms.  Every rectangle is checked below.
    computed = [label for label in d["label"] if not label.startswith(OTHER_ACTIONS)]
    assert len(computed) == 9, d["label"]
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function(
        "() => !document.querySelector('.jp-NotebookPanel.jp-mod-dirty, .jp-mod-dirty')"
    )
    page.reload()
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
    page.evaluate("() => window.jupyterapp.restored.then(() => true)")
    stream = f".jp-NotebookPanel {STREAM}"
    el = page.locator(stream).first
    el.wait_for(state="visible", timeout=60_000)
    el.scroll_into_view_if_needed()
    box = settled_box(page, el)
    # Every rectangle the kernel holds is painted in its colour, the first
    # eight (sent before the last batch) among them, and hovers as the kernel labels it.
    for i in range(len(d["x0"])):
        x, y = centre(box, d, i)
        want = ",".join(str(c) for c in rgb(d["color"][i]))
        page.wait_for_function(
            f"""() => {{
                const px = ({PIXEL})([{json.dumps(stream)}, {x}, {y}]);
                return px[3] === 255 && px.slice(0, 3).join() === {json.dumps(want)};
            }}""",
            timeout=20_000,
        )
    i = next(i for i, label in enumerate(d["label"]) if label.startswith("slow-"))
    box = settled_box(page, el)
    assert hover_text(page, *centre(box, d, i)) == d["label"][i]
    assert browser.errors == []
