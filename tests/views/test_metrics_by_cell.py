"""Metrics of one cell's run, on a real LocalCluster with worker processes.

Two tracked blocks (what a cell's execution is to the dashboard) run
different functions; choosing one in the Metrics view shows that run's
functions only, while all work shows both.
"""

from __future__ import annotations

from workloads import dec, inc

from jupyter_dashmon.placement import cells
from jupyter_dashmon.placement.layout import PAGES


def functions(metrics: dict) -> set[str]:
    return set(metrics["compute_by_function"])


def test_each_cell_shows_only_its_own_functions(client, waiter):
    dash = client.dashboard()
    try:
        dash.pages.selected_index = PAGES.index("Metrics")
        with cells.track("increments") as first:
            client.gather(client.map(inc, range(8), pure=False))
        with cells.track("decrements <b>") as second:
            client.gather(client.map(dec, range(8), pure=False))

        def both_counted():
            rows = {r["run"]: r for r in dash.snapshot()["cells"]}
            return all(rows.get(run, {}).get("done") == 8 for run in (first, second))

        waiter(both_counted, timeout=20, what="both runs counted in the Cells view")
        view = dash.views["metrics"]
        waiter(
            lambda: {first, second} <= set(dict(view.cell.options).values()),
            10,
            "both runs offered in the cell chooser",
        )
        labels = {run: label for label, run in view.cell.options}
        assert labels[first] == "increments" and labels[second] == "decrements <b>"

        for run, mine, other in ((first, "inc", "dec"), (second, "dec", "inc")):
            view.cell.value = run
            assert dash.model.metrics.run == run
            # The workers send their metrics with their heartbeats: wait for them.
            waiter(
                lambda mine=mine, run=run: (
                    mine in functions(dash.snapshot()["metrics"]) and dash.model.metrics.run == run
                ),
                30,
                f"{mine}'s metrics in its own run",
            )
            m = dash.snapshot()["metrics"]
            assert m["run"] == run
            assert functions(m) == {mine}, m["compute_by_function"]
            assert other not in dash.model.metrics.functions
            # inc and dec sleep: off-CPU compute time, eight tasks of up to 0.1 s.
            assert 0 < m["compute_by_function"][mine] < 8 * 0.1 + 1.0
            assert all(not name.startswith(("transfer", "send")) for name in m["seconds"])

        view.cell.value = ""
        waiter(
            lambda: {"inc", "dec"} <= functions(dash.snapshot()["metrics"]),
            15,
            "all work to show both functions",
        )
        assert dash.snapshot()["metrics"]["run"] == ""
    finally:
        dash.close()
