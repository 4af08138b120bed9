"""The front end's messages (``js/src/protocol.ts``) agree with the kernel's
(:mod:`jupyter_dashmon.placement.messages`).

The TypeScript declarations are read as text (no TypeScript toolchain needed):
exported string constants, interfaces and type aliases.  Every message
``TypedDict`` must have an interface ``I<Name>`` with the same fields and the
same types (``Literal`` values as quoted literals, ``str`` as ``string``,
numbers as ``number``); every string constant and union alias on the Python
side must exist on the TypeScript side with the same value or members; and
``VISIBILITY_STATES`` must be exactly what a page may report.
"""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path

import pytest

from jupyter_dashmon.placement import messages

PROTOCOL_TS = Path(__file__).resolve().parents[2] / "js" / "src" / "protocol.ts"

_CONST = re.compile(r"export const (\w+)\s*=\s*'([^']*)'\s*;")
_INTERFACE = re.compile(r"export interface (\w+)\s*\{([^}]*)\}")
_FIELD = re.compile(r"^\s*(\w+)(\?)?\s*:\s*([^;]+);", re.MULTILINE)
_ALIAS = re.compile(r"export type (\w+)\s*=\s*([^;]+);")
_PRIMITIVES = {str: "string", int: "number", float: "number", bool: "boolean"}


def _members(union: str) -> frozenset[str]:
    return frozenset(part.strip().replace('"', "'") for part in union.split("|"))


def ts_declarations(text: str) -> tuple[dict, dict, dict]:
    """(constants, interfaces, aliases) exported by a TypeScript module.

    An interface is ``{field: (members of its type, optional)}``; an alias
    is the set of the members of its union.
    """
    text = re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.DOTALL)
    constants = dict(_CONST.findall(text))
    interfaces = {
        name: {f: (_members(t), bool(q)) for f, q, t in _FIELD.findall(body)}
        for name, body in _INTERFACE.findall(text)
    }
    aliases = {name: _members(union) for name, union in _ALIAS.findall(text)}
    return constants, interfaces, aliases


def _ts_type(hint: object) -> frozenset[str]:
    if typing.get_origin(hint) is typing.Literal:
        return frozenset(f"'{v}'" for v in typing.get_args(hint))
    return frozenset({_PRIMITIVES.get(hint, repr(hint))})


def python_declarations(module: types.ModuleType) -> tuple[dict, dict, dict]:
    """The same three tables for the Python message module."""
    constants, interfaces, aliases = {}, {}, {}
    for name, value in vars(module).items():
        if name.isupper() and isinstance(value, str):
            constants[name] = value
        elif typing.is_typeddict(value):
            hints = typing.get_type_hints(value)
            interfaces["I" + name] = {
                f: (_ts_type(h), f not in value.__required_keys__) for f, h in hints.items()
            }
        elif isinstance(value, types.UnionType):
            aliases[name] = frozenset("I" + t.__name__ for t in typing.get_args(value))
    return constants, interfaces, aliases


def differences(module: types.ModuleType, ts_text: str) -> list[str]:
    """How ``ts_text`` disagrees with ``module``, one sentence each (empty: agreed)."""
    py_consts, py_ifaces, py_aliases = python_declarations(module)
    ts_consts, ts_ifaces, ts_aliases = ts_declarations(ts_text)
    found = []
    for name, value in py_consts.items():
        if ts_consts.get(name) != value:
            found.append(f"constant {name}: Python {value!r}, TypeScript {ts_consts.get(name)!r}")
    for name, fields in py_ifaces.items():
        if name not in ts_ifaces:
            found.append(f"interface {name} is missing")
            continue
        ts_fields = ts_ifaces[name]
        for field in sorted(set(fields) | set(ts_fields)):
            if fields.get(field) != ts_fields.get(field):
                found.append(
                    f"{name}.{field}: Python {fields.get(field)}, TypeScript {ts_fields.get(field)}"
                )
    for name, members in py_aliases.items():
        if ts_aliases.get(name) != members:
            found.append(f"type {name}: Python {members}, TypeScript {ts_aliases.get(name)}")
    states = frozenset(f"'{s}'" for s in module.VISIBILITY_STATES)
    report = ts_ifaces.get("IVisibilityReport", {}).get("visibility", (frozenset(), False))
    if report[0] != states:
        found.append(f"VISIBILITY_STATES {sorted(states)} but a page reports {sorted(report[0])}")
    return found


