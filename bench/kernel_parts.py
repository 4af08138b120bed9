"""Runs in the benchmark process: what each part of the dashboard costs the kernel, live.

``python -m bench.kernel_parts [runs] [rounds]``: in a real IPython kernel
(:class:`.kernel.Kernel`) with a Client of a process cluster and
``client.dashboard()`` displayed, the upstream example workload
(:data:`.kernel.WORKLOAD`) runs ``runs`` times per round while every redraw
throttle's function (each view's redraw, each task window's refresh) and
each part of ``Listener.apply`` is timed with ``time.thread_time``, nested
calls counted once, in the innermost part.  Measured per part: calls per
second of workload, CPU per call, and CPU per second (ms/s; 10 ms/s is 1 %
of a core); beside them the Client's loop thread and the IOPub thread (which
sends every widget message) per second, and the widget messages per second.

Unlike :mod:`.kernel_split` (views paused in turn, whose differences are
within the machine's noise), each part here is measured in the same run, so
its cost per call is steady from round to round.
"""

from __future__ import annotations

import json
import sys

from . import stats
from .kernel import OPEN, WORKLOAD, client_kernel, spread

TIMED = """
import gc as _gc, json as _j, threading as _th, time as _t, collections as _c, psutil as _ps
import ipywidgets as _ipw
from jupyter_dashmon.aggregate.throttle import Throttle as _Throttle
_acc, _calls, _stack, _sent = _c.Counter(), _c.Counter(), [], [0]

def _timed(name, fn):
    def timed(*args, **kwargs):
        t0 = _t.thread_time()
        _stack.append(0.0)
        try:
            return fn(*args, **kwargs)
        finally:
            inner, spent = _stack.pop(), _t.thread_time() - t0
            _acc[name] += spent - inner
            _calls[name] += 1
            if _stack:
                _stack[-1] += spent
    return timed

for _o in _gc.get_objects():
    if isinstance(_o, _Throttle):
        _owner = type(getattr(_o.fn, "__self__", None)).__name__
        _o.fn = _timed(f"{_owner}.{getattr(_o.fn, '__name__', '?')}", _o.fn)
for _n in ("apply", "_apply_progress", "_apply_tasks", "_apply_resources",
           "_apply_worker_table", "_apply_work"):
    setattr(dash.listener, _n, _timed(f"Listener.{_n}", getattr(dash.listener, _n)))

_send0 = _ipw.Widget._send
def _counted(self, msg, buffers=None):
    _sent[0] += 1
    return _send0(self, msg, buffers)
_ipw.Widget._send = _counted

def _threads():
    ids = {t.native_id: t.name for t in _th.enumerate()}
    return {ids.get(t.id, "other"): t.user_time + t.system_time for t in _ps.Process().threads()}

def _mark():
    _acc.clear(); _calls.clear()
    return {"threads": _threads(), "sent": _sent[0]}

def _since(m):
    now = _threads()
    return {"parts": dict(_acc), "calls": dict(_calls), "sent": _sent[0] - m["sent"],
            "threads": {n: now[n] - m["threads"].get(n, 0.0) for n in ("IO loop", "IOPub")}}
"""


def measure(runs: int = 3, rounds: int = 3, log=print) -> list[dict]:
    out = []
    with client_kernel() as k:
        k.run(OPEN)
        k.run(TIMED)
        k.run(WORKLOAD.format())  # the first draws are not what a run costs
        for r in range(rounds):
            k.run("_m = _mark()")
            wall = 0.0
            for _ in range(runs):
                _, text = k.run(WORKLOAD.format())
                wall += json.loads(text.split("STATS", 1)[1])["wall"]
            _, text = k.run("print('P', _j.dumps(_since(_m)))")
            result = {"wall": wall, **json.loads(text.split("P ", 1)[1])}
            out.append(result)
            total = sum(result["parts"].values()) / wall * 1e3
            log(f"  round {r}: parts {total:.1f} ms/s, {result['sent'] / wall:.1f} messages/s")
    return out


def report(out: list[dict]) -> None:
    def per_second(values: list[float]) -> str:
        return f"{stats.median(values):6.2f} ms/s  {spread(values)}"

    names = sorted({n for r in out for n in r["parts"]})
    rows = []
    for name in names:
        ms = [r["parts"].get(name, 0.0) / r["wall"] * 1e3 for r in out]
        rate = [r["calls"].get(name, 0) / r["wall"] for r in out]
        each = [r["parts"][name] / r["calls"][name] * 1e3 for r in out if r["calls"].get(name)]
        rows.append((stats.median(ms), name, ms, rate, each))
    print(f"{'part':34s} {'per call':>9s} {'calls/s':>8s}  CPU per second of workload")
    for _, name, ms, rate, each in sorted(rows, reverse=True):
        print(
            f"{name:34s} {stats.median(each):6.2f} ms {stats.median(rate):8.2f}  {per_second(ms)}"
        )
    print(f"{'all parts':34s} {'':9s} {'':8s}  ", end="")
    print(per_second([sum(r["parts"].values()) / r["wall"] * 1e3 for r in out]))
    for thread in ("IO loop", "IOPub"):
        values = [r["threads"][thread] / r["wall"] * 1e3 for r in out]
        print(f"{'thread ' + thread:34s} {'':9s} {'':8s}  {per_second(values)}")
    sent = [r["sent"] / r["wall"] for r in out]
    print(f"widget messages per second: {stats.median(sent):.1f} ({spread(sent, 1)})")


if __name__ == "__main__":
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    report(measure(runs, rounds))
