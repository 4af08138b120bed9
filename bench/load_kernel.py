"""Runs in the notebook kernel: the workload of the browser-load benchmark, on cue.

:func:`kernel_serve` runs in a thread of the kernel that holds the cluster and
the dashboard; :mod:`bench.browser_load` (the benchmark process) cues each run
with a flag file and reads back what the Progress model and its view showed.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import traceback
from pathlib import Path
from typing import Any

#: How often the kernel samples the Progress model, seconds.
POLL = 0.05


def workload(client: Any, repeats: int = 3) -> None:
    """The mixed workload of LOOKS.md on ``client`` (runs in the kernel)."""
    import dask.array as da
    from distributed import wait

    from tests.workloads import add, dec, fail, inc

    a = client.map(inc, range(100))
    b = client.map(dec, range(100))
    c = client.map(add, a, b)
    client.submit(sum, c).result()
    del a, b, c
    x = da.random.random((4000, 4000), chunks=(500, 500))
    for _ in range(repeats):
        (x + x.T).mean(axis=0).compute()
    failing = [client.submit(fail if i % 6 == 5 else inc, i, pure=False) for i in range(40)]
    # Waited for, not gathered: a raised exception's traceback would keep its
    # future (and the erred task in the scheduler) alive until a GC cycle.
    wait(failing)
    if sum(f.status == "error" for f in failing) != 40 // 6:
        raise RuntimeError("every sixth of the 40 tasks should have failed")
    del failing
    y = (x + 1).persist()
    for _ in range(repeats):
        (y - y.mean(axis=0)).std().compute()
    del y


def _model_text(dash: Any) -> str:
    from jupyter_dashmon.aggregate import transforms as tf

    return tf.counts_text(dash.model.progress.totals or tf.progress_totals({}))


def _view_text(dash: Any) -> str | None:
    """The counts line the kernel's view last sent, if the dashboard has one."""
    view = getattr(dash, "views", {}).get("progress")
    return None if view is None else view.figure.note


def _poll(dash: Any, changes: dict[str, list], stop: threading.Event) -> None:
    """Note each new counts line of ``dash``'s Progress model (and of its view, to
    tell the kernel's share of the lag from the browser's) with the time first seen."""
    last: dict[str, str | None] = {"model": None, "view": None}
    while not stop.is_set():
        for name, text in (("model", _model_text(dash)), ("view", _view_text(dash))):
            if text is not None and text != last[name]:
                changes[name].append((time.time(), text))
                last[name] = text
        stop.wait(POLL)


class Trace:
    """Timestamps along the path from the model to the Progress view's counts line.

    Kept per run in ``done-N.json`` under ``"trace"``: when the listener applied
    a delta (start, end), when the model's totals changed, when the view's
    redraw ran (start, end), how late a 20 ms sleep on the Client's event loop
    woke (``loop``) and how late a 5 ms sleep of a plain thread woke (``gil``:
    the wait for the interpreter lock), each only when over 50 ms late.
    """

    LATE = 0.05

    def __init__(self, client: Any, dash: Any):
        self.client, self.dash = client, dash
        self.events: dict[str, list] = {}
        self.stop = threading.Event()
        self._undo: list = []

    def note(self, name: str, *values: float) -> None:
        self.events.setdefault(name, []).append(values)

    def start(self) -> None:
        import asyncio

        listener = getattr(self.dash, "listener", None)
        view = getattr(self.dash, "views", {}).get("progress")
        if listener is not None:
            apply = listener.apply

            def traced_apply(delta: Any) -> None:
                t0 = time.time()
                try:
                    apply(delta)
                finally:
                    self.note("apply", t0, time.time())

            listener.apply = traced_apply
            self._undo.append(lambda: delattr(listener, "apply"))
        if view is not None:
            fn = view.redraw.fn

            def traced_update() -> None:
                t0 = time.time()
                try:
                    fn()
                finally:
                    self.note("update", t0, time.time())

            view.redraw.fn = traced_update
            self._undo.append(lambda: setattr(view.redraw, "fn", fn))

        def on_totals(change: Any) -> None:
            self.note("totals", time.time())

        from jupyter_dashmon.placement import visibility

        pages = visibility.pages
        report = pages.report

        def traced_report(page: str, state: str) -> None:
            self.note("visibility", time.time(), state)
            report(page, state)

        pages.report = traced_report
        self._undo.append(lambda: delattr(pages, "report"))
        if view is not None:
            redraw = view.redraw
            on_active = redraw.on_active

            def traced_active(active: bool) -> None:
                self.note("active", time.time(), active)
                if on_active is not None:
                    on_active(active)

            redraw.on_active = traced_active
            self._undo.append(lambda: setattr(redraw, "on_active", on_active))

        progress = self.dash.model.progress
        progress.observe(on_totals, names=["totals"])
        self._undo.append(lambda: progress.unobserve(on_totals, names=["totals"]))

        async def loop_probe() -> None:
            while not self.stop.is_set():
                t0 = time.monotonic()
                await asyncio.sleep(0.02)
                late = time.monotonic() - t0 - 0.02
                if late > self.LATE:
                    self.note("loop", time.time(), late)

        self.client.loop.add_callback(loop_probe)

        def gil_probe() -> None:
            while not self.stop.is_set():
                t0, cpu0 = time.monotonic(), _thread_cpu()
                time.sleep(0.005)
                late = time.monotonic() - t0 - 0.005
                if late > self.LATE:
                    # Which threads ran meanwhile (CPU seconds each) and where they are
                    # now: tells a thread holding the lock from a process left unscheduled.
                    cpu1 = _thread_cpu()
                    ran = {
                        name: round(cpu1[name] - cpu0.get(name, 0.0), 3)
                        for name in cpu1
                        if cpu1[name] - cpu0.get(name, 0.0) > 0.01
                    }
                    self.note("gil", time.time(), late, ran, _where() if late > 0.2 else {})

        threading.Thread(target=gil_probe, daemon=True).start()

    def finish(self) -> dict[str, list]:
        self.stop.set()
        for undo in self._undo:
            undo()
        return self.events


