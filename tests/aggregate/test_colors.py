"""Unit tests for :mod:`jupyter_dashmon.aggregate.colors`."""

from __future__ import annotations

import itertools
import math
import types

import pytest

from jupyter_dashmon.aggregate.colors import (
    DISK,
    ERRED,
    OTHER_ACTION,
    PALETTE,
    PROCESSING,
    RELEASED_OPACITY,
    TRACK,
    TRANSFER,
    assign_colors,
)


def test_round_robin_in_order_of_first_appearance():
    prefixes = [f"p{i}" for i in range(len(PALETTE) + 5)]
    colors = assign_colors({}, prefixes)
    assert list(colors) == prefixes
    assert [colors[p] for p in prefixes[: len(PALETTE)]] == list(PALETTE)
    assert [colors[p] for p in prefixes[len(PALETTE) :]] == list(PALETTE[:5])


def test_duplicates_in_one_call_get_one_colour():
    colors = assign_colors({}, ["a", "b", "a", "c", "b"])
    assert colors == {"a": PALETTE[0], "b": PALETTE[1], "c": PALETTE[2]}


def test_known_prefixes_keep_their_colour():
    first = assign_colors({}, ["inc", "add"])
    second = assign_colors(first, ["mul", "inc", "add", "sum"])
    assert second["inc"] == first["inc"] == PALETTE[0]
    assert second["add"] == first["add"] == PALETTE[1]
    assert second["mul"] == PALETTE[2] and second["sum"] == PALETTE[3]
    assert first == {"inc": PALETTE[0], "add": PALETTE[1]}  # input not mutated


def test_accepts_any_iterable_of_prefixes():
    colors = assign_colors({}, (r for r in ["x", "y"]))
    assert colors == {"x": PALETTE[0], "y": PALETTE[1]}


def test_same_object_when_nothing_is_new():
    known = {"inc": PALETTE[0], "add": PALETTE[1]}
    assert assign_colors(known, ["add", "inc"]) is known
    assert assign_colors(known, []) is known


def test_new_object_when_something_is_new():
    known = {"inc": PALETTE[0]}
    out = assign_colors(known, ["inc", "add"])
    assert out is not known and known == {"inc": PALETTE[0]}


def test_non_dict_mapping_returns_a_plain_dict():
    known = types.MappingProxyType({"inc": PALETTE[0]})
    out = assign_colors(known, ["inc"])
    assert type(out) is dict and out == {"inc": PALETTE[0]}


def test_bounded_by_limit_dropping_oldest():
    colors = assign_colors({}, [f"p{i}" for i in range(10)], limit=4)
    assert list(colors) == ["p6", "p7", "p8", "p9"]
    assert colors["p9"] == PALETTE[9]
    more = assign_colors(colors, ["q"], limit=4)
    assert len(more) == 4 and "q" in more and "p6" not in more


def test_round_robin_continues_after_the_bound_is_reached():
    colors = assign_colors({}, ["a", "b", "c"], limit=3)
    colors = assign_colors(colors, ["d"], limit=3)
    colors = assign_colors(colors, ["e"], limit=3)
    assert colors["d"] != colors["e"]


def test_fixed_meaning_colours_are_not_in_the_palette():
    assert not {TRANSFER, ERRED, PROCESSING, DISK, OTHER_ACTION} & set(PALETTE)
    assert len(set(PALETTE)) == len(PALETTE) >= 12


# -- what the palette looks like, measured in OKLab (a perceptual colour space,
# where a distance of about 0.02 is just noticeable) ----------------------------


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(color: str) -> tuple[float, float, float]:
    r, g, b = (_linear(int(color[i : i + 2], 16)) for i in (1, 3, 5))
    return r, g, b


def oklab(color: str) -> tuple[float, float, float]:
    r, g, b = _rgb(color)
    lms = (
        0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b,
        0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b,
        0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b,
    )
    l_, m_, s_ = (v ** (1 / 3) for v in lms)
    return (
        0.2104542553 * l_ + 0.7936177850 * m_ - 0.0040720468 * s_,
        1.9779984951 * l_ - 2.4285922050 * m_ + 0.4505937099 * s_,
        0.0259040371 * l_ + 0.7827717662 * m_ - 0.8086757660 * s_,
    )


def distance(c1: str, c2: str) -> float:
    return math.dist(oklab(c1), oklab(c2))


