"""Runs in the kernel: calling something at most every so often, and only while wanted.

Views redraw through a :class:`Throttle`, and the task windows of
:mod:`.task_windows` aggregate through one, so that five polls a second
become a few redraws a second and a hidden figure costs nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

#: A deferred call waits this share of ``every`` past due.  A change that
#: comes meanwhile (the next poll, a fifth of a second later) runs it then,
#: in the same turn of the loop as the other views' redraws for that poll,
#: so their widget messages leave together; the timer then has nothing to do.
LATE = 0.5


class Throttle:
    """Call ``fn`` at most once per ``every`` seconds; the last call always lands.

    Views redraw through this so a burst of model changes (five polls a second)
    becomes a few redraws a second.  Inside a running asyncio loop (the
    Client's event loop, where the listener writes the models) a call that
    comes too early is deferred: it runs at the first later call that finds
    it due, or on a timer :data:`LATE` of ``every`` past due, whichever is
    first.  That timer runs on the caller's loop: a call deferred from a cell
    (ipykernel runs cells inside its own loop) waits until the cell ends.
    With no running loop (tests, plain threads) every call happens at
    once.  ``active = False`` holds every call until it is set back (a hidden
    page does not redraw); ``on_active`` hears every such change, so a view
    can tell the model it draws from to rest too.
    """

    def __init__(
        self,
        fn: Callable[[], None],
        every: float,
        on_active: Callable[[bool], None] | None = None,
    ):
        self.fn = fn
        self.every = every
        self.on_active = on_active
        self._last = 0.0
        self._scheduled = False
        self._pending = False
        self._active = True
        self._missed = False
        self._closed = False

    @property
    def active(self) -> bool:
        return self._active

    @active.setter
    def active(self, value: bool) -> None:
        if self._closed:
            return
        self._active = bool(value)
        if self.on_active is not None:
            self.on_active(self._active)
        if self._active and self._missed:
            self()

    def due(self) -> bool:
        """Whether a call now would run at once (``every`` has passed since the last)."""
        return time.monotonic() - self._last >= self.every

    def __call__(self, *_: object) -> None:
        if not self._active:
            self._missed = True
            return
        self._pending = True
        wait = self.every - (time.monotonic() - self._last)
        if wait <= 0:
            self._run()
            return
        if self._scheduled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._run()
            return
        self._scheduled = True
        loop.call_later(wait + LATE * self.every, self._deferred)

    def close(self) -> None:
        """Never call again, not even a call already scheduled."""
        self._closed = True
        self._active = False
        if self.on_active is not None:
            self.on_active(False)

    def _deferred(self) -> None:
        self._scheduled = False
        if self._pending and not self._closed:
            self()  # runs it, holds it (hidden meanwhile), or waits again

    def _run(self) -> None:
        if self._closed:
            return
        self._pending = self._missed = False
        self._last = time.monotonic()
        self.fn()
