"""A notebook workload of twenty-odd named functions, and the page checks of
the Progress and Memory use figures, for the browser tests (pictures of
this and the other workloads: ``tests/browser/shots.py``).

The functions have the names a user's would; some fail now and then, some
keep their results in memory, most are released when done, and one keeps
running slowly after the cell returns, so a picture shows running, held,
finished and failed work together.
"""

from __future__ import annotations

from typing import Any

#: Names of the functions, in the order they are submitted.
NAMES = (
    "load_csv",
    "parse_dates",
    "clean_rows",
    "fill_missing",
    "normalize",
    "join_users",
    "join_orders",
    "group_by_day",
    "rolling_mean",
    "detect_outliers",
    "score_model",
    "fit_chunk",
    "merge_partials",
    "encode_labels",
    "split_train_test",
    "resample_hourly",
    "compress_blocks",
    "write_parquet",
    "validate_schema",
    "summarize_finalize_aggregate_result",
)

#: Cell: every function of NAMES as a real Python function, ``n`` tasks each.
WORKLOAD = (
    "import random, time\n"
    f"names = {NAMES!r}\n"
    "def make(name, fail_every=0, pause=0.02):\n"
    "    def f(i):\n"
    "        time.sleep(random.random() * pause)\n"
    "        if fail_every and i % fail_every == fail_every - 1:\n"
    "            raise ValueError(name)\n"
    "        return bytes(2000 * (i % 7 + 1))\n"
    "    f.__name__ = name\n"
    "    return f\n"
    "held = {}\n"
    "for k, name in enumerate(names):\n"
    "    futures = client.map(make(name, 6 if k == 9 else 0), range(5 + 7 * k), pure=False)\n"
    "    client.gather(futures, errors='skip')\n"
    "    if k % 4 == 1:\n"
    "        held[name] = futures  # results stay in memory\n"
    "slow = client.map(make('slow_simulation', pause=1.0), range(2000), pure=False)\n"
    "time.sleep(1)\n"
    "print('FUNCTIONS', len(dash.snapshot()['progress']))"
)

#: Every progress label of the first dashboard on the page: its text, its box,
#: the box of its chart (all its rows, scrolled out of view or not) and the
#: label's computed font size and colour.
PROGRESS_LABELS = """root => {
    const chart = document.querySelector(root + ' .dashmon-progress');
    if (!chart) return null;
    const rows = chart.querySelector('.dashmon-bars-rows');
    const r = rows.getBoundingClientRect(), top = r.y - rows.scrollTop;
    const box = b => ({x: b.x, y: b.y, right: b.right, bottom: b.bottom});
    return {
        figure: {x: r.x, y: top, right: r.right, bottom: top + rows.scrollHeight},
        labels: [...chart.querySelectorAll('.dashmon-bars-text')].map(t => ({
            text: t.textContent,
            box: box(t.getBoundingClientRect()),
            size: parseFloat(getComputedStyle(t).fontSize),
            fill: getComputedStyle(t).color,
        })),
    };
}"""


def overlaps(a: dict, b: dict, slack: float = 0.5) -> bool:
    """Whether two boxes share more than ``slack`` pixels both ways."""
    return (
        min(a["right"], b["right"]) - max(a["x"], b["x"]) > slack
        and min(a["bottom"], b["bottom"]) - max(a["y"], b["y"]) > slack
    )


def inside(inner: dict, outer: dict) -> bool:
    return (
        inner["x"] >= outer["x"]
        and inner["right"] <= outer["right"]
        and inner["y"] >= outer["y"]
        and inner["bottom"] <= outer["bottom"]
    )


def label_problems(found: dict) -> list[str]:
    """Labels that overlap another label, stick out of their figure, or are small."""
    problems = []
    labels = found["labels"]
    for i, a in enumerate(labels):
        if not inside(a["box"], found["figure"]):
            problems.append(f"{a['text']!r} sticks out: {a['box']} of {found['figure']}")
        if a["size"] < 12:
            problems.append(f"{a['text']!r} is {a['size']} px")
        for b in labels[i + 1 :]:
            if overlaps(a["box"], b["box"]):
                problems.append(f"{a['text']!r} overlaps {b['text']!r}")
    return problems


def hover_first_bar(page: Any, root: str, memory: bool = False) -> Any:
    """Move the mouse over the second row of the Progress (or Memory use) chart."""
    chart = "dashmon-memory" if memory else "dashmon-progress"
    label = page.locator(f"{root} .{chart} .dashmon-bars-text").nth(1)
    box = label.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(box["x"] + box["width"] / 2 + 2, box["y"] + box["height"] / 2)
    return label


#: Cell: sixty functions of a few tasks each (every third keeps its results in
#: memory, one fails now and then), all finished when it prints, so that what
#: is hovered holds still.
SIXTY_FUNCTIONS = (
    "import random, time\n"
    "def named(name, fail_every=0):\n"
    "    def f(i):\n"
    "        time.sleep(random.random() * 0.01)\n"
    "        if fail_every and i % fail_every == fail_every - 1:\n"
    "            raise ValueError(name)\n"
    "        return bytes(1000 * (i % 5 + 1))\n"
    "    f.__name__ = f.__qualname__ = name\n"
    "    return f\n"
    f"names = list({NAMES!r})\n"
    "names += [f'stage_{k:02d}_' + 'abcdefgh'[k % 8] * (k % 5 + 1)\n"
    "          for k in range(60 - len(names))]\n"
    "kept = {}\n"
    "for k, name in enumerate(names):\n"
    "    futures = client.map(named(name, 5 if k == 9 else 0), range(4 + k % 7), pure=False)\n"
    "    client.gather(futures, errors='skip')\n"
    "    if k % 3 == 0:\n"
    "        kept[name] = futures\n"
    "time.sleep(2)\n"
    "print('SIXTY', len(dash.snapshot()['progress']))"
)