def hue(color: str) -> float:
    _, a, b = oklab(color)
    return math.degrees(math.atan2(b, a)) % 360


def hue_gap(c1: str, c2: str) -> float:
    return abs((hue(c1) - hue(c2) + 180) % 360 - 180)


def luminance(color: str) -> float:
    r, g, b = _rgb(color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(c1: str, c2: str) -> float:
    high, low = sorted((luminance(c1), luminance(c2)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def blend(color: str, page: str, opacity: float) -> str:
    """What ``color`` drawn at ``opacity`` on ``page`` looks like."""
    mixed = (
        round(int(color[i : i + 2], 16) * opacity + int(page[i : i + 2], 16) * (1 - opacity))
        for i in (1, 3, 5)
    )
    return "#" + "".join(f"{v:02x}" for v in mixed)


#: JupyterLab's page colours (light and dark theme).
PAGES = ("#ffffff", "#111111")


def test_neighbours_in_the_palette_differ_clearly():
    # Functions that appear one after another (the rotation wraps round) must
    # not look like one function in two states, as category20's pairs did.
    pairs = list(zip(PALETTE, PALETTE[1:] + PALETTE[:1]))
    assert min(distance(a, b) for a, b in pairs) >= 0.18
    # Not a lighter or darker partner of the same hue: a different hue.
    assert min(hue_gap(a, b) for a, b in pairs) >= 60


def test_no_two_palette_colours_are_alike():
    assert min(distance(a, b) for a, b in itertools.combinations(PALETTE, 2)) >= 0.04


@pytest.mark.parametrize("reserved", [TRANSFER, ERRED, PROCESSING, DISK, OTHER_ACTION])
def test_no_palette_colour_is_close_to_a_reserved_one(reserved):
    closest = min(PALETTE, key=lambda c: distance(c, reserved))
    assert distance(closest, reserved) >= 0.1, closest


def test_no_palette_colour_is_red_or_orange():
    # Red stands for transfers and orange for disk: those hues are left out.
    for color in PALETTE:
        assert not 0 <= hue(color) <= 70 and hue(color) < 355, color


def test_text_reads_on_every_palette_colour_in_both_themes():
    # The theme's text colour is near black on light themes and white on dark
    # ones; both read on a full-shade bar.
    for color in PALETTE:
        assert contrast(color, "#000000") >= 3.5, color
        assert contrast(color, "#ffffff") >= 3.5, color


@pytest.mark.parametrize("page", PAGES)
def test_released_shade_reads_as_the_same_function(page):
    for color in PALETTE:
        tint = blend(color, page, RELEASED_OPACITY)
        # The same hue, clearly lighter or darker than the full shade...
        assert hue_gap(tint, color) <= 12, color
        assert distance(tint, color) >= 0.1, color
        # ... closer in hue to its own colour than to any other function's.
        others = [c for c in PALETTE if c != color]
        assert hue_gap(tint, color) < min(hue_gap(tint, c) for c in others), color
        # The theme's text colour reads on it.
        text = "#000000" if page == "#ffffff" else "#ffffff"
        assert contrast(tint, text) >= 4.5, color


@pytest.mark.parametrize("page", PAGES)
def test_processing_grey_stands_out_from_the_track(page):
    track = TRACK.split(",")[1].strip(" )") if page == "#ffffff" else "#424242"
    assert contrast(PROCESSING, track) >= 1.5


@pytest.mark.parametrize("n", [20, 60])
def test_past_the_palette_colours_repeat_in_order_never_a_reserved_one(n):
    # More functions than colours: the rotation goes round again, so any
    # len(PALETTE) functions in a row differ, neighbours as clearly as in the
    # palette, and no function ever gets a colour that means something else.
    prefixes = [f"f{i}" for i in range(n)]
    colors = [assign_colors({}, prefixes)[p] for p in prefixes]
    reserved = {TRANSFER, ERRED, PROCESSING, DISK, OTHER_ACTION}
    assert not reserved & set(colors)
    for i in range(n - len(PALETTE) + 1):
        assert len(set(colors[i : i + len(PALETTE)])) == len(PALETTE)
    assert min(distance(a, b) for a, b in itertools.pairwise(colors)) >= 0.18
    assert colors[len(PALETTE)] == colors[0]  # what happens past the palette
