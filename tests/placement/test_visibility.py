"""Pages that report themselves hidden hold the dashboards' redraws (kernel side).

The browser half (the extension reporting ``document.visibilityState``) is in
``tests/browser/test_dashboard_views.py``; the heap of a really hidden page is
measured by ``bench/browser_soak.py``.
"""

from __future__ import annotations

import logging

import pytest
from workloads import inc

import jupyter_dashmon  # noqa: F401  (adds Client.dashboard)
from jupyter_dashmon.placement import visibility
from jupyter_dashmon.placement.visibility import PageVisibility


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def message(data: object, session: object = "page-1") -> dict:
    return {"header": {"session": session, "msg_type": "comm_msg"}, "content": {"data": data}}


def test_no_report_means_seen() -> None:
    assert PageVisibility().seen()


def test_hidden_only_when_every_reporting_page_is_hidden() -> None:
    pages = PageVisibility()
    pages.report("a", "hidden")
    assert not pages.seen()
    pages.report("b", "visible")
    assert pages.seen()
    pages.report("b", "hidden")
    assert not pages.seen()
    pages.report("a", "visible")
    assert pages.seen()
    pages.report("a", "closed")
    assert not pages.seen()
    pages.report("b", "closed")
    assert pages.seen()  # nobody reports any more: draw as without the extension


def test_a_silent_page_expires() -> None:
    clock = Clock()
    pages = PageVisibility(expiry=300, clock=clock)
    pages.report("gone", "hidden")
    clock.now += 299
    assert not pages.seen()
    clock.now += 2
    assert pages.seen()


def test_subscribers_hear_changes_only_and_one_failure_stops_none(caplog) -> None:
    pages = PageVisibility()
    heard: list[bool] = []

    def broken() -> None:
        raise RuntimeError("boom")

    pages.subscribe(broken)
    undo = pages.subscribe(lambda: heard.append(pages.seen()))
    with caplog.at_level(logging.ERROR, logger="jupyter_dashmon"):
        pages.report("a", "visible")  # no change: seen before and after
        pages.report("a", "hidden")
        pages.report("a", "hidden")  # heartbeat, no change
        pages.report("a", "visible")
    assert heard == [False, True]
    assert sum("visibility subscriber failed" in r.getMessage() for r in caplog.records) == 2
    undo()
    pages.report("a", "hidden")
    assert heard == [False, True]


def test_report_rejects_unknown_states() -> None:
    with pytest.raises(ValueError, match="visibility must be one of"):
        PageVisibility().report("a", "invisible")


@pytest.mark.parametrize(
    "msg",
    [
        message({"visibility": "hidden", "extra": 1}),
        message({"visibility": "__import__('os').system('true')"}),
        message({"visibility": ["hidden"]}),
        message("hidden"),
        message(None),
        message({"visibility": "hidden"}, session=None),
        message({"visibility": "hidden"}, session=""),
        message({"visibility": "hidden"}, session="x" * 201),
        message({"visibility": "hidden"}, session={"id": 1}),
        {"content": {"data": {"visibility": "hidden"}}},
        "not a message",
    ],
)
def test_malformed_messages_are_ignored_with_one_log_line(msg, caplog) -> None:
    pages = PageVisibility()
    with caplog.at_level(logging.WARNING, logger="jupyter_dashmon"):
        pages._on_msg(msg)
        pages._on_msg(msg)
    assert pages.seen() and pages._pages == {}
    lines = [r for r in caplog.records if "ignored a malformed message" in r.getMessage()]
    assert len(lines) == 1


def test_a_well_formed_message_is_keyed_by_the_page_session() -> None:
    pages = PageVisibility()
    pages._on_msg(message({"visibility": "hidden"}, session="tab-1"))
    pages._on_msg(message({"visibility": "visible"}, session="tab-2"))
    assert set(pages._pages) == {"tab-1", "tab-2"} and pages.seen()


def test_a_picked_tab_reaches_its_dashboard_only() -> None:
    pages = PageVisibility()
    picked: list[tuple[str, int]] = []
    forget = pages.listen_tabs("abc", lambda i: picked.append(("abc", i)))
    pages.listen_tabs("def", lambda i: picked.append(("def", i)))
    pages._on_msg(message({"dashboard": "abc", "tab": 2}))
    pages._on_msg(message({"dashboard": "someone-else", "tab": 1}))  # another kernel's
    assert picked == [("abc", 2)] and pages._pages == {}  # not a visibility report
    forget()
    pages._on_msg(message({"dashboard": "abc", "tab": 3}))
    assert picked == [("abc", 2)]


@pytest.mark.parametrize(
    "data",
    [
        {"dashboard": "abc", "tab": "2"},
        {"dashboard": "abc", "tab": -1},
        {"dashboard": "abc", "tab": True},
        {"dashboard": "abc", "tab": 1, "more": 1},
        {"dashboard": ["abc"], "tab": 1},
    ],
)
def test_a_malformed_tab_report_picks_nothing(data, caplog) -> None:
    pages = PageVisibility()
    picked: list[int] = []
    pages.listen_tabs("abc", picked.append)
    with caplog.at_level(logging.WARNING, logger="jupyter_dashmon"):
        pages._on_msg(message(data))
    assert picked == [] and pages._pages == {}


def test_the_dashboard_shows_the_page_a_report_picks(client) -> None:
    dash = client.dashboard()
    try:
        tabs = dash.page_layout.tabs
        model_id = tabs.model_id
        assert f"dashmon-tabs-{tabs.model_id}" in tabs._dom_classes
        visibility.pages._on_msg(message({"dashboard": tabs.model_id, "tab": 1}))
        assert tabs.selected_index == 1
        assert dash.page_layout._boxes[1].children and not dash.page_layout._boxes[0].children
        visibility.pages._on_msg(message({"dashboard": tabs.model_id, "tab": 99}))
        assert tabs.selected_index == 1  # no such page: nothing moves
    finally:
        dash.close()
    # Closed: the dashboard no longer listens.
    assert model_id not in visibility.pages._tab_listeners


def test_watch_does_nothing_outside_a_kernel() -> None:
    assert PageVisibility().watch() is False


def test_dashboard_holds_redraws_while_hidden_and_catches_up(client, waiter, monkeypatch):
    pages = PageVisibility()
    monkeypatch.setattr(visibility, "pages", pages)
    dash = client.dashboard()
    stream = dash.views["task_stream"]
    try:
        client.gather(client.map(inc, range(10)))
        waiter(lambda: stream.rectangles >= 10, timeout=20, what="the first tasks drawn")
        pages.report("page-1", "hidden")
        waiter(lambda: not stream.redraw.active, timeout=10, what="redraws held")
        drawn = stream.rectangles
        client.gather(client.map(inc, range(100, 150)))
        waiter(lambda: len(dash.model.tasks.records) >= drawn + 50, timeout=20, what="the model")
        assert stream.rectangles == drawn  # nothing sent to a page nobody sees
        assert dash.views["progress"].redraw.active is False
        assert dash.gate.rechecking  # looks again once the reports would expire
        pages.report("page-1", "visible")
        waiter(lambda: stream.rectangles >= drawn + 50, timeout=10, what="the redraw on return")
        assert not dash.gate.rechecking
        assert dash.views["tasks"].redraw.active is False  # a hidden tab stays held
    finally:
        dash.close()
    assert pages._subscribers == []
