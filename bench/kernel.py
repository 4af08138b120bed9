"""Runs in the benchmark process, driving a real IPython kernel: items 6 and 8.

A kernel (``jupyter_client.start_new_kernel``) connects a Client to a process
cluster started here (two workers, two threads each, as in the example
notebook; the scheduler lives outside the kernel so the kernel's CPU is the
Client's and the dashboard's alone).  In rounds, with the order rotated, it
runs the upstream example workload (``inc``/``dec``/``add`` over
``range(100)``, then ``sum``) once without a dashboard and once with
``client.dashboard()`` displayed, then waits idle.  Measured:

- every iopub ``comm_msg`` (the widget updates a browser would receive):
  count and bytes (JSON of header, parent header, metadata and content, plus
  binary buffers), per second of the workload and of the idle window, and
  which widget traits the bytes went to;
- the kernel process's CPU seconds over the workload, with and without the
  dashboard, and the thread CPU spent inside ``Listener.apply`` (which
  includes the views' updates and the comm serialisation it triggers).

Beside them, without a kernel, the CPU of ``Listener.apply`` for synthetic
1,000-record deltas (:func:`apply_cpu`).  Every figure shows its rounds' spread.
"""

from __future__ import annotations

import contextlib
import json
import queue
import textwrap
import time
from collections import Counter
from collections.abc import Iterator

from jupyter_dashmon.views.package_widget import carried

from . import stats
from .cluster import ProcessCluster, bench_env
from .report import Row

SETUP = """
import time
from distributed import Client, wait
import jupyter_dashmon
from bench.tasks import nap_inc, nap_dec, nap_add
client = Client({address!r}); client.wait_for_workers(2)
_cpu = time.process_time  # every thread of the kernel, to the microsecond (psutil: 10 ms ticks)
"""

OPEN = """
dash = client.dashboard()
_apply_cpu = [0.0, 0]
_apply = dash.listener.apply
def _timed_apply(delta, _apply=_apply):
    t = time.thread_time(); _apply(delta)
    _apply_cpu[0] += time.thread_time() - t; _apply_cpu[1] += 1
dash.listener.apply = _timed_apply
_deadline = time.time() + 30
while dash.listener.polls < 3 and time.time() < _deadline:
    time.sleep(0.05)
dash
"""

WORKLOAD = """
_a0 = _apply_cpu[0] if 'dash' in globals() and dash is not None else 0.0
_c0, _w0 = _cpu(), time.perf_counter()
incs = client.map(nap_inc, range(100), pure=False)
decs = client.map(nap_dec, range(100), pure=False)
adds = client.map(nap_add, incs, decs, pure=False)
total = client.submit(sum, adds, pure=False)
del incs, decs, adds
total.result()
time.sleep(0.5)  # the last updates of the run
_stats = {{"cpu": _cpu() - _c0, "wall": time.perf_counter() - _w0,
          "apply": (_apply_cpu[0] - _a0) if 'dash' in globals() and dash is not None else 0.0}}
del total
print("STATS", __import__("json").dumps(_stats))
"""

CLOSE = """
dash.close(); dash = None
"""


def _size(msg: dict) -> int:
    parts = [msg.get("header"), msg.get("parent_header"), msg.get("metadata"), msg.get("content")]
    text = json.dumps(parts, default=str, separators=(",", ":"))
    return len(text.encode()) + sum(len(memoryview(b).cast("B")) for b in msg.get("buffers") or [])


