"""Runs in the benchmark process: what one widget message costs a real kernel.

``python -m bench.message_cost [messages] [rounds]``: in a real IPython
kernel (:class:`.kernel.Kernel`), a thread other than the main one (as the
Client's event loop is, where the dashboard's views run) changes one trait
of a widget ``messages`` times, each change one ``comm_msg`` to the front
end; the kernel process's CPU over that, less an idle window of the same
thread, divided by the messages.  Three widgets: an ipywidgets ``HTML``
value (the Progress counts line), a bqplot scale's ``max`` (a chart's time
range), and two traits of one widget under ``hold_sync`` (one message).
The CPU is the whole process's: the sending thread's serialising and signing
and the IOPub thread's sending.
"""

from __future__ import annotations

import json
import statistics
import sys

from .kernel import Kernel

CODE = """
import json, threading, time, psutil
from ipywidgets import HTML
from bqplot import LinearScale
_p = psutil.Process()
_html, _scale = HTML(), LinearScale()

def _cpu():
    t = _p.cpu_times()
    return t.user + t.system

def _timed(n, change):
    out = {{}}
    def run():
        c0 = _cpu()
        for i in range(n):
            change(i)
        time.sleep(0.5)  # the IOPub thread's share of the last messages
        out["cpu"] = _cpu() - c0
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return out["cpu"]

def _two(i):
    with _html.hold_sync():
        _html.value = str(i)
        _html.placeholder = str(i)

_idle = _timed(0, None)
_stats = {{
    "html value": _timed({n}, lambda i: setattr(_html, "value", str(i))) - _idle,
    "scale max": _timed({n}, lambda i: setattr(_scale, "max", float(i))) - _idle,
    "two traits, one message": _timed({n}, _two) - _idle,
}}
print("STATS", json.dumps(_stats))
"""


def main(messages: int = 2000, rounds: int = 3) -> None:
    kernel = Kernel()
    per: dict[str, list[float]] = {}
    try:
        for _ in range(rounds):
            _, out = kernel.run(CODE.format(n=messages))
            for name, cpu in json.loads(out.split("STATS", 1)[1]).items():
                per.setdefault(name, []).append(cpu / messages * 1e3)
    finally:
        kernel.close()
    for name, values in per.items():
        each = ", ".join(f"{v:.3f}" for v in values)
        print(f"{name:24s} {statistics.median(values):.3f} ms of kernel CPU per message ({each})")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
