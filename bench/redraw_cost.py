"""Runs in the benchmark process: a Status chart's redraw, and the same content as one message.

``python -m bench.redraw_cost [redraws] [rounds]``: in a real IPython kernel
(:class:`.kernel.Kernel`) with a Client of a process cluster, the upstream
example workload runs once with ``client.dashboard()`` displayed while the
models' states are recorded at every change.  Then, every redraw throttle
paused, for each of Progress (with its counts line), Memory use and the
CPU/memory and network charts, ``redraws`` times in a row, each time from
the next recorded state:

- ``view``: the view's own redraw (bqplot figures sent several widgets, a
  message each, until session 11; now each chart is one widget of the
  package's own);
- ``one message``: what that redraw computes (its segments, texts, ticks,
  titles, computed here by the same transforms) assigned to one trait of one
  bare widget, numbers as binary buffers: what a chart of the package's own,
  like the task canvas, would send per redraw.  Nothing draws it.

Measured: the kernel process's CPU (psutil: the redrawing thread, the
serialising and signing, the IOPub thread's sending) per redraw, less an idle
window as long, and the widget messages per redraw.  This is the saving
that drawing those charts on the package's own widget would bring, before
writing it.
"""

from __future__ import annotations

import json
import sys

from . import stats
from .kernel import OPEN, WORKLOAD, client_kernel, spread

RECORD = """
import copy as _copy, json as _j, time as _time, psutil as _ps
import ipywidgets as _ipw
_pm, _rm = dash.views["progress"].model, dash.views["resources"].model
_states = {"progress": [], "resources": []}
def _keep_progress(change):
    if len(_states["progress"]) < 200:
        _states["progress"].append({"prefixes": _copy.deepcopy(_pm.prefixes),
                                    "totals": dict(_pm.totals)})
def _keep_resources(change):
    if len(_states["resources"]) < 200:
        _states["resources"].append({n: list(getattr(_rm, n)) for n in _rm.trait_names()
                                     if isinstance(getattr(_rm, n), list)})
_pm.observe(_keep_progress, names=["prefixes"])
_rm.observe(_keep_resources, names=["time"])
_sent = [0]
_send0 = _ipw.Widget._send
def _counted(self, msg, buffers=None):
    _sent[0] += 1
    return _send0(self, msg, buffers)
_ipw.Widget._send = _counted
"""

