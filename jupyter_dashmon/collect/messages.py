"""Runs in the scheduler and in the kernel: the messages that cross between them.

One definition for both sides of the wire.  The scheduler-side collector
(:mod:`jupyter_dashmon.collect.plugin`) builds these dictionaries and the
kernel-side listener (:mod:`jupyter_dashmon.aggregate.listener`) reads them.
Everything here is plain msgpack-able data: dicts, lists, str, int, float.

The columnar ``TypedDict`` classes (:class:`TaskColumns`,
:class:`ResourceColumns`, :class:`WorkerTable`) are the one declaration of
their columns: the field tuples and ring storage below, the sampling code,
the kernel's traits and the views all derive from them.

This module imports the standard library only, because it is shipped by value
to schedulers that may not have ``jupyter_dashmon`` installed.  Its
annotations are evaluated (no ``from __future__ import annotations``) so that
the storage of each column can be read from them.
"""

from typing import Annotated, Any, TypedDict, get_args, get_origin, get_type_hints

#: The name under which the collector is registered on the scheduler.
PLUGIN_NAME = "jupyter-dashmon"

#: Scheduler RPC handlers added by the collector.
POLL_OP = "dashmon_poll"
UNSUBSCRIBE_OP = "dashmon_unsubscribe"

#: The task annotation that names the run (a notebook cell's execution, a
#: ``jupyter_dashmon.track`` block) a task was submitted in.
RUN_ANNOTATION = "dashmon_run"
#: The run of work submitted with no run annotation.
OTHER_RUN = "other"

#: Task-record actions, in the order of their numeric codes on the wire.
ACTIONS = ("compute", "transfer", "disk-read", "disk-write", "deserialize", "other")


class PrefixCounts(TypedDict):
    """Progress of one task prefix, as seen by the scheduler now.

    ``done`` counts tasks that completed: in memory now, released after
    completing, or forgotten after completing.  ``nbytes`` is the size of the
    prefix's results that are in memory now.
    """

    total: int
    done: int
    memory: int
    released: int
    erred: int
    processing: int
    waiting: int
    queued: int
    no_worker: int
    nbytes: int


class RunCounts(TypedDict):
    """The work of one run (see :data:`RUN_ANNOTATION`) as the scheduler counted it.

    ``index`` is the run's number in task records (``TaskColumns.run``);
    ``total`` counts the tasks the run submitted that were not computed
    already; ``done`` those that finished, ``erred`` those that failed (or
    whose inputs failed); ``bytes`` sums the sizes of the results when they
    were made.  ``start`` is when the first task arrived and ``stop`` when the
    last one finished or failed (epoch seconds).  ``prefixes`` counts tasks per
    function and ``finished`` those of them done; ``seconds`` sums worker time
    per task-record action.
    """

    name: str
    index: int
    total: int
    done: int
    erred: int
    bytes: int
    start: float
    stop: float
    prefixes: dict[str, int]
    finished: dict[str, int]
    seconds: dict[str, float]


class ErrorGroup(TypedDict):
    """Tasks of one function that raised one type of exception.

    ``message`` and ``traceback`` are those of the first failure, as text;
    ``keys`` and ``workers`` name the first few; ``first``/``last`` are epoch
    seconds; ``run`` is the run of the first failure.
    """

    prefix: str
    exception: str
    message: str
    traceback: str
    count: int
    keys: list[str]
    workers: list[str]
    first: float
    last: float
    run: str


class TaskColumns(TypedDict):
    """Task records in columns (one list per field, same length).

    ``code`` packs action and status: ``action_index * 2 + erred``.  Times
    are seconds since the epoch, as the workers reported them.
    """

    key: list[str]
    prefix: list[str]
    worker: list[str]
    thread: list[int]
    start: list[float]
    stop: list[float]
    # One byte per row in the collector's ring: about 130 bytes a record in all.
    code: Annotated[list[int], "B"]
    # The index of the record's run (RunCounts.index; 0: none), two bytes a row.
    run: Annotated[list[int], "H"]