class Kernel:
    """A started kernel and a way to run cells while counting comm traffic."""

    def __init__(self):
        from jupyter_client.manager import start_new_kernel

        self.km, self.kc = start_new_kernel(kernel_name="python3", env=bench_env())
        self.comm_msgs: list[tuple[float, int, dict]] = []

    def run(self, code: str, timeout: float = 180) -> tuple[list[dict], str]:
        """Run ``code``; collect iopub messages until idle; return them and stdout."""
        msg_id = self.kc.execute(textwrap.dedent(code))
        out, stdout = [], ""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                msg = self.kc.get_iopub_msg(timeout=1)
            except queue.Empty:
                continue
            self._note(msg)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            out.append(msg)
            kind = msg["msg_type"]
            if kind == "stream":
                stdout += msg["content"]["text"]
            elif kind == "error":
                raise RuntimeError("cell failed: " + "\n".join(msg["content"]["traceback"]))
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                return out, stdout
        raise TimeoutError(f"cell did not finish within {timeout} s")

    def listen(self, seconds: float) -> None:
        """Collect iopub traffic for ``seconds`` with no cell running."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            with contextlib.suppress(queue.Empty):
                self._note(self.kc.get_iopub_msg(timeout=max(end - time.monotonic(), 0.01)))

    def _note(self, msg: dict) -> None:
        if msg["msg_type"] == "comm_msg":
            self.comm_msgs.append((time.monotonic(), _size(msg), msg))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.run("client.close()", timeout=30)
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


@contextlib.contextmanager
def client_kernel() -> Iterator[Kernel]:
    """A real kernel whose ``client`` (:data:`SETUP`) is connected to a process
    cluster started here: two workers of two threads, as in the example notebook."""
    with ProcessCluster(nworkers=2, nthreads=2) as cluster:
        k = Kernel()
        try:
            k.run(SETUP.format(address=cluster.address))
            yield k
        finally:
            k.close()


def _traits(msgs: list) -> Counter:
    by = Counter()
    for _, size, msg in msgs:
        data = msg["content"].get("data", {})
        # A courier's message: the traits of every message it carries.
        states = [d.get("state") or {} for d, _ in carried(data)]
        keys = [k for state in states for k in state] or [data.get("method", "?")]
        for k in keys:
            by[k] += size / len(keys)
    return by


def measure(rounds: int = 3, idle: float = 5.0, log=print) -> dict:
    log(f"  Listener.apply of synthetic deltas, {rounds} rounds")
    out: dict = {"runs": [], "idle": [], "traits": Counter(), "apply": apply_cpu(rounds, log=log)}
    with client_kernel() as k:
        for r, order in enumerate(stats.rotated_orders(("none", "dashmon"), rounds)):
            for cond in order:
                if cond == "dashmon":
                    k.run(OPEN)
                k.comm_msgs.clear()
                t0 = time.monotonic()
                _, stdout = k.run(WORKLOAD.format())
                wall = time.monotonic() - t0
                s = json.loads(stdout.split("STATS", 1)[1])
                msgs = list(k.comm_msgs)
                run = {
                    "round": r,
                    "condition": cond,
                    **s,
                    "messages": len(msgs),
                    "bytes": sum(m[1] for m in msgs),
                    "span": wall,
                }
                out["runs"].append(run)
                log(
                    f"  round {r} {cond:8s} {s['wall']:.1f} s, kernel {s['cpu']:.3f} CPU-s, "
                    f"{len(msgs)} comm msgs, {run['bytes'] / 1024:.0f} KiB"
                )
                if cond == "dashmon":
                    out["traits"].update(_traits(msgs))
                    k.comm_msgs.clear()
                    # Let the run's own tail settle (workers' CPU readings decay
                    # over a few heartbeats and are news until they do)...
                    time.sleep(5.0)
                    k.listen(0.1)
                    k.comm_msgs.clear()
                    k.listen(idle)  # ...then count what an idle dashboard sends
                    msgs = list(k.comm_msgs)
                    out["idle"].append(
                        {
                            "messages": len(msgs),
                            "bytes": sum(m[1] for m in msgs),
                            "seconds": idle,
                            "traits": _traits(msgs),
                        }
                    )
                    k.run(CLOSE)
    return out


def apply_cpu(rounds: int = 3, deltas: int = 100, log=print) -> list[list[float]]:
    """Thread CPU seconds of each ``Listener.apply`` of a synthetic 1,000-record
    delta, per round: a fresh Dashboard (models and every view attached, no
    kernel) fed ``deltas`` deltas packed as the collector sends them
    (:func:`bench.memory.kernel_memory`)."""
    from .memory import kernel_memory

    out = []
    for r in range(rounds):
        seconds = kernel_memory(total=deltas * 1000, checkpoints=())["apply"]
        out.append(seconds)
        log(f"  round {r} Listener.apply median {stats.median(seconds) * 1e3:.2f} ms")
    return out


def spread(values: list[float], digits: int = 2) -> str:
    """Every round's value and their range, as a table cell says it."""
    each = ", ".join(f"{v:.{digits}f}" for v in values)
    return f"rounds {each} (range {min(values):.{digits}f}-{max(values):.{digits}f})"


def apply_rows(per_round: list[list[float]]) -> list[Row]:
    ms = [a * 1e3 for seconds in per_round for a in seconds]
    medians = [stats.median(a * 1e3 for a in seconds) for seconds in per_round]
    return [
        Row(
            "8",
            "Listener.apply CPU per 1,000-record delta",
            stats.median(ms),
            "ms",
            "<= 2 ms",
            stats.median(ms) <= 2,
            f"p95 {stats.p95(ms):.2f} ms; {len(ms)} packed synthetic deltas, every view attached, "
            f"no kernel; round medians: {spread(medians)}",
        )
    ]


def rows(m: dict) -> list[Row]:
    dash = [r for r in m["runs"] if r["condition"] == "dashmon"]
    rate = [r["bytes"] / r["span"] / 1024 for r in dash]
    per_round = {}
    for r in m["runs"]:
        per_round.setdefault(r["round"], {})[r["condition"]] = r
    extra = [
        (v["dashmon"]["cpu"] - v["none"]["cpu"]) / v["dashmon"]["wall"] * 100
        for v in per_round.values()
        if len(v) == 2
    ]
    apply_pct = [r["apply"] / r["wall"] * 100 for r in dash]
    idle_msgs = [i["messages"] / i["seconds"] for i in m["idle"]]
    idle_rate = [i["bytes"] / i["seconds"] / 1024 for i in m["idle"]]
    top = ", ".join(
        f"{k} {v / sum(m['traits'].values()) * 100:.0f}%" for k, v in m["traits"].most_common(5)
    )
    idle_traits = Counter()
    for i in m["idle"]:
        idle_traits.update(i["traits"])
    idle_top = ", ".join(f"{k}" for k, _ in idle_traits.most_common(4)) or "none"
    msgs = stats.median(r["messages"] / r["span"] for r in dash)
    return apply_rows(m["apply"]) + [
        Row(
            "6",
            "kernel->browser traffic, example workload",
            stats.median(rate),
            "KiB/s",
            "<= 50 KB/s",
            stats.median(rate) * 1.024 <= 50,
            f"{msgs:.1f} comm msgs/s; {stats.median(r['span'] for r in dash):.1f} s runs; "
            f"bytes by trait: {top}",
        ),
        Row(
            "6",
            "kernel->browser messages when idle",
            stats.median(idle_msgs),
            "msg/s",
            "0",
            stats.median(idle_msgs) == 0,
            f"{stats.median(idle_rate):.2f} KiB/s; traits: {idle_top}",
        ),
        Row(
            "8",
            "kernel CPU for the dashboard (vs no dashboard)",
            stats.median(extra),
            "% core",
            "<= 2 %",
            stats.median(extra) <= 2,
            f"in Listener.apply alone {stats.median(apply_pct):.1f} % core; "
            f"{len(extra)} paired rounds, real kernel; {spread(extra)}",
        ),
    ]
