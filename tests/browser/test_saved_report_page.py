"""A saved report opened in headless Chromium with every network request blocked."""

from __future__ import annotations

import itertools

import pytest
from lab_driver import ARTIFACTS
from saved_reports import read_report
from workloads import fail, inc, slow

from jupyter_dashmon import Dashboard
from jupyter_dashmon.placement.report import SCRIPT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not SCRIPT.exists(), reason="the report script is built by npm in js/"),
]

EVIL = "<img src=x onerror=alert(1)>"
#: The Tasks page's plot inside its canvas (js/src/report.ts MARGIN) and height.
LEFT, RIGHT, TOP, BOTTOM, TASKS_HEIGHT = 28, 28, 36, 30, 420
#: The Tasks plot's box and its time axis's labels (text and box).
TICKS = """() => {
    const box = document.querySelector('[data-figure=tasks] canvas').getBoundingClientRect();
    return {left: box.left, right: box.right,
        ticks: [...document.querySelectorAll('[data-figure=tasks] .dashmon-plot-ticks span')]
            .map(s => { const b = s.getBoundingClientRect();
                return {text: s.textContent, left: b.left, right: b.right}; })};
}"""


@pytest.fixture
def saved(client, waiter, tmp_path):
    """A dashboard over a small run with a failing task and one long task keyed with HTML."""
    dash = Dashboard(client)
    try:
        client.gather(client.map(inc, range(60)))
        # Alone on the cluster for 0.4 s, so it is wide enough to hover.
        client.submit(slow, 1, delay=0.4, key=EVIL).result()
        failing = client.map(fail, range(3))
        client.gather(failing, errors="skip")

        def settled():
            s = dash.snapshot()
            keys = {r["key"] for r in s["tasks"]}
            return EVIL in keys and s["progress"].get("fail", {}).get("erred") == 3

        waiter(settled, timeout=30, what="the run to reach the dashboard")
        path = dash.save(tmp_path / "run.html")
        yield path, dash.snapshot()
    finally:
        dash.close()


