"""Closing a Client closes its dashboards, without replacing any method of distributed.

On a real LocalCluster with worker processes, with a synchronous and an
asynchronous Client.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time

from distributed import Client
from distributed.preloading import PreloadManager
from ipywidgets import Widget

import jupyter_dashmon
from jupyter_dashmon import Dashboard
from jupyter_dashmon.collect.messages import PLUGIN_NAME
from jupyter_dashmon.placement import registry
from jupyter_dashmon.placement.layout import widgets_of

#: How long the collector may stay on the scheduler after its Client closed.
PROMPTLY = 5.0


def collector(dask_scheduler):
    """The collector's subscribers, or None when it is gone (runs on the scheduler)."""
    plugin = dask_scheduler.plugins.get(PLUGIN_NAME)
    return None if plugin is None else sorted(plugin._subscribers)


def every_widget(dash: Dashboard) -> list[Widget]:
    """The dashboard's own widget and every widget its views and pages hold."""
    found: list[Widget] = [dash, dash.pages, *dash.page_layout.contents]
    for view in dash.views.values():
        found.extend(widgets_of(view))
    return found


def assert_closed(dash: Dashboard, widgets: list[Widget]) -> None:
    assert dash._closed
    assert dash.model.status.state == "closed"
    assert dash.listener._task is None
    redraws = [v.redraw for v in dash.views.values() if hasattr(v, "redraw")]
    assert len(redraws) >= 8 and not any(r.active for r in redraws)
    still_open = [w for w in widgets if w.comm is not None]  # closing unregisters it too
    assert still_open == []


def test_no_method_of_distributed_is_replaced():
    assert jupyter_dashmon.Dashboard is Dashboard
    foreign = {
        name
        for name, value in vars(Client).items()
        if inspect.isfunction(value) and not value.__module__.startswith("distributed.")
    }
    # The one addition is a new public method; Client._close is distributed's own.
    assert foreign == {"dashboard"}
    assert Client._close.__module__ == "distributed.client"
    assert Client._close.__qualname__ == "Client._close"


def test_one_quiet_preload_per_client(cluster, caplog):
    caplog.set_level(logging.DEBUG, logger="distributed.preloading")
    c = Client(cluster, set_as_default=False)
    first, second = c.dashboard(), c.dashboard()
    ours = [p for p in c.preloads if isinstance(p, registry.ClosingPreload)]
    assert len(ours) == 1
    first.close()
    third = c.dashboard()
    assert [p for p in c.preloads if isinstance(p, registry.ClosingPreload)] == ours
    c.close()
    assert second._closed and third._closed
    # distributed prints its INFO lines in the notebook: opening and closing add none.
    assert [r.getMessage() for r in caplog.records if r.name == "distributed.preloading"] == []


def test_closing_a_sync_client_closes_its_dashboards(cluster, client, waiter):
    c = Client(cluster, set_as_default=False)
    dashboards = [c.dashboard(), Dashboard(c, interval="50ms")]
    for dash in dashboards:
        waiter(lambda dash=dash: dash.model.status.state == "live", what="dashboards live")
    subscribers = client.run_on_scheduler(collector)
    assert sum(s.startswith(f"{c.id}/") for s in subscribers) == 2
    widgets = {id(d): every_widget(d) for d in dashboards}
    assert len(widgets[id(dashboards[0])]) > 50

    c.close()

    # Closed before close() returned: the preload ran while the connection was open.
    assert c.status == "closed"
    for dash in dashboards:
        assert_closed(dash, widgets[id(dash)])
    assert registry.dashboards_of(c) == []
    waiter(
        lambda: client.run_on_scheduler(collector) is None,
        timeout=PROMPTLY,
        what="the collector to leave the scheduler",
    )


def test_closing_an_async_client_closes_its_dashboards(cluster):
    async def main() -> tuple[list[Dashboard], object]:
        async with Client(cluster.scheduler_address, asynchronous=True) as observer:
            c = await Client(cluster.scheduler_address, asynchronous=True)
            dashboards = [c.dashboard(interval="50ms"), Dashboard(c)]
            for _ in range(200):
                if all(d.model.status.state == "live" for d in dashboards):
                    break
                await asyncio.sleep(0.05)
            assert all(d.model.status.state == "live" for d in dashboards)
            subscribers = await observer.run_on_scheduler(collector)
            assert sum(s.startswith(f"{c.id}/") for s in subscribers) == 2
            widgets = {id(d): every_widget(d) for d in dashboards}

            await c.close()

            assert c.status == "closed"
            for dash in dashboards:
                assert_closed(dash, widgets[id(dash)])
            deadline = time.monotonic() + PROMPTLY
            left = await observer.run_on_scheduler(collector)
            while left is not None and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
                left = await observer.run_on_scheduler(collector)
            return dashboards, left

    dashboards, left = asyncio.run(main())
    assert left is None, f"collector still there with subscribers {left}"
    assert all(registry.dashboards_of(d.client) == [] for d in dashboards)


def test_without_its_preload_a_closed_client_is_still_noticed(cluster, client, waiter):
    """A Client whose preloads were replaced: the collector drops its subscriber
    when the scheduler removes the Client, and the dashboard closes itself when
    its listener finds the Client closed."""
    c = Client(cluster, set_as_default=False)
    dash = c.dashboard(interval="50ms")
    waiter(lambda: dash.model.status.state == "live", what="dashboard live")
    c.preloads = PreloadManager([])
    widgets = every_widget(dash)

    c.close()

    waiter(lambda: dash._closed, timeout=PROMPTLY, what="the dashboard to close itself")
    waiter(lambda: dash.listener._task is None, timeout=PROMPTLY, what="the listener to stop")
    assert_closed(dash, widgets)
    assert "Client was closed" in dash.model.status.message
    waiter(
        lambda: client.run_on_scheduler(collector) is None,
        timeout=PROMPTLY,
        what="the collector to drop the removed Client's subscriber",
    )


def test_closing_one_client_leaves_the_other_clients_dashboard(cluster, client, waiter):
    mine = client.dashboard()
    other = Client(cluster, set_as_default=False)
    theirs = other.dashboard()
    try:
        for dash in (mine, theirs):
            waiter(lambda dash=dash: dash.model.status.state == "live", what="both live")
        other.close()
        assert theirs._closed and not mine._closed
        time.sleep(0.5)
        subscribers = client.run_on_scheduler(collector)
        assert subscribers is not None and len(subscribers) == 1
        assert subscribers[0].startswith(f"{client.id}/")
        assert registry.dashboards_of(client) == [mine]
        assert mine.model.status.state == "live"
    finally:
        mine.close()
        other.close()
