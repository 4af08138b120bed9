"""The table, the RESULTS.md section writer and the runner's headline line."""

from __future__ import annotations

from bench import report
from bench.__main__ import PLANS, headline, main


def rows():
    return [
        report.Row("1", "throughput dashmon/none", 0.991, "x", ">= 0.98", True, "3 rounds"),
        report.Row("3", "poll | nothing changed", 0.0123, "ms", "<= 0.1 ms", True),
        report.Row("6", "traffic", 255.4, "KiB/s", "<= 50 KB/s", False),
        report.Row("4", "bytes", 156.0, "B"),
    ]


def test_table_aligns_columns_and_shows_verdicts():
    text = report.table(rows())
    lines = text.splitlines()
    assert lines[0].startswith("item") and set(lines[1]) <= {"-", " "}
    assert "0.991 x" in text and "MISSED" in text and "met" in text
    assert len({line.index("measure") if "measure" in line else None for line in lines[:1]}) == 1


def test_markdown_escapes_pipes_and_has_one_row_per_figure():
    md = report.markdown_table(rows())
    assert md.count("\n") == 1 + len(rows())
    assert "poll \\| nothing changed" in md


def test_fmt_reads_well():
    assert report.fmt(1234567.0) == "1,234,567"
    assert report.fmt(0.0123) == "0.0123"
    assert report.fmt(float("nan")) == "n/a"
    assert report.fmt(12.34) == "12.3"


def test_sections_replace_their_own_mode_and_keep_the_rest(tmp_path):
    path = tmp_path / "RESULTS.md"
    machine = {"cores": "2", "cpu": "test cpu"}
    quick = report.section("quick", rows(), machine, "python -m bench --quick", "today", 90.0)
    report.write_results("quick", quick, path)
    path.write_text(path.read_text() + "\nHand-written notes.\n")
    full = report.section(
        "full", rows()[:1], machine, "python -m bench", "today", 800.0, ["a note"]
    )
    report.write_results("full", full, path)
    again = report.section(
        "quick", rows()[:2], machine, "python -m bench --quick", "tomorrow", 95.0
    )
    report.write_results("quick", again, path)
    text = path.read_text()
    assert (
        text.count("<!-- bench:quick:start -->") == 1
        and text.count("<!-- bench:full:start -->") == 1
    )
    assert "tomorrow" in text and "Quick run, today" not in text
    assert "Hand-written notes." in text and "- a note" in text
    assert "Command: `python -m bench --quick`" in text and "- cpu: test cpu" in text


def test_headline_format():
    assert headline(0.98765, 1.2) == "headline: dashmon_vs_none=0.988 bokeh_vs_none=1.200"


def test_quick_plan_is_smaller_than_full():
    q, f = PLANS["quick"], PLANS["full"]
    assert q.tasks < f.tasks and q.records <= f.records and q.kernel_rounds <= f.kernel_rounds


def test_runner_rejects_unknown_steps(capsys):
    import pytest

    with pytest.raises(SystemExit):
        main(["--skip", "nonsense"])
    assert "unknown step" in capsys.readouterr().err


def test_runner_with_everything_skipped_still_ends_with_the_headline(capsys):
    main(["--quick", "--no-write", "--skip", "throughput,scale,memory,latency,kernel"])
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == "headline: dashmon_vs_none=nan bokeh_vs_none=nan"