class ResourceColumns(TypedDict):
    """Cluster-wide resource samples in columns.

    ``cpu`` is the mean CPU % over workers (100 = one core busy), ``memory``
    and ``memory_limit`` are summed process memory and limits in bytes,
    ``network_read``/``network_write`` summed host network bytes per second.
    ``scheduler_cpu`` (%) and ``scheduler_memory`` (bytes) are the scheduler
    process's own, ``loop_interval`` its observed event-loop tick interval
    (seconds), ``dashboard_seconds`` the scheduler time spent on dashboards
    so far (polls plus the transition hook).
    """

    time: list[float]
    cpu: list[float]
    memory: list[float]
    memory_limit: list[float]
    network_read: list[float]
    network_write: list[float]
    scheduler_cpu: list[float]
    scheduler_memory: list[float]
    loop_interval: list[float]
    n_workers: list[float]
    n_clients: list[float]
    n_tasks: list[float]
    dashboard_seconds: list[float]


class WorkerTable(TypedDict):
    """The latest reading of every worker, in columns (one entry per worker).

    Bytes for memory fields, bytes per second for network and disk, CPU in %
    (100 = one core), ``last_seen`` in seconds since the epoch.
    """

    address: list[str]
    name: list[str]
    nthreads: list[int]
    cpu: list[float]
    memory: list[float]
    memory_limit: list[float]
    managed: list[float]
    unmanaged: list[float]
    spilled: list[float]
    processing: list[int]
    in_memory: list[int]
    network_read: list[float]
    network_write: list[float]
    disk_read: list[float]
    disk_write: list[float]
    last_seen: list[float]


#: Task keys a :class:`WorkerDetail` lists at most.
DETAIL_KEYS = 50


class WorkerDetail(TypedDict):
    """What one worker is running now: at most :data:`DETAIL_KEYS` of the keys
    it processes, and how many it processes in all."""

    address: str
    processing: list[str]
    n_processing: int


class WorkerInfo(TypedDict):
    """Identity of one worker, sent when the set of workers changes."""

    name: str
    nthreads: int


class PollRequest(TypedDict):
    """What the kernel already has; the reply carries only what is newer."""

    subscriber: str
    epoch: str
    cursor: int
    version: int
    resource_cursor: int
    worker_version: int
    limit: int
    detail: str
    wait: float


class Delta(TypedDict):
    """The reply to a poll: everything that changed since the request's cursors.

    ``reset`` is true when the request's epoch was not this collector's (first
    poll, or a new scheduler): the kernel must drop what it holds and take this
    reply as the whole state.  ``dropped`` counts task records that the kernel
    will never see (overwritten in the ring, or beyond ``limit``).  ``workers``
    is ``None`` when the set of workers did not change; ``worker_table`` is
    ``None`` unless a resource sample was taken since ``resource_cursor``;
    ``detail`` answers the request's ``detail`` worker address.  ``runs`` and
    ``errors`` hold the runs and error groups that changed since ``version``.
    """

    epoch: str
    reset: bool
    now: float
    cursor: int
    dropped: int
    tasks: TaskColumns
    version: int
    progress: dict[str, PrefixCounts]
    resource_cursor: int
    resources: ResourceColumns
    worker_version: int
    workers: dict[str, WorkerInfo] | None
    worker_table: WorkerTable | None
    detail: WorkerDetail | None
    runs: dict[str, RunCounts]
    errors: list[ErrorGroup]
    cost: float


# -- derived from the declarations above --------------------------------------------

#: Array typecode per item type of a column; ``"object"`` keeps references.
_STORAGE = {str: "object", int: "q", float: "d"}


def fields_of(columns: Any) -> tuple[str, ...]:
    """The column names of a columnar ``TypedDict``, in declaration order."""
    return tuple(get_type_hints(columns))


def ring_columns(columns: Any) -> dict[str, str]:
    """Storage of each column in a ``Ring``: ``list[str]`` as references,
    ``list[int]`` as int64 and ``list[float]`` as float64 arrays, unless the
    annotation is ``Annotated`` with another array typecode."""
    storage = {}
    for name, hint in get_type_hints(columns, include_extras=True).items():
        if get_origin(hint) is Annotated:
            storage[name] = hint.__metadata__[0]
        else:
            (item,) = get_args(hint)
            storage[name] = _STORAGE[item]
    return storage


#: Task-record columns, in order.
TASK_FIELDS = fields_of(TaskColumns)
#: Cluster-wide resource sample columns, in order (the resources ring).
RESOURCE_FIELDS = fields_of(ResourceColumns)
#: Worker-table columns, in order.
WORKER_FIELDS = fields_of(WorkerTable)
