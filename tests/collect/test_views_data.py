"""The on-demand handlers' pure parts, on hand-written scheduler state."""

from __future__ import annotations

from types import SimpleNamespace

from jupyter_dashmon.collect.views_data import (
    MOST_FRAMES,
    flatten_profile,
    group_table,
    loop_profile_off,
    metric_rows,
    run_spans,
    span_metrics,
)


def node(name, count, children=(), filename="f.py", line=1):
    return {
        "count": count,
        "identifier": f"{name};{filename};{line}",
        "description": {
            "name": name,
            "filename": filename,
            "line_number": line,
            "line": f" {name}() ",
        },
        "children": {c["identifier"]: c for c in children},
    }


def tree():
    return {
        "count": 100,
        "identifier": "root",
        "description": {"name": "", "filename": "", "line_number": 0, "line": ""},
        "children": {
            c["identifier"]: c
            for c in (
                node("a", 70, [node("a1", 50), node("a2", 1)]),
                node("b", 30, [node("b1", 29, [node("b11", 29)])]),
            )
        },
    }


def test_flatten_profile_depth_first_widest_first():
    f = flatten_profile(tree(), min_share=0.0)
    assert f["name"] == ["all", "a", "a1", "a2", "b", "b1", "b11"]
    assert f["parent"] == [-1, 0, 1, 1, 0, 4, 5]
    assert f["count"] == [100, 70, 50, 1, 30, 29, 29]
    assert f["line"][1] == "a()"  # stripped
    assert f["ident"][2] == "a1;f.py;1"
    assert f["omitted"] == 0


def test_flatten_profile_drops_thin_frames_and_their_callees():
    f = flatten_profile(tree(), min_share=0.05)
    assert "a2" not in f["name"]
    assert f["omitted"] == 1
    f = flatten_profile(tree(), min_share=0.5)
    assert f["name"] == ["all", "a", "a1"]


def test_flatten_profile_is_bounded_and_survives_deep_stacks():
    deep = node("leaf", 5)
    for i in range(3000):  # far deeper than the recursion limit would allow
        deep = node(f"f{i}", 5, [deep])
    f = flatten_profile({**node("root", 5, [deep]), "identifier": "root"}, 0.0, most=MOST_FRAMES)
    assert len(f["count"]) == 3002
    f = flatten_profile({**node("root", 5, [deep]), "identifier": "root"}, 0.0, most=10)
    assert len(f["count"]) == 10 and f["omitted"] == 1


def group(name, prefix, states, deps=(), nbytes=0, duration=0.0):
    base = dict.fromkeys(
        (
            "memory",
            "released",
            "erred",
            "processing",
            "waiting",
            "queued",
            "no-worker",
            "forgotten",
        ),
        0,
    )
    return SimpleNamespace(
        name=name,
        prefix=SimpleNamespace(name=prefix),
        states={**base, **states},
        dependencies=list(deps),
        nbytes_total=nbytes,
        duration=duration,
    )


def test_group_table_counts_and_dependencies():
    a = group("a-1", "a", {"memory": 2, "released": 1, "forgotten": 5}, nbytes=10)
    b = group("b-1", "b", {"processing": 1, "queued": 2, "no-worker": 1, "waiting": 1}, [a])
    t = group_table({"a-1": a, "b-1": b}, limit=10)
    assert t["name"] == ["a-1", "b-1"]
    assert t["prefix"] == ["a", "b"]
    assert t["total"] == [3, 5]  # forgotten tasks are not counted
    assert t["waiting"] == [0, 4]
    assert t["processing"] == [0, 1]
    assert t["deps"] == [[], [0]]
    assert t["nbytes"] == [10, 0]
    assert t["hidden"] == 0


def test_group_table_keeps_the_largest_and_only_their_edges():
    small = group("s", "s", {"memory": 1})
    big = group("b", "b", {"memory": 9}, [small])
    mid = group("m", "m", {"memory": 5}, [big, small])
    t = group_table({"s": small, "b": big, "m": mid}, limit=2)
    assert t["name"] == ["b", "m"]
    assert t["deps"] == [[], [0]]
    assert t["hidden"] == 1


def test_metric_rows():
    rows = metric_rows(
        {
            ("execute", "inc", "thread-cpu", "seconds"): 1.5,
            ("gather-dep", "network", "seconds"): 0.25,
            "latency": 0.001,
            ("odd",): 1,
        }
    )
    assert rows == [
        ["execute", "inc", "thread-cpu", "seconds", 1.5],
        ["gather-dep", "", "network", "seconds", 0.25],
    ]


def span(*name, **metrics):
    return SimpleNamespace(
        name=name,
        _cumulative_worker_metrics={
            ("execute", fn, "thread-cpu", "seconds"): s for fn, s in metrics.items()
        },
    )


def by_tag(*spans):
    out: dict = {}
    for s in spans:
        for tag in s.name:
            out.setdefault(tag, []).append(s)
    return out


def test_run_spans_are_the_runs_own_and_its_users_spans_not_nested_runs():
    cell = span("k/1", inc=1.0)
    mine = span("k/1", "load", add=2.0)  # the user's span inside the cell
    nested = span("k/1", "k/2", dec=4.0)  # a track() block inside the cell
    inner = span("k/1", "k/2", "parse", mul=8.0)  # a span inside that block
    outer = span("etl", "k/3", neg=16.0)  # a cell inside a span of the user's
    tags = by_tag(cell, mine, nested, inner, outer)
    runs = {"k/1", "k/2", "k/3"}.__contains__
    assert run_spans(tags, "k/1", runs) == [cell, mine]
    assert run_spans(tags, "k/2", runs) == [nested, inner]
    assert run_spans(tags, "k/3", runs) == [outer]
    assert run_spans(tags, "k/9", runs) == []
    rows = metric_rows(span_metrics(run_spans(tags, "k/1", runs)))
    assert sorted(rows) == [
        ["execute", "add", "thread-cpu", "seconds", 2.0],
        ["execute", "inc", "thread-cpu", "seconds", 1.0],
    ]


def test_span_metrics_sum_the_same_key_across_spans():
    a, b = span("r", inc=1.5), span("r", "x", inc=2.0)
    assert span_metrics([a, b]) == {("execute", "inc", "thread-cpu", "seconds"): 3.5}
    assert span_metrics([]) == {}


def test_loop_profile_off_says_why():
    on_311 = loop_profile_off((3, 11))
    assert "Python 3.11" in on_311 and "deadlock" in on_311 and "116969" in on_311
    assert "distributed.worker.profile.enabled" in loop_profile_off((3, 12))
