"""Screenshots of the dashboard's layout from a real run, to look at.

    python tests/browser/layout_shots.py [OUT_DIR]

Starts an isolated JupyterLab and headless Chromium, runs twenty functions
on a two-worker LocalCluster, and saves the inline Status and Workers pages
and the side panel at 250 and 600 px, light and dark, to ``OUT_DIR``
(default ``test-artifacts/layout``).  It prints what it measured: panel
heights, what overflows (nothing, if all is well), which build was loaded.
Set ``DASHMON_LABEXTENSION`` to a ``js/`` build to show that one.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from lab_driver import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    DASHBOARD_CELL,
    LOADED_DASHMON_BUILD,
    expected_remote_entry,
    lab_server,
    open_and_run,
)
from layout_probe import (
    DASHMON_SIDEBAR_TABS,
    OVERFLOWS,
    TWENTY_FUNCTIONS,
    set_right_width,
    set_theme,
    show_tab,
    wait_for_text,
)

PANEL = ".jp-DashboardPanel"
PANEL_BODY = f"{PANEL} .jp-DashmonPanel-body"
INLINE = ".jp-NotebookPanel .dashmon-dashboard"
SIZE = """(selector) => {
    const r = document.querySelector(selector).getBoundingClientRect();
    return [Math.round(r.width), Math.round(r.height)];
}"""


def main(out: Path) -> dict:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    seen: dict = {}
    home = Path(tempfile.mkdtemp(prefix="dashmon-shots-"))
    (home / "notebooks").mkdir()
    (home / "jupyter").mkdir()
    with lab_server(home / "jupyter", home / "notebooks") as lab, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(home / "chromium"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
        )
        page = context.new_page()
        page.set_default_timeout(60_000)
        open_and_run(page, lab, [DASHBOARD_CELL, TWENTY_FUNCTIONS, "dash.sidebar()"])
        wait_for_text(page, "WORKLOAD DONE")
        seen["build"] = page.evaluate(LOADED_DASHMON_BUILD)
        seen["expected_build"] = expected_remote_entry()
        seen["sidebar_tabs"] = page.evaluate(DASHMON_SIDEBAR_TABS)
        page.set_viewport_size({"width": 1400, "height": 2400})
        for dark in (False, True):
            theme = "dark" if dark else "light"
            set_theme(page, dark)
            for width in (250, 600):
                set_right_width(page, width)
                for name in ("Status", "Workers"):
                    show_tab(page, PANEL, name)
                    key = f"panel-{width}-{name}-{theme}"
                    seen[key] = {
                        "size": page.evaluate(SIZE, f"{PANEL_BODY} .dashmon-dashboard"),
                        "overflows": page.evaluate(OVERFLOWS, PANEL_BODY),
                    }
                    page.locator(PANEL).screenshot(path=str(out / f"{key}.png"))
                show_tab(page, PANEL, "Status")
            page.evaluate("() => window.jupyterapp.shell.collapseRight()")
            page.wait_for_timeout(1000)
            for name in ("Status", "Workers"):
                show_tab(page, INLINE, name)
                key = f"inline-{name}-{theme}"
                seen[key] = {
                    "size": page.evaluate(SIZE, f"{INLINE} .widget-tab"),
                    "overflows": page.evaluate(OVERFLOWS, INLINE),
                }
                page.locator(INLINE).screenshot(path=str(out / f"{key}.png"))
            show_tab(page, INLINE, "Status")
            page.evaluate("() => window.jupyterapp.shell.expandRight()")
        context.close()
    return seen


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ARTIFACTS / "layout"
    print(json.dumps(main(target), indent=1))
