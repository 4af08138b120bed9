"""Runs in the benchmark process: Listener.apply CPU of two checkouts, side by side.

``python -m bench.apply_trees OLD_TREE NEW_TREE [ROUNDS]`` feeds 100 synthetic
1,000-record deltas to a Dashboard (models and every view attached, as
``bench.memory.kernel_memory`` does) in each checkout, alternating which goes
first each round, and prints each round's median and the median over rounds,
with the ratio new/old.  For a refactor of the kernel-side update path: was it
free?  (Make OLD_TREE with ``git worktree add /tmp/old <commit>``.)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

CODE = """
import json, statistics
from bench.memory import kernel_memory
if __name__ == "__main__":
    out = kernel_memory(total=100_000, checkpoints=(100_000,))
    ms = sorted(a * 1e3 for a in out["apply"])
    print(json.dumps({"median": statistics.median(ms), "p95": ms[int(0.95 * len(ms))]}))
"""


def run(tree: str) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=tree)
    out = subprocess.run(
        [sys.executable, "-c", CODE], cwd=tree, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(old: str, new: str, rounds: int = 3) -> None:
    trees = {"old": old, "new": new}
    medians: dict[str, list[float]] = {"old": [], "new": []}
    for i in range(rounds):
        for name in ("old", "new") if i % 2 == 0 else ("new", "old"):
            result = run(trees[name])
            medians[name].append(result["median"])
            print(
                f"round {i}: {name} {trees[name]}: median {result['median']:.2f} ms, "
                f"p95 {result['p95']:.2f} ms",
                flush=True,
            )
    old_ms, new_ms = (statistics.median(medians[n]) for n in ("old", "new"))
    print(
        f"Listener.apply per 1,000-record delta: old {old_ms:.2f} ms, new {new_ms:.2f} ms, "
        f"new/old {new_ms / old_ms:.2f}"
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 3)
