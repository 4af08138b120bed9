"""Runs in the benchmark process: the result rows, the printed table, RESULTS.md.

Every measurement returns :class:`Row` objects.  :func:`table` lays them out
for the terminal; :func:`write_results` puts them, with the machine and the
exact command, into ``bench/RESULTS.md``, replacing only the section of the
mode that ran (quick or full) so hand-written notes and the other mode's
figures survive.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")

_HEADER = """# jupyter_dashmon benchmarks

Produced by `python -m bench` (full) and `python -m bench --quick`; each run
replaces its own section below.  Ratios are medians of per-round ratios
(conditions interleaved, order rotated every round).

"""


@dataclass
class Row:
    """One figure: what was measured, its value and the target it answers to.

    ``met`` is ``True``/``False`` when a target applies, ``None`` when not.
    """

    item: str
    name: str
    value: float
    unit: str = ""
    target: str = ""
    met: bool | None = None
    detail: str = ""

    @property
    def verdict(self) -> str:
        return {True: "met", False: "MISSED", None: ""}[self.met]


def fmt(value: float) -> str:
    """A number with about three significant figures, readable in a table."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, int) or (abs(value) >= 1000 and float(value).is_integer()):
        return f"{int(value):,}"
    a = abs(value)
    if a < 1e-9:
        return "0"
    if a >= 100:
        return f"{value:,.0f}"
    if a >= 1:
        return f"{value:.3g}" if a < 10 else f"{value:.1f}"
    return f"{value:.3g}"


def _cells(row: Row) -> list[str]:
    return [
        row.item,
        row.name,
        f"{fmt(row.value)} {row.unit}".strip(),
        row.target,
        row.verdict,
        row.detail,
    ]


COLUMNS = ["item", "measure", "value", "target", "", "detail"]


def table(rows: Sequence[Row]) -> str:
    """Rows as an aligned plain-text table."""
    cells = [COLUMNS] + [_cells(r) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    lines = ["  ".join(c[i].ljust(widths[i]) for i in range(len(COLUMNS))).rstrip() for c in cells]
    lines.insert(1, "  ".join("-" * w for w in widths).rstrip())
    return "\n".join(lines)


def markdown_table(rows: Sequence[Row]) -> str:
    """Rows as a Markdown table (pipes in cells escaped)."""
    head = ["item", "measure", "value", "target", "verdict", "detail"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in _cells(r)) + " |")
    return "\n".join(out)


def section(
    mode: str,
    rows: Sequence[Row],
    machine: Mapping[str, str],
    command: str,
    when: str,
    duration: float,
    notes: Sequence[str] = (),
) -> str:
    """The RESULTS.md section of one run, between its markers."""
    lines = [
        _start(mode),
        f"## {mode.capitalize()} run, {when}",
        "",
        f"Command: `{command}` (took {duration:.0f} s)",
        "",
        "Machine:",
        "",
    ]
    lines += [f"- {k}: {v}" for k, v in machine.items()]
    lines += ["", markdown_table(rows), ""]
    if notes:
        lines += [f"- {n}" for n in notes] + [""]
    lines.append(_end(mode))
    return "\n".join(lines)


def _start(mode: str) -> str:
    return f"<!-- bench:{mode}:start -->"


def _end(mode: str) -> str:
    return f"<!-- bench:{mode}:end -->"


def merge_section(text: str, mode: str, new_section: str) -> str:
    """``text`` with ``mode``'s section replaced by ``new_section`` (or appended)."""
    if not text.strip():
        text = _HEADER
    pattern = re.compile(re.escape(_start(mode)) + r".*?" + re.escape(_end(mode)), re.S)
    if pattern.search(text):
        return pattern.sub(lambda _: new_section, text, count=1)
    return text.rstrip("\n") + "\n\n" + new_section + "\n"


def write_results(mode: str, new_section: str, path: Path = RESULTS) -> Path:
    """Replace ``mode``'s section of ``path`` (creating the file if need be)."""
    text = path.read_text() if path.exists() else ""
    path.write_text(merge_section(text, mode, new_section))
    return path
