"""Task-group graph layout from hand-written group tables."""

from __future__ import annotations

from jupyter_dashmon.aggregate.groups import (
    columns_of,
    group_tooltip,
    layout_groups,
    progress_parts,
)


def table(deps, names=None, **counts):
    n = len(deps)
    names = names or [f"g{i}" for i in range(n)]
    out = {"name": names, "prefix": [x.split("-")[0] for x in names], "deps": deps}
    out["total"] = counts.get("total", [4] * n)
    for part in ("released", "memory", "erred", "processing", "waiting"):
        out[part] = counts.get(part, [0] * n)
    return out


def test_columns_are_longest_chains():
    # 0 -> 1 -> 2, and 0 -> 2 directly: 2 stands right of 1.
    assert columns_of([[], [0], [0, 1]]) == [0, 1, 2]
    assert columns_of([[], []]) == [0, 0]
    # Dependencies listed after their dependents are resolved too.
    assert columns_of([[1], [2], []]) == [2, 1, 0]


def test_a_cycle_does_not_hang():
    assert len(columns_of([[1], [0]])) == 2


def test_layout_left_to_right_and_centred():
    t = table([[], [], [0, 1], [2]], names=["x-1", "y-1", "add-1", "sum-1"])
    g = layout_groups(t)
    assert g["x"] == [0.0, 0.0, 1.0, 2.0]
    assert sorted(g["y"][:2]) == [-0.5, 0.5]  # two sources, centred on 0
    assert g["y"][2] == 0.0 and g["y"][3] == 0.0
    assert sorted(map(tuple, g["edges"])) == [(0, 2), (1, 2), (2, 3)]
    assert g["columns"] == 3 and g["rows"] == 2
    assert g["prefix"] == ["x", "y", "add", "sum"]


def test_rows_follow_the_dependencies():
    # Two chains a0 -> a1 and b0 -> b1: each second node on its chain's row.
    t = table([[], [], [1], [0]], names=["a0", "b0", "b1", "a1"])
    g = layout_groups(t)
    assert g["y"][3] == g["y"][0] and g["y"][2] == g["y"][1] != g["y"][0]


def test_progress_parts_and_tooltip():
    t = table([[]], total=[10], released=[5], memory=[2], erred=[1], processing=[1], waiting=[1])
    g = layout_groups(t)
    assert progress_parts(g, 0) == [
        ("released", 0.5),
        ("memory", 0.2),
        ("erred", 0.1),
        ("processing", 0.1),
        ("waiting", 0.1),
    ]
    assert group_tooltip(g, 0) == (
        "g0\n10 tasks: released 5 \u00b7 memory 2 \u00b7 erred 1 "
        "\u00b7 processing 1 \u00b7 waiting 1"
    )
    empty = layout_groups(table([[]], total=[0]))
    assert progress_parts(empty, 0)[0] == ("released", 0.0)
    assert layout_groups({})["columns"] == 0


def test_a_tall_column_wraps_into_side_by_side_columns():
    # 60 independent sources, then one group depending on all of them.
    sources = [[] for _ in range(60)]
    t = table([*sources, list(range(60))], names=[f"s{i:02d}" for i in range(60)] + ["sum-1"])
    g = layout_groups(t, most_rows=25)
    # 60 rows wrap into 3 columns of 20 (even), filled top to bottom in name order.
    assert g["columns"] == 4 and g["rows"] == 20
    assert [g["x"][i] for i in (0, 19, 20, 39, 40, 59)] == [0.0, 0.0, 1.0, 1.0, 2.0, 2.0]
    assert g["y"][0] == g["y"][20] == -9.5 and g["y"][19] == 9.5
    # The group depending on them stands right of every one of them.
    assert g["x"][60] == 3.0 and g["y"][60] == 0.0
    assert all(g["x"][a] < g["x"][b] for a, b in g["edges"])


def test_a_column_at_the_limit_does_not_wrap():
    g = layout_groups(table([[] for _ in range(25)]), most_rows=25)
    assert g["columns"] == 1 and g["rows"] == 25 and set(g["x"]) == {0.0}