def test_saved_report_opens_offline(saved, browser_context):
    path, snap = saved
    page = browser_context.new_page()
    problems: list[str] = []
    dialogs: list[str] = []
    asked: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    def route(r):
        asked.append(r.request.url)
        if r.request.url == path.as_uri():
            r.continue_()
        else:
            r.abort()

    page.route("**/*", route)
    try:
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-ready=true]", timeout=10_000)
        # Status: progress, memory, CPU and memory, network as SVG, the stream on a canvas.
        status = page.locator("#page-status")
        assert status.locator("svg.dashmon-figure").count() >= 4
        assert "inc 60 / 60" in status.inner_text()  # (inner_text folds spaces)
        page.wait_for_selector("[data-figure=stream][data-drawn]")
        assert int(page.get_attribute("[data-figure=stream]", "data-painted")) > 0

        page.click("nav.dashmon-tabs button[data-page=Tasks]")
        page.wait_for_selector("[data-figure=tasks][data-drawn]")
        tasks = page.locator("[data-figure=tasks]")
        assert int(tasks.get_attribute("data-tasks")) == len(snap["tasks"])
        assert int(tasks.get_attribute("data-painted")) == len(snap["tasks"])

        # Hover the long task: its key shows, as text.
        read = read_report(path)
        cols = read["columns"]
        i = cols["keys"].index(EVIL)
        rows = len(read["doc"]["tasks"]["threads"])
        lo, hi = float(cols["x0"].min()), float(cols["x1"].max())
        hi += (hi - lo) * 0.01
        box = page.locator("[data-figure=tasks] canvas").bounding_box()
        width = box["width"] - LEFT - RIGHT
        band = (TASKS_HEIGHT - TOP - BOTTOM) / rows
        t = (float(cols["x0"][i]) + float(cols["x1"][i])) / 2
        x = box["x"] + LEFT + (t - lo) / (hi - lo) * width
        y = box["y"] + TOP + (int(cols["row"][i]) + 0.5) * band
        page.mouse.move(x, y)
        tip = page.locator(".dashmon-tooltip")
        tip.wait_for(state="visible", timeout=5000)
        assert tip.inner_text().startswith(EVIL)
        assert tip.locator("img").count() == 0
        assert page.locator("img").count() == 0

        # Zoom in about the long task (wheel), then pan (drag): fewer tasks in view.
        drawn = int(tasks.get_attribute("data-drawn"))
        for _ in range(5):
            page.mouse.wheel(0, -400)
        page.wait_for_function(
            f"() => +document.querySelector('[data-figure=tasks]').dataset.drawn > {drawn}"
        )
        page.wait_for_timeout(300)
        zoomed_in = int(tasks.get_attribute("data-painted"))
        assert 0 < zoomed_in < len(snap["tasks"])
        page.mouse.move(x, y)
        tip.wait_for(state="visible", timeout=5000)
        assert tip.inner_text().startswith(EVIL)  # still under the pointer after zooming about it
        # Drag right by the plot's width, eight times: the view moves eight spans
        # earlier, past the long task (at least 0.135 of the whole run is in view,
        # and the task is at most the whole run).
        for _ in range(8):
            page.mouse.move(box["x"] + LEFT + 2, y)
            page.mouse.down()
            page.mouse.move(box["x"] + LEFT + width - 2, y, steps=5)
            page.mouse.up()
        page.mouse.move(x, y)
        page.wait_for_timeout(300)
        assert not (tip.is_visible() and tip.inner_text().startswith(EVIL))
        page.click(".dashmon-plot[data-figure=tasks] button >> text=Show all")
        page.wait_for_timeout(300)
        assert int(tasks.get_attribute("data-painted")) == len(snap["tasks"])
        # The time axis, wide and in a 300 px window: two labels at least, apart, inside.
        for viewport in (None, {"width": 300, "height": 800}):
            if viewport:
                page.set_viewport_size(viewport)
                page.wait_for_timeout(500)
            labels = page.evaluate(TICKS)
            assert len(labels["ticks"]) >= 2, labels
            assert all(a["right"] < b["left"] for a, b in itertools.pairwise(labels["ticks"]))
            assert all(
                labels["left"] <= t["left"] and t["right"] <= labels["right"]
                for t in labels["ticks"]
            )
        page.set_viewport_size({"width": 1400, "height": 900})

        page.click("nav.dashmon-tabs button[data-page=Workers]")
        table = page.locator("#page-workers table.dashmon-workers tbody tr")
        assert table.count() == len(snap["workers"]) + 1  # and the totals row
        assert page.locator("#page-workers svg.dashmon-figure").count() >= 2 + len(snap["workers"])
        page.click("nav.dashmon-tabs button[data-page=Scheduler]")
        assert page.locator("#page-scheduler svg.dashmon-figure").count() == 5
        page.click("nav.dashmon-tabs button[data-page=Errors]")
        assert "fails on purpose" in page.locator("#page-errors").inner_text()
        page.click("nav.dashmon-tabs button[data-page=Cells]")
        assert page.locator("#page-cells").is_visible()

        assert problems == []
        assert dialogs == []
        assert asked == [path.as_uri()]
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report-failure.png"), full_page=True)
        raise
    finally:
        page.close()


CLOSING = (
    "def work(x):\n    time.sleep(0.01)\n    return x\n"
    "client.gather(client.map(work, range(123)))\n"
    "deadline = time.time() + 30\n"
    "while dash.snapshot()['progress'].get('work', {}).get('done') != 123:\n"
    "    assert time.time() < deadline\n"
    "    time.sleep(0.1)\n"
    "client.close()\ncluster.close()"
)


def test_closed_dashboard_leaves_its_picture_in_jupyterlab(browser, lab):
    from lab_driver import DASHBOARD_CELL, open_and_run
    from layout_probe import set_theme

    page = browser.page
    open_and_run(page, lab, [DASHBOARD_CELL, CLOSING])
    first = page.locator(".jp-NotebookPanel .jp-Cell").first
    picture = first.locator(".jp-OutputArea-output .dashmon-closed")
    picture.wait_for(timeout=30_000)
    text = picture.inner_text()
    assert "123 of 123 tasks done" in text
    assert "work 123 / 123" in text
    # The widget's view is gone from that output: the picture took its place.
    assert first.locator(".dashmon-dashboard").count() == 0
    assert picture.locator("svg.dashmon-figure").count() >= 4
    ARTIFACTS.mkdir(exist_ok=True)
    picture.screenshot(path=str(ARTIFACTS / "closed-picture-light.png"))
    set_theme(page, dark=True)
    picture.screenshot(path=str(ARTIFACTS / "closed-picture-dark.png"))
    set_theme(page, dark=False)
    assert browser.errors == []
