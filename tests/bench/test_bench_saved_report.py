"""bench/saved_report.py: its synthetic model and the write step (the browser step is
the browser test's job)."""

from __future__ import annotations

from saved_reports import read_report

from bench import saved_report


def test_synthetic_model_has_realistic_keys_and_threads():
    model = saved_report.model_of(500)
    records = model.snapshot()["tasks"]
    assert len(records) == 500
    assert len({(r["worker"], r["thread"]) for r in records}) == 8
    name, _, digest = records[0]["key"].rpartition("-")
    assert name in saved_report.PREFIXES and len(digest) == 32


def test_write_reports_size_and_times(tmp_path):
    path, wall, cpu = saved_report.write(2000, tmp_path)
    assert path.stat().st_size > 0 and wall > 0 and cpu >= 0
    assert read_report(path)["doc"]["tasks"]["count"] == 2000
