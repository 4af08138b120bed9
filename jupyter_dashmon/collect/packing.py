"""Runs in the scheduler: columns packed for the wire in bulk.

A poll's task records leave the collector as :class:`~.messages.PackedColumns`:
number columns as the bytes of their arrays, text with few distinct values
(prefixes, workers) as a table plus ``uint32`` codes, and task keys as one
list of text.  Serialising that costs no Python work per record beyond the
key text, which is made here, once, for the records a poll returns.

A poll's whole answer then leaves as one msgpack blob (:func:`encode`): the
scheduler's comm layer measures every message it sends (``sizeof``, to pick
a thread for large ones), which over the nested dictionaries of an answer
cost twenty times the encoding itself, and a blob is measured at once.

Standard library and msgpack (which distributed needs, so every scheduler has
it): shipped by value to the scheduler.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable, Mapping
from typing import Any

import msgpack  # type: ignore[import-untyped]

from .messages import CATEGORY, CODE_TYPE, PackedColumns, TaskColumns, wire_types

_BIG_ENDIAN = sys.byteorder == "big"
#: How each task-record column travels.
TASK_WIRE = wire_types(TaskColumns)


def _packed(values: array) -> bytes:
    if _BIG_ENDIAN:  # the wire is little-endian
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def pack(
    columns: Mapping[str, Any], kinds: Mapping[str, str], text: Callable[[Any], str]
) -> PackedColumns:
    """``columns`` (arrays for numbers, lists for text, in the storage that
    ``kinds`` gives per field, as :func:`~.messages.wire_types` declares it)
    packed for the wire.  ``text`` turns a value of a text column that is not
    a ``str`` (a tuple key, bytes) into display text."""
    out: dict[str, Any] = {}
    tables: dict[str, list[str]] = {}
    n = 0
    for name, kind in kinds.items():
        values = columns[name]
        n = len(values)
        if kind == CATEGORY:
            table = list(dict.fromkeys(values))
            index = {value: i for i, value in enumerate(table)}
            out[name] = _packed(array(CODE_TYPE, map(index.__getitem__, values)))
            tables[name] = [v if type(v) is str else text(v) for v in table]
        elif kind == "object":
            out[name] = [v if type(v) is str else text(v) for v in values]
        else:
            if not isinstance(values, array) or values.typecode != kind:
                values = array(kind, values)
            out[name] = _packed(values)
    return {"n": n, "columns": out, "tables": tables}


def pack_tasks(columns: Mapping[str, Any]) -> PackedColumns:
    """Task records given as :class:`~.messages.TaskColumns` (lists), packed.

    The collector packs its ring's slices directly; this is for records made
    elsewhere (tests, benchmarks, records read back from a snapshot).
    """
    if "run" not in columns:
        columns = {**columns, "run": [0] * len(columns["key"])}
    return pack(columns, TASK_WIRE, str)


def unpack_tasks(packed: PackedColumns) -> dict[str, list]:
    """Packed task records back as :class:`~.messages.TaskColumns` lists (for
    readers without numpy: tests, benchmarks, tools)."""
    out: dict[str, list] = {}
    for name, kind in TASK_WIRE.items():
        value = packed["columns"][name]
        if kind == "object":
            out[name] = list(value)
            continue
        numbers = array(CODE_TYPE if kind == CATEGORY else kind)
        numbers.frombytes(value)
        if _BIG_ENDIAN:
            numbers.byteswap()
        out[name] = (
            [packed["tables"][name][i] for i in numbers] if kind == CATEGORY else list(numbers)
        )
    return out


def encode(answer: Mapping[str, Any]) -> bytes:
    """A poll's answer as one msgpack blob (read back by :func:`decode`)."""
    return msgpack.packb(answer, use_bin_type=True)


def decode(reply: Any) -> Any:
    """A poll's answer as the kernel reads it, from :func:`encode`'s blob: the
    data the collector answered with (arrays as lists).  Anything other than
    bytes is returned as it is (a collector of another version answering with
    a plain message, or an error)."""
    if isinstance(reply, (bytes, bytearray, memoryview)):
        return msgpack.unpackb(reply, raw=False, strict_map_key=False)
    return reply
