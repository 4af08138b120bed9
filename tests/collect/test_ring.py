"""Unit tests for :class:`jupyter_dashmon.collect.ring.Ring` and ``plugin.key_text``."""

from __future__ import annotations

import pytest

from jupyter_dashmon.collect.plugin import key_text
from jupyter_dashmon.collect.ring import Ring

COLUMNS = {"n": "q", "x": "d", "name": "object"}


def filled(capacity: int, rows: int) -> Ring:
    ring = Ring(capacity, COLUMNS)
    for i in range(rows):
        ring.append(i, i / 2, f"row-{i}")
    return ring


# -- Ring ----------------------------------------------------------------------


def test_empty_ring():
    ring = Ring(4, COLUMNS)
    assert len(ring) == 0 and ring.count == 0
    assert ring.since(0) == ({"n": [], "x": [], "name": []}, 0)


def test_append_and_since_zero_returns_every_row_in_order():
    ring = filled(5, 3)
    cols, skipped = ring.since(0)
    assert cols == {"n": [0, 1, 2], "x": [0.0, 0.5, 1.0], "name": ["row-0", "row-1", "row-2"]}
    assert skipped == 0
    assert list(cols) == list(COLUMNS)


def test_cursor_returns_only_rows_after_it():
    ring = filled(10, 6)
    cols, skipped = ring.since(4)
    assert cols["n"] == [4, 5] and skipped == 0
    assert ring.since(6) == ({"n": [], "x": [], "name": []}, 0)
    # A reader that follows ring.count never sees a row twice.
    cursor = ring.count
    ring.append(6, 3.0, "row-6")
    assert ring.since(cursor)[0]["n"] == [6]


def test_cursor_ahead_of_count_gives_nothing():
    ring = filled(4, 2)
    assert ring.since(10) == ({"n": [], "x": [], "name": []}, 0)


def test_negative_cursor_is_treated_as_zero():
    ring = filled(4, 3)
    assert ring.since(-5) == ring.since(0)


def test_wrap_around_keeps_newest_and_counts_overwritten():
    ring = filled(4, 10)
    assert len(ring) == 4 and ring.count == 10
    cols, skipped = ring.since(0)
    assert cols["n"] == [6, 7, 8, 9]
    assert cols["x"] == [3.0, 3.5, 4.0, 4.5]
    assert cols["name"] == ["row-6", "row-7", "row-8", "row-9"]
    assert skipped == 6
    cols, skipped = ring.since(5)
    assert cols["n"] == [6, 7, 8, 9] and skipped == 1
    cols, skipped = ring.since(7)
    assert cols["n"] == [7, 8, 9] and skipped == 0


@pytest.mark.parametrize("rows", range(1, 15))
def test_since_matches_a_plain_list_for_every_fill_level(rows):
    ring = filled(5, rows)
    for cursor in range(rows + 1):
        first = max(cursor, rows - 5)
        cols, skipped = ring.since(cursor)
        assert cols["n"] == list(range(first, rows))
        assert cols["name"] == [f"row-{i}" for i in range(first, rows)]
        assert skipped == first - cursor


def test_limit_returns_newest_and_counts_the_rest_as_skipped():
    ring = filled(10, 8)
    cols, skipped = ring.since(0, limit=3)
    assert cols["n"] == [5, 6, 7] and skipped == 5
    cols, skipped = ring.since(6, limit=3)
    assert cols["n"] == [6, 7] and skipped == 0
    cols, skipped = ring.since(2, limit=0)
    assert cols["n"] == [] and skipped == 6


def test_limit_with_wrap_around():
    ring = filled(4, 11)
    cols, skipped = ring.since(0, limit=2)
    assert cols["n"] == [9, 10] and skipped == 9
    cols, skipped = ring.since(0, limit=100)
    assert cols["n"] == [7, 8, 9, 10] and skipped == 7


def test_len_is_bounded_by_capacity():
    ring = Ring(3, COLUMNS)
    lengths = []
    for i in range(5):
        ring.append(i, 0.0, "")
        lengths.append(len(ring))
    assert lengths == [1, 2, 3, 3, 3]


def test_capacity_one():
    ring = filled(1, 3)
    assert ring.since(0) == ({"n": [2], "x": [1.0], "name": ["row-2"]}, 2)


@pytest.mark.parametrize("capacity", [0, -1])
def test_capacity_validated(capacity):
    with pytest.raises(ValueError, match="capacity must be at least 1"):
        Ring(capacity, COLUMNS)


def test_since_returns_copies():
    ring = filled(4, 2)
    cols, _ = ring.since(0)
    cols["n"].append(99)
    cols["name"][0] = "changed"
    assert ring.since(0)[0] == {"n": [0, 1], "x": [0.0, 0.5], "name": ["row-0", "row-1"]}


def test_typed_columns_reject_wrong_types():
    ring = Ring(2, {"n": "q"})
    with pytest.raises(TypeError):
        ring.append("not a number")


def test_nbytes():
    ring = Ring(100, {"a": "d", "b": "q", "c": "B", "s": "object"})
    assert ring.nbytes() == 100 * (8 + 8 + 1 + 8)
    before = ring.nbytes()
    for i in range(250):
        ring.append(1.0, i, 3, "x" * 1000)
    assert ring.nbytes() == before  # fixed size: does not grow with rows


# -- key_text -----------------------------------------------------------------


@pytest.mark.parametrize(
    "key, text",
    [
        ("inc-123", "inc-123"),
        (b"inc-bytes", "inc-bytes"),
        (("x", 1), "('x', 1)"),
        (("x", 1, (2, "y")), "('x', 1, (2, 'y'))"),
        (42, "42"),
        ("größe-ключ-数据", "größe-ключ-数据"),
        ("größe".encode(), "größe"),
        (b"\xff\xfeoops", "\ufffd\ufffdoops"),
        ("", ""),
    ],
)
def test_key_text(key, text):
    assert key_text(key, 200) == text


def test_key_text_truncates_long_keys_with_an_ellipsis():
    key = "a" * 5000 + "b" * 5240  # 10 KB
    text = key_text(key, 200)
    assert len(text) == 200
    assert text.endswith("\u2026")
    assert text[:-1] == "a" * 199


def test_key_text_truncates_long_bytes_and_tuples():
    assert key_text(b"x" * 10_240, 50) == "x" * 49 + "\u2026"
    text = key_text(("chunk", *range(3000)), 100)
    assert len(text) == 100 and text.startswith("('chunk', 0, 1") and text.endswith("\u2026")


def test_key_text_at_the_limit_is_not_cut():
    assert key_text("x" * 200, 200) == "x" * 200
    assert key_text("x" * 201, 200) == "x" * 199 + "\u2026"


def test_key_text_non_ascii_truncation_counts_characters():
    text = key_text("ключ" * 3000, 10)
    assert text == "ключключк\u2026"
