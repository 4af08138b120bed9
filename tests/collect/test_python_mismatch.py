"""Which scheduler the pickled collector may be sent to (its Python's minor version)."""

from __future__ import annotations

import sys

from jupyter_dashmon.collect import python_mismatch


def test_the_same_minor_version_is_fine_whatever_the_patch_level():
    major, minor = sys.version_info[:2]
    assert python_mismatch({"host": {"python": f"{major}.{minor}.99.final.0"}}) is None


def test_another_minor_version_says_both_in_plain_words():
    major, minor = sys.version_info[:2]
    why = python_mismatch({"host": {"python": f"{major}.{minor + 1}.0.final.0"}})
    assert why is not None
    assert f"Python {major}.{minor + 1}" in why and f"Python {major}.{minor}" in why


def test_an_answer_that_does_not_say_lets_the_collector_go():
    for answer in (None, {}, {"host": None}, {"host": {"python": "unknown"}}, {"host": {}}):
        assert python_mismatch(answer) is None
