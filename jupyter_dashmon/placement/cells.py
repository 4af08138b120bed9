"""Runs in the kernel: work attributed to the notebook cell that submitted it.

Every cell execution gets a *run* name.  While the cell runs, a Dask task
annotation (``RUN_ANNOTATION``) names the run; ``distributed`` merges the
annotations in force into every submission (``submit``, ``map``,
``compute``, ``persist``, ``get`` and so collections' ``.compute()``), so the
collector can count each run's tasks.  A cell that submits nothing leaves
nothing behind: its label is kept only in :data:`RUN_LABELS`, which the
dashboard reads for runs the collector reported.

Each run is also a ``distributed`` span named after it: the workers then
split their fine performance metrics by run, and the Metrics view shows one
run's (a span opened inside, by the user or a nested ``track``, nests
under it).

``track(name)`` does the same for a block of code outside cells (a script, a
thread).  ``dashmon.cells`` (``dask.config``, default on) switches
attribution off and on; it is read at every cell.

The card under a cell: a Client with an open dashboard tells this module of
each submission (its ``_graph_to_futures``, the one path all submissions take,
is wrapped on that Client instance only while a dashboard is open).  The first
submission of a cell displays the card there (on the cell's own thread, so the
output lands under the cell); the card is then updated from the dashboard's
model by display id, also while the cell blocks and after it finished, and it
is plain HTML, so a saved notebook keeps its last picture.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import dask
from distributed import span
from IPython.display import display, update_display

from ..aggregate.models import DashboardModel
from ..aggregate.throttle import Throttle
from ..aggregate.work import RUN_LABELS, RunLabel, cell_rows, first_error, first_line
from ..collect.messages import RUN_ANNOTATION
from ..config import validate_option
from ..views.card import card_html
from . import registry

logger = logging.getLogger("jupyter_dashmon")

#: This kernel's part of every run name (runs of other kernels differ).
_KERNEL = uuid.uuid4().hex[:12]
_numbers = itertools.count(1)

#: Seconds between two updates of a card.
CARD_EVERY = 1.0
#: Seconds a finished cell waits, at most, for the dashboard to hear of its last results.
CELL_GRACE = 0.3
#: Seconds a card whose run has failed tasks waits for the run's own first error.
ERROR_WAIT = 2.0
#: Seconds a card of a finished cell keeps looking for its run's last tasks.
FOLLOW_UP = 3600.0


def new_run(label: RunLabel) -> str:
    """A fresh run name, labelled in the kernel's one store."""
    run = f"{_KERNEL}/{next(_numbers)}"
    RUN_LABELS.add(run, label)
    return run


def enabled() -> bool:
    """Whether cells are tracked (``dask.config`` ``dashmon.cells``)."""
    return bool(validate_option("cells", dask.config.get("dashmon.cells", True), "dashmon.cells"))


@contextlib.contextmanager
def track(name: str) -> Iterator[str]:
    """Attribute the Dask work submitted inside the block to a run called ``name``.

    For scripts, threads and anything outside a notebook cell; inside a cell
    it takes over from the cell's run for the block.  Yields the run name.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"track() needs a non-empty name, got {name!r}")
    run = new_run({"cell": None, "name": name.strip(), "code": ""})
    with dask.annotate(**{RUN_ANNOTATION: run}), span(run):
        yield run


class Card:
    """The live card of one run under its cell, drawn from a dashboard's model."""

    def __init__(self, run: str, model: DashboardModel):
        self.run = run
        self.model = model
        self.cell_running = True
        self.closed = False
        self._lock = threading.RLock()
        self.shown = self.html()
        self.handle = display({"text/html": self.shown}, raw=True, display_id=True)
        self.redraw = Throttle(self.update, CARD_EVERY)
        model.work.observe(self.redraw, names=["runs", "errors"])
        model.status.observe(self._on_state, names=["state"])

    def html(self, note: str = "") -> str:
        runs = self.model.work.runs
        counts = runs.get(self.run)
        now = time.time()
        if counts is None:  # not reported yet: what we know
            label = RUN_LABELS.get(self.run)
            row: dict[str, Any] = {
                **label,
                "start": now,
                "stop": None,
                "total": 0,
                "done": 0,
                "erred": 0,
                "bytes": 0,
                "cpu": {},
                "prefixes": {},
                "finished": {},
            }
        else:
            rows = cell_rows({self.run: counts}, RUN_LABELS)
            if not rows:
                return ""
            row = rows[0]
        error = first_error(self.model.work.errors, self.run)
        return card_html(row, self.model.progress.colors, error, now, note)

    def _show(self, text: str) -> None:
        # Raw: the bundle as it is, without a pass through every IPython formatter
        # (that pass cost about a fifth of the dashboard's kernel time).
        update_display({"text/html": text}, raw=True, display_id=self.handle.display_id)

    def update(self) -> None:
        """Draw the card now (from the dashboard's thread or the cell's)."""
        with self._lock:
            if self.closed:
                return
            text = self.html()
            if self.handle is not None and text and text != self.shown:
                self._show(text)
                self.shown = text
            if not self.cell_running and self._complete():
                self.finish()

    def _complete(self) -> bool:
        """Every task of the run finished, and its first error is known if any failed."""
        counts = self.model.work.runs.get(self.run)
        if counts is None or counts["done"] + counts["erred"] < counts["total"]:
            return False
        # The first error comes with the counts that include it; a task that
        # erred only because its input (of another run) failed has none: wait
        # for it only a little while after the run's last change.
        return (
            not counts["erred"]
            or first_error(self.model.work.errors, self.run) is not None
            or time.time() - counts["stop"] > ERROR_WAIT
        )

    def cell_done(self) -> None:
        """The cell returned: draw now, then every :data:`CARD_EVERY` seconds
        until the run's last task is in (work the cell left running, such as
        ``persist``), on a timer of the card's own: the last model change may
        come before or after this, and the card must not wait for a next one."""
        self.cell_running = False
        # A cell that waited for its results ends a poll or so before the
        # dashboard hears of the last ones: wait that long, so that the final
        # picture goes out from the cell itself (nbclient, behind
        # ``nbconvert --execute``, keeps only a cell's own output messages).
        deadline = time.monotonic() + CELL_GRACE
        while not self._complete() and time.monotonic() < deadline:
            time.sleep(0.02)
        self.update()
        self._follow_up(time.monotonic() + FOLLOW_UP)

    def _follow_up(self, until: float) -> None:
        if self.closed or time.monotonic() > until:
            return
        timer = threading.Timer(CARD_EVERY, self._tick, args=(until,))
        timer.daemon = True
        timer.start()

    def _tick(self, until: float) -> None:
        try:
            self.update()
        except Exception:  # never in the way of the user's work
            logger.exception("dashmon: could not update a cell's card")
        self._follow_up(until)

    def finish(self, note: str = "") -> None:
        """Last update; the card keeps this picture."""
        with self._lock:
            self._finish(note)

    def _finish(self, note: str) -> None:
        if self.closed:
            return
        self.closed = True
        self.model.work.unobserve(self.redraw, names=["runs", "errors"])
        self.model.status.unobserve(self._on_state, names=["state"])
        self.redraw.close()
        if note and self.handle is not None:
            self._show(self.html(note))
        _TRACKER.cards.pop(self.run, None)

    def _on_state(self, change: dict) -> None:
        if change["new"] == "closed":
            self.finish("The dashboard closed; these are the last numbers it had.")


