"""The saved report's document and page, from a model filled by hand (no cluster)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from saved_reports import read_report
from synthetic import columns, counts

from jupyter_dashmon.aggregate.colors import ERRED, TRANSFER, assign_colors
from jupyter_dashmon.aggregate.task_marks import code_of, color_of, label_of
from jupyter_dashmon.aggregate.task_windows import append_tasks
from jupyter_dashmon.collect.packing import pack_tasks
from jupyter_dashmon.config import resolve_options
from jupyter_dashmon.placement import report
from jupyter_dashmon.placement.recorder import dashboard_model
from jupyter_dashmon.views import picture

EVIL = "<img src=x onerror=alert(1)>"


def filled_model(n: int = 500):
    model = dashboard_model(resolve_options())
    cols = columns(n)
    cols["key"][0] = EVIL
    cols["code"][1] = code_of("transfer", "OK")
    cols["code"][2] = code_of("compute", "error")
    append_tasks(model.history, model.tasks, pack_tasks(cols), 2000.0)
    model.progress.colors = assign_colors({}, ["inc", "dec", "add"])
    model.progress.prefixes = {
        "inc": counts(10, 5, 2, 1000),
        "dec": counts(4, 4, 0),
        EVIL: counts(3, 1, 1, 50),
    }
    model.status.scheduler = "tcp://127.0.0.1:8786"
    return model


def test_document_holds_every_task_with_its_colour_and_hover_text(tmp_path):
    model = filled_model()
    path = report.save(model, tmp_path / "run.html")
    read = read_report(path)
    pack, cols = read["doc"]["tasks"], read["columns"]
    records = model.snapshot()["tasks"]
    assert pack["count"] == len(records) == 500
    assert cols["keys"] == [r["key"] for r in records]
    origin = pack["origin"]
    assert origin == pytest.approx(min(r["start"] for r in records))
    np.testing.assert_allclose(cols["x0"], [r["start"] - origin for r in records], atol=1e-4)
    np.testing.assert_allclose(cols["x1"], [r["stop"] - origin for r in records], atol=1e-4)
    colors = model.progress.colors
    for i in (0, 1, 2, 3, 499):
        r = records[i]
        code = code_of(r["action"], r["status"])
        assert pack["colors"][cols["color"][i]] == color_of(code, colors[r["prefix"]])
        assert read["labels"][i] == label_of(r["key"], code, r["worker"], r["stop"] - r["start"])
        worker, thread = pack["threads"][cols["row"][i]]
        assert (worker, thread) == (r["worker"], r["thread"])
    assert pack["colors"][cols["color"][1]] == TRANSFER
    assert pack["colors"][cols["color"][2]] == ERRED
    assert read["labels"][0].startswith(EVIL)


def test_stream_part_is_the_live_streams_window(tmp_path):
    model = filled_model()
    model.tasks.length = 100
    doc = report.document(model)
    assert doc["stream"]["first"] == 400
    assert doc["stream"]["rowcount"] == 8
    assert sorted(r for r in doc["stream"]["rows"] if r >= 0) == list(range(8))


def test_text_from_the_cluster_never_becomes_markup(tmp_path):
    html = report.save(filled_model(), tmp_path / "run.html").read_text()
    assert EVIL not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the progress bar's name, as text
    data = read_report(tmp_path / "run.html")["html"]
    body = data.split('id="dashmon-report-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in body  # the JSON document cannot end its script element early


def test_the_page_needs_nothing_from_outside(tmp_path):
    html = report.save(filled_model(), tmp_path / "run.html").read_text()
    assert "default-src 'none'" in html
    for outside in ("http://", "https://", 'src="//', "<link"):
        assert outside not in html.replace("http://www.w3.org/2000/svg", "")
    assert html.count("<section") == 6


def test_write_is_whole_or_nothing(tmp_path, monkeypatch):
    target = tmp_path / "run.html"
    target.write_text("old")
    monkeypatch.setattr(report, "drawing_script", lambda: (_ for _ in ()).throw(OSError("no")))
    with pytest.raises(OSError):
        report.save(filled_model(), target)
    assert target.read_text() == "old"


def test_an_empty_model_makes_a_report(tmp_path):
    model = dashboard_model(resolve_options())
    read = read_report(report.save(model, tmp_path / "empty.html"))
    assert read["doc"]["tasks"]["count"] == 0
    assert "No tasks yet." in read["html"]


def test_closed_picture_shows_final_counts():
    model = filled_model()
    model.progress.totals = {}
    html = picture.closed_html(model)
    assert "5 / 10" in html and "4 / 4" in html
    assert EVIL not in html
    assert "10 of 17 tasks done" in picture.summary_text(model)


def test_hundred_thousand_tasks_fit_the_budget(tmp_path):
    model = dashboard_model(resolve_options(history=100_000))
    cols = columns(100_000)
    rng = np.random.default_rng(1)
    # Keys as dask makes them: a name and a hash of 32 hex digits.
    cols["key"] = [f"{p}-{h:032x}" for p, h in zip(cols["prefix"], rng.integers(0, 2**62, 100_000))]
    append_tasks(model.history, model.tasks, pack_tasks(cols), 2000.0)
    model.progress.colors = assign_colors({}, ["inc", "dec", "add"])
    # CPU time of this process: the machine's other work must not count against it.
    started = time.process_time()
    path = report.save(model, tmp_path / "big.html")
    took = time.process_time() - started
    assert path.stat().st_size <= 5_000_000
    assert took <= 2.0
    assert read_report(path)["doc"]["tasks"]["count"] == 100_000


def test_runs_of_work_for_the_latest_run_button():
    model = dashboard_model(resolve_options())
    first, second = columns(50, start=1000.0), columns(50, start=1100.0, seed=1)
    append_tasks(model.history, model.tasks, pack_tasks(first), 1001.0)
    append_tasks(model.history, model.tasks, pack_tasks(second), 1101.0)
    doc = report.document(model)
    assert len(doc["runs"]) == 2
    lo, hi = doc["runs"][-1]
    assert lo == pytest.approx(100.0)  # seconds after the first task's start
    assert hi == pytest.approx(max(second["stop"]) - 1000.0)