def test_protocol_ts_agrees_with_the_python_messages():
    assert differences(messages, PROTOCOL_TS.read_text()) == []


def test_every_message_and_constant_is_compared():
    py_consts, py_ifaces, py_aliases = python_declarations(messages)
    assert set(py_consts) >= {"COMM_TARGET", "VISIBILITY_TARGET", "TABS_CLASS_PREFIX"}
    assert set(py_ifaces) == {
        "IDashboardRequest",
        "IDashboardReplyOk",
        "IDashboardReplyError",
        "IShowMessage",
        "IVisibilityWatch",
        "IVisibilityReport",
        "ITabReport",
    }
    assert py_aliases == {"DashboardReply": {"IDashboardReplyOk", "IDashboardReplyError"}}
    # The Python side's own states agree with what its report message allows.
    hint = typing.get_type_hints(messages.VisibilityReport)["visibility"]
    assert typing.get_args(hint) == messages.VISIBILITY_STATES


def test_reading_typescript_declarations():
    constants, interfaces, aliases = ts_declarations(
        """
        /** A target, with 'quotes' in a comment: export const X = 'no'; */
        export const TARGET = 'a_b';
        const PRIVATE = 'hidden';
        export interface IThing {
          kind: 'one' | "two";
          size?: number;
          // note: ignored
          name: string;
        }
        export type Either = IThing | IOther;
        """
    )
    assert constants == {"TARGET": "a_b"}
    assert interfaces == {
        "IThing": {
            "kind": (frozenset({"'one'", "'two'"}), False),
            "size": (frozenset({"number"}), True),
            "name": (frozenset({"string"}), False),
        }
    }
    assert aliases == {"Either": frozenset({"IThing", "IOther"})}


@pytest.mark.parametrize(
    "old, new, complaint",
    [
        (
            "COMM_TARGET = 'jupyter_dashmon'",
            "COMM_TARGET = 'jupyter-dashmon'",
            "constant COMM_TARGET: Python 'jupyter_dashmon', TypeScript 'jupyter-dashmon'",
        ),
        (
            "export const VISIBILITY_TARGET = 'jupyter_dashmon_visibility';",
            "",
            "constant VISIBILITY_TARGET: Python 'jupyter_dashmon_visibility', TypeScript None",
        ),
        ("  model_id: string;\n  title: string;", "  model_id: string;", "IShowMessage.title"),
        ("  status: 'error';", "  status: 'failed';", "IDashboardReplyError.status"),
        ("  message: string;", "  message: number;", "IDashboardReplyError.message"),
        ("  request: 'dashboard';", "  request: 'dashboard';\n  extra?: string;", ".extra"),
        ("  model_id: string;\n}", "  model_id?: string;\n}", "IDashboardReplyOk.model_id"),
        ("export interface IVisibilityWatch", "interface IVisibilityWatch", "IVisibilityWatch is"),
        (
            "visibility: 'visible' | 'hidden' | 'closed';",
            "visibility: 'visible' | 'hidden';",
            "VISIBILITY_STATES",
        ),
        (
            "DashboardReply = IDashboardReplyOk | IDashboardReplyError;",
            "DashboardReply = IDashboardReplyOk;",
            "type DashboardReply",
        ),
    ],
)
def test_a_doctored_protocol_ts_is_caught(old, new, complaint):
    text = PROTOCOL_TS.read_text()
    assert old in text, "the doctoring no longer applies; update this test"
    found = differences(messages, text.replace(old, new, 1))
    assert any(complaint in sentence for sentence in found), found
