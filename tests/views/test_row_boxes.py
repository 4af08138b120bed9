"""Progress and Memory use past a dozen functions (a box that scrolls), and the
counts line that follows the model ahead of the figure (issue 11)."""

from __future__ import annotations

import asyncio

from jupyter_dashmon.aggregate.derive import set_progress
from jupyter_dashmon.aggregate.models import ProgressModel
from jupyter_dashmon.views import MemoryView, ProgressView
from jupyter_dashmon.views.bar_rows import ROW_PX, VISIBLE_ROWS


def counts(total, done=0, memory=0, processing=0, nbytes=0):
    return {
        "total": total,
        "done": done,
        "memory": memory,
        "released": done - memory,
        "erred": 0,
        "processing": processing,
        "waiting": total - done - processing,
        "queued": 0,
        "no_worker": 0,
        "nbytes": nbytes,
    }


def px(value: str) -> float:
    return float(value.removesuffix("px"))


def test_sixty_functions_scroll_inside_a_box_of_twelve_rows_and_a_half():
    model = ProgressModel(max_bars=25)
    set_progress(
        model,
        {f"f{i:02d}": counts(10, done=10, memory=i % 2, nbytes=1000 * i) for i in range(60)},
    )
    progress, memory = ProgressView(model), MemoryView(model)
    # Progress: a row per bar (25 and "+N more": no squeezing); the page shows
    # twelve and a half of them and scrolls the rest (tests/browser checks it).
    assert len(progress.figure.rows) == 26
    assert (progress.figure.row_px, progress.figure.visible_rows) == (ROW_PX, VISIBLE_ROWS)
    assert progress.widget is progress.figure
    # Memory use: the same widget; 59 functions hold bytes: the 25 largest, "+34 more".
    assert len(memory.figure.rows) == 26 and memory.hidden == 34
    assert (memory.figure.row_px, memory.figure.visible_rows) == (ROW_PX, VISIBLE_ROWS)
    assert memory.widget is memory.figure


def test_a_few_functions_fit_their_box_without_scrolling():
    model = ProgressModel(max_bars=25)
    set_progress(model, {"inc": counts(10, done=4, memory=4, nbytes=4096)})
    progress, memory = ProgressView(model), MemoryView(model)
    assert len(progress.figure.rows) == 1 < progress.figure.visible_rows
    assert len(memory.figure.rows) == 1 < memory.figure.visible_rows


def test_the_counts_line_follows_the_model_at_once_and_rests_with_the_figure():
    async def scenario() -> list[str]:
        model = ProgressModel()
        view = ProgressView(model, every=10.0)  # the figure redraws rarely here
        seen = []
        for done in (1, 2, 3):
            set_progress(model, {"inc": counts(10, done=done, processing=1)})
            await asyncio.sleep(0.15)  # about one poll apart
            seen.append(view.figure.note)
        title = view.figure.title
        view.redraw.active = False  # the page is hidden: both rest
        set_progress(model, {"inc": counts(10, done=10)})
        await asyncio.sleep(0.15)
        held = view.figure.note
        view.redraw.active = True
        await asyncio.sleep(0.15)
        seen += [held, view.figure.note, title]
        view.redraw.close()
        return seen

    first, second, third, held, shown, title = asyncio.run(scenario())
    # Each poll's counts on the page within one poll, while the figure waits.
    assert [line.split(" \u00b7 ")[0] for line in (first, second, third)] == [
        "waiting: 8",
        "waiting: 7",
        "waiting: 6",
    ]
    assert held == third  # nothing sent while hidden
    assert "processing: 0" in shown  # and the latest line once shown again
    assert title.startswith("Progress")