class CellTracker:
    """Names each cell execution's run and shows cards (IPython event callbacks)."""

    def __init__(self) -> None:
        self.cards: dict[str, Card] = {}
        self._stack: contextlib.ExitStack | None = None
        self._run: str | None = None
        self._lock = threading.Lock()

    def pre_run_cell(self, info: Any) -> None:
        self.settle()
        try:
            if not enabled():
                return
            from IPython import get_ipython

            shell = get_ipython()
            count = getattr(shell, "execution_count", None)
            code = getattr(info, "raw_cell", "") or ""
            label: RunLabel = {"cell": count, "name": f"In [{count}]", "code": first_line(code)}
            cell_id = getattr(info, "cell_id", None)
            if cell_id:
                label["cell_id"] = str(cell_id)
            run = new_run(label)
            stack = contextlib.ExitStack()
            stack.enter_context(dask.annotate(**{RUN_ANNOTATION: run}))
            stack.enter_context(span(run))
            self._stack, self._run = stack, run
        except Exception:
            logger.exception("dashmon: could not tag this cell's Dask work")

    def post_run_cell(self, result: Any = None) -> None:
        stack, run = self._stack, self._run
        self._stack = self._run = None
        if stack is not None:
            try:
                stack.close()
            except ValueError:  # the annotation was set in another context; it ends with it
                logger.debug("dashmon: cell annotation ended in another context")
        card = self.cards.get(run) if run is not None else None
        if card is not None:
            card.cell_done()

    def settle(self) -> None:
        """Redraw every open card: one whose last update was held back by its
        throttle gets its final picture no later than the next cell."""
        for card in list(self.cards.values()):
            card.update()

    def submitting(self, client: Any) -> None:
        """A submission by ``client`` on this thread: the first one of a cell shows its card."""
        run = dask.get_annotations().get(RUN_ANNOTATION)
        if not isinstance(run, str) or run in self.cards:
            return
        if RUN_LABELS.get(run)["cell"] is None or threading.current_thread() is not (
            threading.main_thread()
        ):
            return
        dashboards = [d for d in registry.dashboards_of(client) if d.options.cells]  # type: ignore[attr-defined]
        if not dashboards:
            return
        self.cards[run] = Card(run, dashboards[0].model)  # type: ignore[attr-defined]


_TRACKER = CellTracker()


def install_cell_hooks() -> bool:
    """Register the tracker with the running IPython shell (False outside IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    events = shell.events
    for name in ("pre_run_cell", "post_run_cell"):
        callback = getattr(_TRACKER, name)
        if callback not in events.callbacks[name]:
            events.register(name, callback)
    return True


def follow(client: Any) -> None:
    """Hear of ``client``'s submissions while it has a dashboard (see module doc)."""
    original = getattr(type(client), "_graph_to_futures", None)
    if original is None or "_graph_to_futures" in vars(client):
        return

    def graph_to_futures(*args: Any, **kwargs: Any) -> Any:
        try:
            _TRACKER.submitting(client)
        except Exception:  # never in the way of the user's work
            logger.exception("dashmon: could not show this cell's card")
        return original(client, *args, **kwargs)

    client._graph_to_futures = graph_to_futures


def unfollow(client: Any) -> None:
    """Stop hearing of ``client``'s submissions (its last dashboard closed)."""
    vars(client).pop("_graph_to_futures", None)
