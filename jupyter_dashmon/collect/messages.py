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


#: Marks a text column with few distinct values (a table of them plus codes on the wire).
CATEGORY = "category"


class TaskColumns(TypedDict):
    """Task records in columns (one list per field, same length).

    ``code`` packs action and status: ``action_index * 2 + erred``.  Times
    are seconds since the epoch, as the workers reported them.  On the wire
    they travel packed (:class:`PackedColumns`).
    """

    key: list[str]
    prefix: Annotated[list[str], CATEGORY]
    worker: Annotated[list[str], CATEGORY]
    # The low 32 bits of the worker thread's ident, four bytes a row: they tell a
    # worker's threads apart (an ident is the address of the thread's state; two
    # share their low 32 bits only when those addresses differ by an exact
    # multiple of 4 GiB, and then the two threads would share a row).
    thread: Annotated[list[int], "I"]
    start: list[float]
    stop: list[float]
    # One byte per row in the collector's ring: about 135 bytes a record in all.
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
    ``unmanaged_recent`` is the part of ``unmanaged`` that appeared recently
    (``distributed.worker.memory.recent-to-old-time``, 30 s by default):
    often garbage about to be freed, where the older part is a leak or the
    interpreter's own.
    """

    address: list[str]
    name: list[str]
    nthreads: list[int]
    cpu: list[float]
    memory: list[float]
    memory_limit: list[float]
    managed: list[float]
    unmanaged: list[float]
    unmanaged_recent: list[float]
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


class PackedColumns(TypedDict):
    """Columns as they cross the wire, serialised without per-row work.

    ``columns`` holds, per field: number columns as little-endian packed
    arrays (:func:`wire_types` gives each one's typecode), text columns as
    lists of str, and :data:`CATEGORY` columns as packed ``uint32`` codes
    into ``tables[field]``, the distinct values.  ``n`` is the row count.
    """

    n: int
    columns: dict[str, Any]
    tables: dict[str, list[str]]


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
    tasks: PackedColumns
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


def wire_types(columns: Any) -> dict[str, str]:
    """How each column travels: an :mod:`array` typecode for numbers (int64
    and float64 unless ``Annotated`` with another), ``"object"`` for text and
    :data:`CATEGORY` for text with few distinct values."""
    storage = {}
    for name, hint in get_type_hints(columns, include_extras=True).items():
        if get_origin(hint) is Annotated:
            storage[name] = hint.__metadata__[0]
        else:
            (item,) = get_args(hint)
            storage[name] = _STORAGE[item]
    return storage


def ring_columns(columns: Any) -> dict[str, str]:
    """Storage of each column in a ``Ring``: text as references, numbers in
    arrays of their wire typecode."""
    return {
        name: "object" if kind == CATEGORY else kind for name, kind in wire_types(columns).items()
    }


#: Typecode of the codes of a :data:`CATEGORY` column on the wire.
CODE_TYPE = "I"


#: Task-record columns, in order.
TASK_FIELDS = fields_of(TaskColumns)
#: Cluster-wide resource sample columns, in order (the resources ring).
RESOURCE_FIELDS = fields_of(ResourceColumns)
#: Worker-table columns, in order.
WORKER_FIELDS = fields_of(WorkerTable)


# -- views fetched on demand (collect/views_data.py), while their tab is shown ------

#: Scheduler RPC handlers that answer only when a kernel asks, while a view is shown.
PROFILE_OP = "dashmon_profile"
GROUPS_OP = "dashmon_groups"
METRICS_OP = "dashmon_metrics"


class ProfileFrames(TypedDict):
    """A statistical profile as a flat tree, in depth-first order (one entry per frame).

    ``parent`` is the index of the calling frame (-1 for the root, entry 0);
    ``count`` the samples in which the frame was on the stack.  Frames seen
    in less than the request's ``min_share`` of the samples are left out,
    so children may sum to less than their parent.  ``ident`` names a frame
    the same way in every profile (function, file, line), so a zoom outlives
    a refresh.  ``cost`` is the scheduler's time spent preparing it (seconds).
    ``enabled`` is False when the source does not profile at all (distributed
    leaves the scheduler's event loop unprofiled on Python 3.11) or, for the
    workers, when none answered; ``reason`` then says why, in a sentence
    ("" while enabled).
    """

    parent: list[int]
    count: list[int]
    name: list[str]
    filename: list[str]
    line_number: list[int]
    line: list[str]
    ident: list[str]
    omitted: int
    cost: float
    enabled: bool
    reason: str


class GroupTable(TypedDict):
    """Task groups in columns (one entry per group), largest kept first.

    ``deps`` lists, per group, the indices of the groups it depends on
    (only groups in the table).  Counts are tasks in each state now
    (``waiting`` includes queued and no-worker); ``nbytes`` is the total
    size of results the group made; ``duration`` its compute seconds.
    ``hidden`` counts groups left out beyond the request's ``limit``.
    """

    name: list[str]
    prefix: list[str]
    total: list[int]
    memory: list[int]
    released: list[int]
    erred: list[int]
    processing: list[int]
    waiting: list[int]
    nbytes: list[int]
    duration: list[float]
    deps: list[list[int]]
    hidden: int
    cost: float


class MetricsReply(TypedDict):
    """Fine performance metrics and measured bandwidth, as the scheduler holds them.

    ``rows`` are ``[context, function, activity, unit, value]`` from the
    workers' cumulative metrics (``function`` is "" outside ``execute``),
    summed since the cluster started, or only those of the tasks of ``run``
    when one was asked for ("" for all work; the workers split them by span,
    which carry ``execute`` metrics only).  ``bandwidth_types`` is bytes per
    second by data type; ``bandwidth_workers`` ``[sender, receiver, bytes/s]``.
    """

    run: str
    rows: list[list]
    bandwidth_types: dict[str, float]
    bandwidth_workers: list[list]
    cost: float
