"""Runs in the benchmark process: what a poll's answer costs the comm layers on its way.

``python -m bench.poll_wire [runs] [rounds]``: the example workload runs
``runs`` times on a process cluster with a dashboard open, and every answer
the collector gave a poll that brought task records is kept.  Then, for
those answers, side by side in each round:

- ``message``: the answer as a message of nested dictionaries, as the
  collector sent it until now: the scheduler's comm layer measures it
  (``distributed.sizeof.safe_sizeof``, to choose a thread for large
  messages) and encodes it (``distributed.protocol.dumps``), and the kernel
  decodes it (``distributed.protocol.loads``);
- ``blob``: the answer as one msgpack blob (:func:`~jupyter_dashmon.collect.packing.encode`):
  encoded by the collector, measured and framed by the comm layer, and read
  back by :func:`~jupyter_dashmon.collect.packing.decode` in the kernel.

Thread CPU per answer, medians of the rounds.  The first three parts run on
the scheduler's event loop for every poll of every open dashboard.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from distributed.protocol import dumps, loads
from distributed.sizeof import safe_sizeof

from jupyter_dashmon.collect.packing import decode, encode

from .cluster import ProcessCluster
from .tasks import nap_add, nap_dec, nap_inc


def answers(runs: int) -> list[dict]:
    """The collector's answers that brought task records, over ``runs`` runs of
    the upstream example workload with a dashboard open."""
    from distributed import Client

    from jupyter_dashmon import Dashboard

    kept: list[dict] = []
    with ProcessCluster(nworkers=2, nthreads=2) as cluster, Client(cluster.address) as client:
        dash = Dashboard(client)
        apply = dash.listener.apply

        def keep(delta: dict) -> None:
            kept.append(delta)
            apply(delta)

        dash.listener.apply = keep  # type: ignore[method-assign]
        for _ in range(runs):
            incs = client.map(nap_inc, range(100), pure=False)
            decs = client.map(nap_dec, range(100), pure=False)
            adds = client.map(nap_add, incs, decs, pure=False)
            client.submit(sum, adds, pure=False).result()
            del incs, decs, adds
        time.sleep(1.0)
        dash.close()
    return [d for d in kept if d["tasks"]["n"]]


def per_answer(work: Callable[[object], object], items: list, repeat: int = 20) -> float:
    """Thread CPU microseconds of ``work`` per item."""
    t0 = time.thread_time()
    for _ in range(repeat):
        for item in items:
            work(item)
    return (time.thread_time() - t0) / repeat / len(items) * 1e6


def measure(runs: int = 2, rounds: int = 5) -> dict[str, list[float]]:
    deltas = answers(runs)
    framed = [dumps({"op": "reply", "result": d}) for d in deltas]
    blobs = [encode(d) for d in deltas]
    framed_blobs = [dumps({"op": "reply", "result": b}) for b in blobs]
    out: dict[str, list[float]] = {"answers": [float(len(deltas))]}
    parts: dict[str, tuple[Callable, list]] = {
        "message: sizeof": (lambda d: safe_sizeof(d, default_size=-1), deltas),
        "message: dumps": (lambda d: dumps({"op": "reply", "result": d}), deltas),
        "message: loads (kernel)": (loads, framed),
        "blob: encode": (encode, deltas),
        "blob: sizeof": (lambda b: safe_sizeof(b, default_size=-1), blobs),
        "blob: dumps": (lambda b: dumps({"op": "reply", "result": b}), blobs),
        "blob: loads + decode (kernel)": (lambda f: decode(loads(f)["result"]), framed_blobs),
    }
    for _ in range(rounds):
        for name, (work, items) in parts.items():
            out.setdefault(name, []).append(per_answer(work, items))
    out["bytes, median"] = [float(statistics.median(len(b) for b in blobs))]
    return out


def main(runs: int = 2, rounds: int = 5) -> None:
    out = measure(runs, rounds)
    print(
        f"{int(out.pop('answers')[0])} answers with task records, "
        f"{int(out.pop('bytes, median')[0])} bytes each (median)"
    )
    for name, values in out.items():
        each = ", ".join(f"{v:.1f}" for v in values)
        print(f"{name:32s} {statistics.median(values):7.1f} us per answer  (rounds {each})")
    scheduler = {
        side: sum(statistics.median(out[f"{side}: {p}"]) for p in parts)
        for side, parts in (
            ("message", ("sizeof", "dumps")),
            ("blob", ("encode", "sizeof", "dumps")),
        )
    }
    print(
        f"scheduler, per answer: message {scheduler['message']:.1f} us, "
        f"blob {scheduler['blob']:.1f} us"
    )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
