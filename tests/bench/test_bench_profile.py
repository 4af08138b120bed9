"""The pure parts of the scheduler profile: how samples are attributed."""

from __future__ import annotations

import linecache

import distributed.scheduler

from bench import scheduler_profile


def test_the_plugins_call_is_found_in_the_installed_distributed():
    frame = scheduler_profile.plugin_call_frame()
    name, _, where = frame.partition(" (")
    assert name == "SchedulerState._transition"
    line = int(where.rstrip(")").rpartition(":")[2])
    assert "plugin.transition(" in linecache.getline(distributed.scheduler.__file__, line)


def test_samples_are_split_into_the_collector_the_call_and_each_hook():
    call = "SchedulerState._transition (distributed/scheduler.py:2065)"
    loop = "BaseEventLoop._run_once (asyncio/base_events.py:1922)"
    raw = "\n".join(
        [
            # idle: parked in select
            f"{loop};EpollSelector.select (selectors.py:468) 50",
            # the call itself, no deeper frame
            f"{loop};{call} 6",
            # each plugin's own hook under the call
            f"{loop};{call};DashmonPlugin.transition (<dynamic-code>:290) 4",
            f"{loop};{call};WorkStealing.transition (distributed/stealing.py:200) 3",
            # a torn stack: not a hook, not counted under the call
            f"{loop};{call};<lambda> (<string>:1);SchedulerState._add_to_memory (x.py:1) 2",
            # the poll's handler, outermost collector frame
            f"{loop};DashmonPlugin._poll_blob (<dynamic-code>:600);pack (<dynamic-code>:50) 5",
            "",
        ]
    )
    busy, ours, hooks = scheduler_profile.attribute(raw, call)
    assert busy == 6 + 4 + 3 + 2 + 5
    assert ours == {"DashmonPlugin.transition": 4, "DashmonPlugin._poll_blob": 5}
    assert hooks == {"call": 6, "DashmonPlugin.transition": 4, "WorkStealing.transition": 3}
    # Without the call's frame, only the collector's own samples are split.
    assert scheduler_profile.attribute(raw)[2] == {}
