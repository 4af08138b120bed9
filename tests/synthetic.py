"""Synthetic collector data shared by unit tests (no cluster)."""

from __future__ import annotations

import numpy as np


def columns(n, threads=8, start=1000.0, prefixes=("inc", "dec", "add"), code=0, seed=0):
    """``n`` back-to-back task rows spread round-robin over ``threads`` threads."""
    rng = np.random.default_rng(seed)
    clock = np.full(threads, start)
    out = {k: [] for k in ("key", "prefix", "worker", "thread", "start", "stop", "code")}
    for i in range(n):
        t = i % threads
        d = 0.001 + rng.random() * 0.01
        out["key"].append(f"{prefixes[i % len(prefixes)]}-{i:032x}")
        out["prefix"].append(prefixes[i % len(prefixes)])
        out["worker"].append(f"tcp://127.0.0.1:{9000 + t // 2}")
        out["thread"].append(100 + t % 2)
        out["start"].append(float(clock[t]))
        out["stop"].append(float(clock[t] + d))
        out["code"].append(code)
        clock[t] += d + 0.0002
    return out


def counts(total, done=0, memory=0, nbytes=0):
    """One prefix's ``PrefixCounts``: ``done`` of ``total`` finished, ``memory`` held."""
    return {
        "total": total,
        "done": done,
        "memory": memory,
        "released": done - memory,
        "erred": 0,
        "processing": 0,
        "waiting": total - done,
        "queued": 0,
        "no_worker": 0,
        "nbytes": nbytes,
    }
