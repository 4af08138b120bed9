"""Cluster memory samples from hand-written worker tables."""

from __future__ import annotations

import dask

from jupyter_dashmon.aggregate.cluster_memory import (
    BANDS,
    append_sample,
    bands,
    memory_sample,
    thresholds,
)


def table(**columns):
    return {"address": ["tcp://a", "tcp://b"], **columns}


def test_a_sample_sums_the_workers():
    t = table(
        managed=[1.0, 2.0],
        unmanaged=[10.0, 20.0],
        unmanaged_recent=[4.0, 0.0],
        spilled=[0.0, 5.0],
        memory_limit=[100.0, 100.0],
    )
    assert memory_sample(t) == {
        "managed": 3.0,
        "unmanaged": 30.0,
        "unmanaged_recent": 4.0,
        "spilled": 5.0,
        "memory_limit": 200.0,
    }
    assert memory_sample({}) is None
    assert memory_sample({"address": []}) is None


def test_samples_are_appended_and_bounded():
    sample = {
        "managed": 1.0,
        "unmanaged": 2.0,
        "unmanaged_recent": 1.5,
        "spilled": 3.0,
        "memory_limit": 4.0,
    }
    series = append_sample({}, 10.0, sample, length=2)
    series = append_sample(series, 11.0, {**sample, "spilled": 7.0}, length=2)
    series = append_sample(series, 12.0, sample, length=2)
    assert series["time"] == [11.0, 12.0]
    assert series["spilled"] == [7.0, 3.0]
    assert series["memory_limit"] == [4.0, 4.0]
    assert series["unmanaged_recent"] == [1.5, 1.5]


def test_bands_split_unmanaged_into_old_and_recent():
    out = bands(
        {
            "managed": [1.0, 2.0],
            "unmanaged": [10.0, 20.0],
            "unmanaged_recent": [4.0, 25.0],  # more than the whole: capped
            "spilled": [0.0, 5.0],
        }
    )
    assert list(out) == list(BANDS) == ["managed", "unmanaged_old", "unmanaged_recent", "spilled"]
    assert out["unmanaged_old"].tolist() == [6.0, 0.0]
    assert out["unmanaged_recent"].tolist() == [4.0, 20.0]
    assert out["managed"].tolist() == [1.0, 2.0] and out["spilled"].tolist() == [0.0, 5.0]


def test_thresholds_follow_the_config():
    with dask.config.set(
        {"distributed.worker.memory.spill": 0.5, "distributed.worker.memory.pause": False}
    ):
        th = thresholds()
    assert th["spill"] == 0.5 and th["pause"] == 0.0
    assert 0 < th["target"] <= 1