def _thread_cpu() -> dict[str, float]:
    """CPU seconds (user + system) of each thread of this process, by name."""
    import os

    names = {t.native_id: t.name for t in threading.enumerate()}
    out: dict[str, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path("/proc/self/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        name = names.get(int(task.name), f"tid-{task.name}")
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return out


def _where() -> dict[str, str]:
    """The innermost frames of each Python thread, by thread name."""
    import sys
    import traceback

    names = {t.ident: t.name for t in threading.enumerate()}
    return {
        names.get(ident, str(ident)): " <- ".join(
            f"{Path(f.filename).name}:{f.lineno} {f.name}"
            for f in reversed(traceback.extract_stack(frame)[-4:])
        )
        for ident, frame in sys._current_frames().items()
    }


def kernel_serve(client: Any, dash: Any, folder: str, repeats: int = 3) -> None:
    """Run the workload each time ``go-N`` appears in ``folder`` (runs in a kernel thread).

    Writes ``ended-N`` when the workload is done and, one second later (the
    model's last changes), ``done-N.json`` with the model's counts-line changes;
    ``error-N.txt`` if the run failed.  Between runs, ``seen`` says whether the
    dashboards draw (some page reports itself visible) and since when.
    """
    from jupyter_dashmon.placement import visibility

    where = Path(folder)
    seen = None
    for n in itertools.count():
        while not (where / f"go-{n}").exists():
            if (where / "stop").exists():
                return
            # Whether the dashboards draw now (some page reports itself visible):
            # the benchmark waits for it after showing the page again.
            now = visibility.pages.seen()
            if now != seen:
                (where / "seen.part").write_text(f"{now} {time.time()}")
                (where / "seen.part").rename(where / "seen")
                seen = now
            time.sleep(0.02)
        changes: dict[str, list] = {"model": [], "view": []}
        stop = threading.Event()
        poller = threading.Thread(target=_poll, args=(dash, changes, stop), daemon=True)
        poller.start()
        trace = Trace(client, dash)
        trace.start()
        try:
            start = time.time()
            workload(client, repeats)
            end = time.time()
            (where / f"ended-{n}").write_text(str(end))
            time.sleep(1.0)
        except Exception:
            (where / f"error-{n}.txt").write_text(traceback.format_exc())
            raise
        finally:
            stop.set()
            poller.join()
            events = trace.finish()
        # Written aside, then renamed: the benchmark reads it as soon as it exists.
        part = where / f"done-{n}.part"
        part.write_text(json.dumps({"start": start, "end": end, **changes, "trace": events}))
        part.rename(where / f"done-{n}.json")
