"""Work for the on-demand views' tests: a CPU-bound function with a name and file
of its own, so a test can find both in the workers' profile."""

from __future__ import annotations

import time


def spin_for_profile(seconds: float) -> int:
    """Keep one thread busy in pure Python for ``seconds``."""
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        n += sum(i * i for i in range(200))
    return n