MEASURE = """
import html as _html
import numpy as _np
from traitlets import Dict as _Dict
from jupyter_dashmon.aggregate import transforms as _tf, ticks as _tk
from jupyter_dashmon.views.resources import MAX_POINTS as _MAXP, short_bytes as _sb
from jupyter_dashmon.views.base import decimate as _decimate
for _v in dash.views.values():
    if hasattr(_v, "redraw"):
        _v.redraw.active = False
_pm.unobserve(_keep_progress, names=["prefixes"])
_rm.unobserve(_keep_resources, names=["time"])
_proc = _ps.Process()

class _One(_ipw.DOMWidget):
    content = _Dict().tag(sync=True)
_one = _One()

def _f4(values):
    return _np.asarray(values, "<f4").tobytes()

def _progress_content(seq):
    view = dash.views["progress"]
    prefixes, totals = _pm.prefixes, _pm.totals or _tf.progress_totals({})
    bars, hidden = _tf.progress_bars(prefixes, _pm.max_bars)
    text = [f"{_tf.short_name(b['prefix'])}  {b['done']:,} / {b['total']:,}" for b in bars]
    tips = [_tf.bar_tooltip(b["prefix"], prefixes[b["prefix"]]) for b in bars]
    x0, x1, y, colors, alpha, labels = view.segments(bars, tips)
    return {"seq": seq, "x0": _f4(x0), "x1": _f4(x1), "row": _f4(y), "colors": colors,
            "alpha": _f4(alpha), "text": text, "tips": tips, "hidden": hidden,
            "title": _tf.progress_title(totals),
            "counts": _html.escape(_tf.counts_text(totals))}

def _memory_content(seq):
    memory, hidden, total = _tf.memory_bars(_pm.prefixes, _pm.max_bars)
    names = list(memory)
    ticks = _tk.byte_ticks(max(memory.values(), default=0))
    return {"seq": seq, "values": _f4([memory[n] for n in names]),
            "colors": [_pm.colors.get(n, "#7f7f7f") for n in names],
            "text": [f"{_tf.short_name(n)}  {_tf.format_bytes(memory[n])}" for n in names],
            "tips": [f"{n}: {_tf.format_bytes(memory[n])} in memory" for n in names],
            "ticks": _f4(ticks.values), "tick_labels": list(ticks.labels.values()),
            "title": f"Memory use: {_tf.format_bytes(total)}", "hidden": hidden}

def _resources_content(seq):
    n = min(len(_rm.time), len(_rm.cpu), len(_rm.memory), len(_rm.memory_limit),
            len(_rm.network_read), len(_rm.network_write))
    keep = _decimate(n, _MAXP)
    col = lambda v: _np.asarray(v[-n:], float)[keep]
    t, cpu, mem = col(_rm.time), col(_rm.cpu), col(_rm.memory)
    pct = mem / _np.maximum(col(_rm.memory_limit), 1.0) * 100
    read, write = col(_rm.network_read), col(_rm.network_write)
    tips = [f"{_tk.clock_text(t[i])}  CPU {cpu[i]:.0f}% \\u00b7 memory {pct[i]:.0f}%"
            f" ({_sb(mem[i])})" for i in _decimate(len(t), 48)]
    net = [f"{_tk.clock_text(t[i])}  read {_sb(read[i])}/s \\u00b7 write {_sb(write[i])}/s"
           for i in _decimate(len(t), 48)]
    a = _tk.quantity_ticks(float(max(cpu.max(), pct.max())), 4, floor=10.0, unit="%")
    b = _tk.byte_ticks(float(max(read.max(), write.max())), 4, per_second=True)
    return {"seq": seq, "time": _np.asarray(t, "<f8").tobytes(), "cpu": _f4(cpu),
            "memory": _f4(pct), "read": _f4(read), "write": _f4(write),
            "usage_tips": tips, "network_tips": net,
            "ticks": [_f4(a.values), list(a.labels.values()), _f4(b.values),
                      list(b.labels.values())],
            "titles": [f"CPU {cpu[-1]:.0f}% \\u00b7 memory {_sb(mem[-1])}",
                       f"Net read {_sb(read[-1])}/s \\u00b7 write {_sb(write[-1])}/s"]}

_CONTENT = {"progress": _progress_content, "memory": _memory_content,
            "resources": _resources_content}

def _load(view, state):
    model = _rm if view == "resources" else _pm
    with model.hold_trait_notifications():
        for name, value in state.items():
            setattr(model, name, value)

def _cpu():
    t = _proc.cpu_times()
    return t.user + t.system

def _redraw(view, how, n):
    states = _states["resources" if view == "resources" else "progress"]
    v = dash.views[view]
    m0, t0, c0 = _sent[0], _time.perf_counter(), _cpu()
    for i in range(n):
        _load(view, states[i % len(states)])
        if how == "view":
            v._update()
            if view == "progress":
                v._update_counts()
        else:
            _one.content = _CONTENT[view](i)
    _time.sleep(0.3)  # the IOPub thread's share of the last messages
    c1, t1, m1 = _cpu(), _time.perf_counter(), _sent[0]
    _time.sleep(t1 - t0)
    idle = _cpu() - c1
    return {"ms": (c1 - c0 - idle) / n * 1e3, "messages": (m1 - m0) / n,
            "states": len(states)}
"""

VIEWS = ("progress", "memory", "resources")
HOW = ("view", "one message")


def measure(redraws: int = 200, rounds: int = 3, log=print) -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = {(v, h): [] for v in VIEWS for h in HOW}
    with client_kernel() as k:
        k.run(OPEN)
        k.run(RECORD)
        k.run(WORKLOAD.format())
        k.run(MEASURE)
        for r, order in enumerate(stats.rotated_orders(list(out), rounds)):
            for view, how in order:
                code = f"print('R', _j.dumps(_redraw({view!r}, {how!r}, {redraws})))"
                _, text = k.run(code)
                result = json.loads(text.split("R ", 1)[1])
                out[(view, how)].append(result)
                log(
                    f"  round {r} {view:10s} {how:12s} {result['ms']:.3f} ms per redraw, "
                    f"{result['messages']:.1f} messages ({result['states']} states)"
                )
    return out


def report(out: dict[tuple[str, str], list[dict]]) -> None:
    print(f"{'view':10s} {'as':12s} {'kernel CPU per redraw':>22s}  messages  rounds")
    for (view, how), results in out.items():
        ms = [r["ms"] for r in results]
        msgs = stats.median([r["messages"] for r in results])
        print(f"{view:10s} {how:12s} {stats.median(ms):19.3f} ms  {msgs:8.1f}  {spread(ms, 3)}")


if __name__ == "__main__":
    redraws = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    report(measure(redraws, rounds))
