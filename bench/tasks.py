"""Runs in the workers: the tiny task functions and the graphs the benchmarks compute.

Workers import this module by name (the runner puts the repository on their
``PYTHONPATH``), so the functions are not pickled by value.
"""

from __future__ import annotations

import random
import time


def inc(x):
    return x + 1


def add(x, y):
    return x + y


def nap_inc(x):
    """The upstream example's ``inc``: sleeps up to 0.1 s."""
    time.sleep(random.random() / 10)
    return x + 1


def nap_dec(x):
    time.sleep(random.random() / 10)
    return x - 1


def nap_add(x, y):
    time.sleep(random.random() / 10)
    return x + y


def nap(x, delay=0.02):
    time.sleep(delay)
    return x


def tree_graph(leaves: int, tag: str = "") -> tuple[dict, tuple]:
    """A pairwise-sum tree over ``inc(i)`` leaves: ``2 * leaves - 1`` tasks.

    Returns the graph and the root key.  Keys are tuples whose first part is
    ``inc``/``add`` (the prefixes); ``tag`` keeps two runs' keys apart.
    """
    dsk: dict = {}
    level = [(f"inc{tag}", i) for i in range(leaves)]
    for i, key in enumerate(level):
        dsk[key] = (inc, i)
    depth = 0
    while len(level) > 1:
        depth += 1
        nxt = []
        for j in range(0, len(level) - 1, 2):
            key = (f"add{tag}", depth, j // 2)
            dsk[key] = (add, level[j], level[j + 1])
            nxt.append(key)
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return dsk, level[0]
