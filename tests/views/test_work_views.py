"""The Cells and Errors pages and the card, from model data (escaping, order, changes)."""

from __future__ import annotations

import re

from jupyter_dashmon.aggregate.models import WorkModel
from jupyter_dashmon.aggregate.work import RUN_LABELS, cell_rows, error_rows, previous_runs
from jupyter_dashmon.views.card import card_html
from jupyter_dashmon.views.cells import CellsView, duration_cell
from jupyter_dashmon.views.errors import ErrorBanner, ErrorsView, banner_text

HOSTILE = "<img src=x onerror=alert(1)>"


def run(name, start, stop, total=10, done=10, erred=0, prefixes=None):
    prefixes = prefixes or {"inc": total}
    return {
        "name": name,
        "total": total,
        "done": done,
        "erred": erred,
        "bytes": 2048,
        "start": start,
        "stop": stop,
        "prefixes": prefixes,
        "finished": {p: min(n, done) for p, n in prefixes.items()},
        "seconds": {"compute": 1.5, "transfer": 0.25, "disk-read": 0.1, "deserialize": 0.05},
    }


def group(prefix="picky", count=5, run="t/3", last=30.0):
    return {
        "prefix": prefix,
        "exception": "ValueError",
        "message": f"ValueError('{HOSTILE}')",
        "traceback": f'  File "x.py", line 3, in {prefix}\n    raise ValueError("{HOSTILE}")\n',
        "count": count,
        "keys": [f"{prefix}-{i}" for i in range(min(count, 5))],
        "workers": ["tcp://127.0.0.1:1"],
        "first": 20.0,
        "last": last,
        "run": run,
    }


def labelled():
    RUN_LABELS.add(
        "t/1", {"cell": 1, "name": "In [1]", "code": "x.sum().compute()", "cell_id": "c1"}
    )
    RUN_LABELS.add("t/2", {"cell": 2, "name": "In [2]", "code": HOSTILE, "cell_id": "c2"})
    RUN_LABELS.add(
        "t/3", {"cell": 3, "name": "In [3]", "code": "x.sum().compute()", "cell_id": "c1"}
    )


def test_rows_newest_first_with_activities_and_previous_run_of_the_same_cell():
    labelled()
    runs = {"t/1": run("t/1", 0.0, 4.0), "t/2": run("t/2", 5.0, 6.0), "t/3": run("t/3", 7.0, 13.0)}
    rows = cell_rows(runs, RUN_LABELS)
    assert [r["cell"] for r in rows] == [3, 2, 1]
    assert rows[0]["cpu"] == {
        "compute": 1.5,
        "transfer": 0.25,
        "disk": 0.1,
        "serialization": 0.05,
        "other": 0.0,
    }
    before = previous_runs(rows)
    assert before["t/3"]["run"] == "t/1" and "t/2" not in before
    cell = duration_cell(rows[0], before["t/3"], now=20.0)
    assert cell.text == "6.00 s +2.00 s (+50%)" and cell.css == "slower"


def test_running_row_has_no_stop_and_says_running():
    labelled()
    rows = cell_rows({"t/1": run("t/1", 0.0, 1.0, total=10, done=4)}, RUN_LABELS)
    assert rows[0]["stop"] is None
    assert duration_cell(rows[0], None, now=3.0).text.startswith("running 3.00 s")


def test_cells_page_escapes_code_and_marks_the_chosen_run():
    labelled()
    model = WorkModel()
    view = CellsView(model)
    model.runs = {"t/2": run("t/2", 5.0, 6.0)}
    view.redraw.every = 0.0
    view._update()
    assert HOSTILE not in view.table.value and "&lt;img src=x" in view.table.value
    view.choose.value = "t/2"
    assert model.selected == "t/2"
    view._update()
    assert re.search(r'<tr class="selected">', view.table.value)
    assert "dashmon-card" in view.chosen.value and "inc 10/10" in view.chosen.value
    view.choose.value = ""
    view._update()
    assert view.chosen.value == "" and model.selected == ""


def test_errors_page_is_text_and_one_row_per_kind():
    labelled()
    model = WorkModel()
    view = ErrorsView(model)
    banner = ErrorBanner(model)
    model.errors = [group(count=10_000)]
    view._update()
    banner._update()
    page = view.widget.value
    assert HOSTILE not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert page.count("<details>") == 1 and "10,000" in page and "In [3]" in page
    assert "and 9,995 more" in page
    assert banner.widget.layout.display == "" and "10,000 tasks failed" in banner.widget.value
    rows = error_rows([group(last=1.0), group(prefix="other", last=2.0)], RUN_LABELS)
    assert [r["prefix"] for r in rows] == ["other", "picky"]
    assert banner_text([]) == ""


def test_card_is_escaped_and_says_the_first_error():
    labelled()
    (row,) = cell_rows({"t/2": run("t/2", 5.0, 6.5, total=20, done=15, erred=5)}, RUN_LABELS)
    html = card_html(row, {"inc": "#3d80d7"}, group(run="t/2"), now=9.0)
    assert HOSTILE not in html and "&lt;img" in html
    assert "15 / 20 tasks in 1.50 s" in html and "5 erred" in html
    assert "first error: ValueError(" in html and "in picky (5 tasks)" in html
    assert "worker time: compute 1.50 s" in html and "produced 2.00 KiB" in html
