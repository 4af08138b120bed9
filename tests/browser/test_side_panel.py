"""The side panel in a real JupyterLab, driven by headless Chromium."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest
from lab_driver import (
    ARTIFACTS,
    CHART,
    DRAWN_CHART,
    BrowserPage,
    Lab,
    run_command_from_palette,
    search_palette,
)
from layout_probe import DASHMON_SIDEBAR_TABS

pytestmark = pytest.mark.browser

COMMAND = "jupyter-dashmon:open"
LABEL = "Show Dask dashboard"
LAUNCHER_MESSAGE = "#jupyter-dashmon-launcher .jp-DashmonPanel-message"
DASHBOARD_PANEL = ".jp-DashboardPanel"
CLIENT_CELL = (
    "from distributed import Client, LocalCluster\n"
    "client = Client(LocalCluster(n_workers=1, threads_per_worker=1, processes=False,"
    " dashboard_address=None))"
)


def teardown_noise_only(errors: list[str]) -> bool:
    """True if ``errors`` hold only what a dying kernel's widgets log.

    JupyterLab drops the widget comms as soon as a restart or shutdown begins
    and logs "Comm not found" for each update the old kernel still sends; now
    and then bqplot logs a failed state update of a mark whose scale already
    went. An inline-only dashboard logs the same. Any other error counts.
    """
    noise = ("Comm not found for comm id", "Error setting state: Cannot read properties")
    return [e for e in errors if not e.startswith(noise)] == []


def open_lab(page: Any, lab: Lab) -> None:
    page.goto(f"{lab.url}/lab?reset")
    page.wait_for_selector("#jp-main-dock-panel")
    page.wait_for_function("() => window.jupyterapp !== undefined")
    page.evaluate("() => window.jupyterapp.restored.then(() => true)")
    page.wait_for_selector(".jp-Launcher")  # opened once the empty workspace is restored


def test_extension_is_installed_and_loaded(browser: BrowserPage, lab: Lab) -> None:
    listing = subprocess.run(
        [sys.executable, "-m", "jupyterlab.labextensions", "list"],
        capture_output=True,
        text=True,
        check=True,
    )
    plain = re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr)
    assert re.search(r"jupyter-dashmon v0\.1\.0\s+enabled\s+OK", plain), plain

    page = browser.page
    open_lab(page, lab)
    page.wait_for_function(f"() => window.jupyterapp.commands.hasCommand('{COMMAND}')")
    page.wait_for_selector(".jp-SideBar.jp-mod-right li[data-id='jupyter-dashmon-launcher']")
    item = search_palette(page, LABEL, COMMAND)
    assert item.inner_text().strip().startswith(LABEL)
    assert browser.errors == []


def test_command_without_a_notebook_says_what_to_do(browser: BrowserPage, lab: Lab) -> None:
    page = browser.page
    open_lab(page, lab)
    run_command_from_palette(page, LABEL, COMMAND)
    message = page.locator(LAUNCHER_MESSAGE)
    message.wait_for(state="visible")
    assert message.inner_text() == (
        "Open a notebook whose kernel has a Dask Client, then run this command again."
    )
    assert browser.errors == []


def test_command_on_a_kernel_without_client_explains(
    browser: BrowserPage, run_notebook: Any
) -> None:
    run_notebook(["x = 1"])
    page = browser.page
    run_command_from_palette(page, LABEL, COMMAND)
    message = page.locator(LAUNCHER_MESSAGE, has_text="Dask Client")
    message.wait_for(state="visible")
    assert message.inner_text().startswith("This kernel has no Dask Client. Create one")
    assert page.locator(DASHBOARD_PANEL).count() == 0
    assert browser.errors == []


def test_command_on_a_kernel_without_the_package_explains(
    browser: BrowserPage, run_notebook: Any
) -> None:
    # A None entry makes `import jupyter_dashmon` fail as if it were not installed.
    run_notebook(["import sys\nsys.modules['jupyter_dashmon'] = None"])
    page = browser.page
    run_command_from_palette(page, LABEL, COMMAND)
    message = page.locator(LAUNCHER_MESSAGE, has_text="not installed")
    message.wait_for(state="visible")
    assert message.inner_text() == (
        "jupyter_dashmon is not installed in this kernel's environment "
        "(ModuleNotFoundError: import of jupyter_dashmon halted; None in sys.modules)"
    )
    assert browser.errors == []


def test_command_on_a_kernel_with_client_shows_the_dashboard(
    browser: BrowserPage, run_notebook: Any
) -> None:
    run_notebook([CLIENT_CELL])
    page = browser.page
    run_command_from_palette(page, LABEL, COMMAND)
    panel = page.locator(DASHBOARD_PANEL)
    panel.locator(DRAWN_CHART).first.wait_for(state="visible", timeout=60_000)
    assert panel.count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "side-panel.png"))

    # One icon in the right sidebar: the launcher steps aside for the panel.
    assert page.evaluate(DASHMON_SIDEBAR_TABS) == [f"jupyter-dashmon-{panel_model(page)}"]

    # Running the command again reveals the same panel instead of adding one
    # (awaited here: the launcher that used to say so is out of the sidebar).
    page.evaluate(f"() => window.jupyterapp.commands.execute('{COMMAND}').then(() => true)")
    assert page.locator(DASHBOARD_PANEL).count() == 1
    assert len(page.evaluate(DASHMON_SIDEBAR_TABS)) == 1

    # Closed, the panel goes; the command brings the dashboard back in a new one.
    panel.locator(".jp-DashmonPanel-close").click()
    panel.wait_for(state="detached")
    assert page.evaluate(DASHMON_SIDEBAR_TABS) == ["jupyter-dashmon-launcher"]
    run_command_from_palette(page, LABEL, COMMAND)
    panel.locator(DRAWN_CHART).first.wait_for(state="visible", timeout=60_000)
    assert page.locator(DASHBOARD_PANEL).count() == 1
    assert browser.errors == []


def panel_model(page: Any) -> str:
    """The widget model id the dashboard panel shows (its id is ``jupyter-dashmon-<id>``)."""
    panel_id = page.locator(DASHBOARD_PANEL).first.get_attribute("id")
    return str(panel_id).removeprefix("jupyter-dashmon-")


def test_closing_the_notebook_removes_its_panel(browser: BrowserPage, run_notebook: Any) -> None:
    run_notebook([CLIENT_CELL])
    page = browser.page
    run_command_from_palette(page, LABEL, COMMAND)
    panel = page.locator(DASHBOARD_PANEL)
    panel.locator(DRAWN_CHART).first.wait_for(state="visible", timeout=60_000)

    page.locator(
        "#jp-main-dock-panel .lm-TabBar-tab.jp-mod-current .lm-TabBar-tabCloseIcon"
    ).click()
    # The run left unsaved outputs, so JupyterLab asks whether to save them.
    page.locator(".jp-Dialog-button", has_text="Discard").click()
    page.locator(".jp-NotebookPanel").wait_for(state="detached")
    panel.wait_for(state="detached")
    assert page.locator(DASHBOARD_PANEL).count() == 0
    # Closing the notebook disposes of the views while updates are in flight:
    # only the same teardown noise as a kernel restart is allowed.
    assert teardown_noise_only(browser.errors), browser.errors


def test_sidebar_call_in_kernel_opens_a_second_view(
    browser: BrowserPage, run_notebook: Any
) -> None:
    run_notebook(
        [
            CLIENT_CELL,
            "from jupyter_dashmon import Dashboard\n"
            + "dashboard = Dashboard.for_client(client)\n"
            + "dashboard",
            "dashboard.sidebar()",
        ]
    )
    page = browser.page
    inline = page.locator(f".jp-NotebookPanel .jp-OutputArea {DRAWN_CHART}").first
    inline.wait_for(state="visible", timeout=60_000)
    panel = page.locator(DASHBOARD_PANEL)
    panel.locator(DRAWN_CHART).first.wait_for(state="visible", timeout=60_000)
    assert panel.count() == 1

    # Two views of one model: closing the side view leaves the inline one drawn.
    panel.locator(".jp-DashmonPanel-close").click()
    panel.wait_for(state="detached")
    assert inline.is_visible()

    # Closed in the kernel, the dashboard leaves a message in the side panel.
    page.evaluate("() => window.jupyterapp.commands.execute('jupyter-dashmon:open')")
    panel.locator(DRAWN_CHART).first.wait_for(state="visible", timeout=60_000)
    page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
        ".requestExecute({code: 'dashboard.close()'}).done.then(() => true)"
    )
    message = panel.locator(".jp-DashmonPanel-message")
    message.wait_for(state="visible")
    assert message.inner_text() == "The dashboard was closed in the kernel."
    assert browser.errors == []


def open_panel_of_client_cell(browser: BrowserPage, run_notebook: Any) -> tuple[Any, Any]:
    """Run a notebook with a Client, open its dashboard from the palette; (page, panel)."""
    run_notebook([CLIENT_CELL])
    page = browser.page
    run_command_from_palette(page, LABEL, COMMAND)
    panel = page.locator(DASHBOARD_PANEL)
    panel.locator(DRAWN_CHART).first.wait_for(state="visible", timeout=60_000)
    assert browser.errors == []
    return page, panel


def test_kernel_restart_replaces_the_plot_with_a_message(
    browser: BrowserPage, run_notebook: Any
) -> None:
    page, panel = open_panel_of_client_cell(browser, run_notebook)

    page.locator(".lm-MenuBar-itemLabel", has_text="Kernel").first.click()
    page.click("li.lm-Menu-item[data-command='kernelmenu:restart']")
    page.click(".jp-Dialog-button.jp-mod-accept")
    message = panel.locator(".jp-DashmonPanel-message", has_text="Disconnected")
    message.wait_for(state="visible")
    assert message.inner_text() == "Disconnected: the kernel was restarted"
    assert panel.locator(CHART).count() == 0

    # After the restart the kernel has no Client any more: the panel says so.
    run_command_from_palette(page, LABEL, COMMAND)
    page.locator(LAUNCHER_MESSAGE, has_text="jupyter_dashmon").or_(
        page.locator(LAUNCHER_MESSAGE, has_text="Dask Client")
    ).wait_for(state="visible")
    assert teardown_noise_only(browser.errors)


def test_kernel_shutdown_replaces_the_plot_with_a_message(
    browser: BrowserPage, run_notebook: Any
) -> None:
    page, panel = open_panel_of_client_cell(browser, run_notebook)

    page.locator(".lm-MenuBar-itemLabel", has_text="Kernel").first.click()
    page.click("li.lm-Menu-item[data-command='kernelmenu:shutdown']")
    # JupyterLab 4.6 shuts down without asking. The widgets may close (and say
    # so) a moment before the kernel is reported gone.
    message = panel.locator(".jp-DashmonPanel-message", has_text="Disconnected")
    message.wait_for(state="visible")
    assert message.inner_text() == "Disconnected: the kernel was shut down"
    assert panel.locator(CHART).count() == 0
    assert teardown_noise_only(browser.errors)


RUN_IN_CURRENT = """code => new Promise((resolve, reject) => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const future = kernel.requestExecute({code});
    let text = '';
    future.onIOPub = msg => {
        if (msg.header.msg_type === 'stream') { text += msg.content.text; }
        if (msg.header.msg_type === 'error') { reject(msg.content.evalue); }
    };
    future.done.then(() => resolve(text));
})"""
VISIBILITY_STATE = (
    "from jupyter_dashmon.placement import visibility\n"
    "comm = visibility.pages._comm\n"
    "print('STATE', comm is not None and not comm._closed, len(visibility.pages._pages),"
    " dash.views['task_stream'].redraw.active)"
)


def test_a_console_reports_visibility_for_its_kernel(browser: BrowserPage, lab: Lab) -> None:
    """A console's connection may be the one that handles the kernel's comms: it
    must answer the visibility comm (not close it) and report the page."""
    from lab_driver import DASHBOARD_CELL

    page = browser.page
    open_lab(page, lab)
    page.evaluate(
        "() => window.jupyterapp.commands.execute("
        "'console:create', {kernelPreference: {name: 'python3'}})"
    )
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " return !!(w && w.sessionContext && w.sessionContext.session"
        " && w.sessionContext.session.kernel"
        " && w.sessionContext.session.kernel.connectionStatus === 'connected'); }",
        timeout=60_000,
    )
    page.evaluate(RUN_IN_CURRENT, DASHBOARD_CELL)
    page.wait_for_timeout(1500)  # the watch comm's broadcast and the page's first report
    assert page.evaluate(RUN_IN_CURRENT, VISIBILITY_STATE).split() == ["STATE", "True", "1", "True"]
    page.evaluate(
        """state => { Object.defineProperty(document, 'visibilityState',
                {configurable: true, get: () => state});
            document.dispatchEvent(new Event('visibilitychange')); }""",
        "hidden",
    )
    page.wait_for_timeout(1000)
    assert page.evaluate(RUN_IN_CURRENT, VISIBILITY_STATE).split() == [
        "STATE",
        "True",
        "1",
        "False",
    ]
    assert browser.errors == []
