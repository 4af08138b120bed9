"""Unit tests for :class:`jupyter_dashmon.aggregate.throttle.Throttle`."""

from __future__ import annotations

import asyncio

from jupyter_dashmon.aggregate.throttle import LATE, Throttle


def test_outside_a_loop_every_call_lands_at_once():
    calls = []
    t = Throttle(lambda: calls.append(1), every=10.0)
    t()
    t()
    assert calls == [1, 1]


def test_inside_a_loop_a_burst_becomes_two_calls():
    calls = []

    async def burst():
        t = Throttle(lambda: calls.append(asyncio.get_running_loop().time()), every=0.05)
        for _ in range(10):
            t()
        assert len(calls) == 1  # the first at once, the rest deferred into one
        await asyncio.sleep(0.2)

    asyncio.run(burst())
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.04


def test_inactive_holds_calls_and_catches_up_once():
    calls, heard = [], []
    t = Throttle(lambda: calls.append(1), every=0.0, on_active=heard.append)
    t.active = False
    t()
    t()
    assert calls == [] and heard == [False]
    t.active = True
    assert calls == [1] and heard == [False, True]
    t.active = True  # nothing missed: no call
    assert calls == [1]


def test_a_deferred_call_landing_while_hidden_is_held():
    calls = []

    async def hide_meanwhile():
        t = Throttle(lambda: calls.append(1), every=0.05)
        t()
        t()  # deferred
        t.active = False
        await asyncio.sleep(0.15)
        assert calls == [1]
        t.active = True

    asyncio.run(hide_meanwhile())
    assert calls == [1, 1]


def test_close_stops_every_call_and_says_inactive():
    calls, heard = [], []
    t = Throttle(lambda: calls.append(1), every=0.0, on_active=heard.append)
    t.close()
    t()
    t.active = True
    assert calls == [] and heard == [False] and t.active is False


def test_a_deferred_call_rides_with_a_later_call_that_finds_it_due():
    """Polls a fifth of a second apart, a redraw due every 0.1 s: each poll runs
    the redraw it deferred (in the poll's own turn of the loop), and the timer
    finds nothing left to do."""
    calls: list[float] = []

    async def polls():
        loop = asyncio.get_running_loop()
        t = Throttle(lambda: calls.append(loop.time()), every=0.1)
        start = loop.time()
        t()  # at once
        await asyncio.sleep(0.06)
        t()  # early: deferred, due at 0.1, its timer at 0.15
        await asyncio.sleep(0.06)
        t()  # due: runs now, with this "poll"
        await asyncio.sleep(0.3)  # the timer fires and has nothing to do
        return [c - start for c in calls]

    at = asyncio.run(polls())
    assert len(at) == 2 and 0.1 <= at[1] < 0.15, at


def test_with_no_later_call_the_deferred_one_lands_half_a_period_late():
    calls: list[float] = []

    async def last_change():
        loop = asyncio.get_running_loop()
        t = Throttle(lambda: calls.append(loop.time()), every=0.1)
        start = loop.time()
        t()
        t()  # the last change: lands on the timer, LATE of a period past due
        await asyncio.sleep(0.3)
        return [c - start for c in calls]

    at = asyncio.run(last_change())
    assert len(at) == 2 and 0.1 * (1 + LATE) - 0.005 <= at[1] < 0.3, at
