"""The dashboard's pages and its redraw gate, on an empty model (no cluster needed)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from ipywidgets import Widget

from jupyter_dashmon.aggregate import DashboardModel
from jupyter_dashmon.placement import visibility
from jupyter_dashmon.placement.gate import RedrawGate
from jupyter_dashmon.placement.layout import PAGES, PageLayout, build_views, widgets_of
from jupyter_dashmon.placement.visibility import PageVisibility


class Loop:
    """A Client's loop that runs callbacks at once (the gate only schedules on it)."""

    asyncio_loop = None

    def add_callback(self, callback: Callable[[], None]) -> None:
        callback()


class FakeClient:
    loop = Loop()


@pytest.fixture
def layout():
    pages = PageLayout(build_views(DashboardModel()))
    yield pages
    pages.close()


@pytest.fixture
def pages(monkeypatch) -> PageVisibility:
    tracker = PageVisibility()
    monkeypatch.setattr(visibility, "pages", tracker)
    return tracker


def attached(layout: PageLayout) -> list[int]:
    return [i for i, box in enumerate(layout.tabs.children) if box.children]


def active(layout: PageLayout) -> list[list[bool]]:
    return [[view.redraw.active for view in views] for views in layout.page_views]


def test_only_the_selected_page_is_attached(layout):
    assert list(layout.tabs.titles) == list(PAGES)
    assert attached(layout) == [0]
    assert layout.tabs.children[0].children == (layout.contents[0],)
    layout.tabs.selected_index = 2
    assert attached(layout) == [2] and layout.shown == 2
    assert layout.tabs.children[2].children == (layout.contents[2],)


def test_the_layout_rules_travel_with_the_widget(layout):
    # A hidden HTML widget's <style>: applies in a cell, the side panel, Voila.
    assert layout.children[0] is layout.style and layout.style.layout.display == "none"
    css = layout.style.value
    assert css.startswith("<style>") and css.endswith("</style>")
    css = re.sub(r"/\*.*?\*/", "", css.removeprefix("<style>"), flags=re.S)
    css = re.sub(r"@container[^{]*\{", "", css)  # narrow-figure rules: their selectors count
    rules = [r.split("{")[0].strip() for r in css.split("}") if "{" in r]
    # Each rule reaches the dashboard's own elements only, or its tooltips,
    # which bqplot puts outside it (under <body>) with the dashboard's class inside.
    assert rules and all(
        r.startswith(".dashmon-dashboard ") or ".dashmon-tooltip" in r for r in rules
    ), rules


def test_every_view_with_redraws_is_on_one_page(layout):
    on_pages = [view for views in layout.page_views for view in views]
    with_redraw = [view for view in layout.views.values() if hasattr(view, "redraw")]
    assert len(on_pages) == len({id(v) for v in on_pages})
    assert {id(v) for v in with_redraw} == {id(v) for v in on_pages}


#: The Profile, Groups, Metrics and Cluster memory pages, never shown in this test.
HIDDEN_NEW = [[False], [False], [False], [False]]


def test_the_gate_follows_the_tab_and_the_pages(layout, pages):
    gate = RedrawGate(layout, FakeClient())
    try:
        assert active(layout) == [
            [True] * 5,
            [False],
            [False, False],
            [False],
            [False],
            [False],
            *HIDDEN_NEW,
        ]
        layout.tabs.selected_index = 1
        assert active(layout) == [
            [False] * 5,
            [True],
            [False, False],
            [False],
            [False],
            [False],
            *HIDDEN_NEW,
        ]
        pages.report("page-1", "hidden")
        assert active(layout) == [
            [False] * 5,
            [False],
            [False, False],
            [False],
            [False],
            [False],
            *HIDDEN_NEW,
        ]
        pages.report("page-2", "visible")
        assert active(layout) == [
            [False] * 5,
            [True],
            [False, False],
            [False],
            [False],
            [False],
            *HIDDEN_NEW,
        ]
    finally:
        gate.close()
    assert pages._subscribers == []
    layout.tabs.selected_index = 0  # a closed gate switches nothing
    assert active(layout) == [
        [False] * 5,
        [True],
        [False, False],
        [False],
        [False],
        [False],
        *HIDDEN_NEW,
    ]


def test_closing_the_layout_closes_every_widget_and_redraw():
    layout = PageLayout(build_views(DashboardModel()))
    widgets = [layout.tabs, *layout.contents]
    for view in layout.views.values():
        widgets.extend(widgets_of(view))
    assert len(widgets) > 50 and all(isinstance(w, Widget) for w in widgets)
    layout.close()
    assert [w for w in widgets if w.comm is not None] == []
    assert not any(view.redraw.active for views in layout.page_views for view in views)
