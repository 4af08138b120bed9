"""Fixtures for the reliability tests: a subprocess scheduler and workers we may kill."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from reliability_procs import free_port, start_scheduler, start_worker, stop, wait_listening


@dataclass
class ProcCluster:
    """A scheduler and workers as subprocesses of the test, on a fixed loopback port."""

    port: int
    log: object
    scheduler: object = None
    workers: list = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def start_scheduler(self) -> None:
        self.scheduler = start_scheduler(self.port, self.log)
        wait_listening(self.port)

    def add_worker(self, nthreads: int = 2):
        proc = start_worker(self.address, self.log, nthreads)
        self.workers.append(proc)
        return proc

    def procs(self) -> list:
        return [p for p in [*self.workers, self.scheduler] if p is not None]


@pytest.fixture
def proc_cluster(tmp_path) -> Iterator[ProcCluster]:
    """A subprocess scheduler and two 2-thread workers (no nannies)."""
    # Open for the cluster's lifetime: workers added later log to it too.
    log = open(tmp_path / "cluster.log", "w+")  # noqa: SIM115
    pc = ProcCluster(port=free_port(), log=log)
    try:
        pc.start_scheduler()
        pc.add_worker()
        pc.add_worker()
        yield pc
    finally:
        stop(*pc.procs())
        log.close()
