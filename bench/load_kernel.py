"""Runs in the notebook kernel: the workload of the browser-load benchmark, on cue.

:func:`kernel_serve` runs in a thread of the kernel that holds the cluster and
the dashboard; :mod:`bench.browser_load` (the benchmark process) cues each run
with a flag file and reads back what the Progress model and its view showed.
"""

from __future__ import annotations

import html
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
    from jupyter_dashmon.views.progress import ProgressView

    return ProgressView.counts_text(dash.model.progress.totals or tf.progress_totals({}))


def _view_text(dash: Any) -> str | None:
    """The counts line the kernel's view last sent, if the dashboard has one."""
    view = getattr(dash, "views", {}).get("progress")
    counts = getattr(view, "counts", None)
    return None if counts is None else html.unescape(counts.value)


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


def kernel_serve(client: Any, dash: Any, folder: str, repeats: int = 3) -> None:
    """Run the workload each time ``go-N`` appears in ``folder`` (runs in a kernel thread).

    Writes ``ended-N`` when the workload is done and, one second later (the
    model's last changes), ``done-N.json`` with the model's counts-line changes;
    ``error-N.txt`` if the run failed.
    """
    where = Path(folder)
    for n in itertools.count():
        while not (where / f"go-{n}").exists():
            if (where / "stop").exists():
                return
            time.sleep(0.02)
        changes: dict[str, list] = {"model": [], "view": []}
        stop = threading.Event()
        poller = threading.Thread(target=_poll, args=(dash, changes, stop), daemon=True)
        poller.start()
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
        (where / f"done-{n}.json").write_text(json.dumps({"start": start, "end": end, **changes}))
