"""Fixtures for real-browser tests: a JupyterLab server and headless Chromium.

JupyterLab runs on loopback with a free port and its own config, data,
runtime, settings and workspace folders, so tests never touch the user's
Jupyter setup; the environment's ``share/jupyter/labextensions`` stays visible
so the installed extension loads. Chromium is Debian's ``/usr/bin/chromium``
driven by Playwright. Without it the tests skip, unless
``DASHMON_REQUIRE_BROWSER=1``, in which case they fail.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing_browser_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is missing (pip install playwright)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _missing_browser_reason()
    if reason is None or os.environ.get("DASHMON_REQUIRE_BROWSER") == "1":
        return
    skip = pytest.mark.skip(reason=f"browser tests need Chromium: {reason}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Lab:
    """A running JupyterLab: its base URL and the folder it serves."""

    url: str
    root_dir: Path
    log: Path

    def api(self, path: str, method: str = "GET") -> Any:
        request = urllib.request.Request(f"{self.url}/api/{path}", method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shut_down_kernels(self) -> None:
        for session in self.api("sessions"):
            self.api(f"sessions/{session['id']}", method="DELETE")


def _isolated_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name, sub in [
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
        ("JUPYTERLAB_SETTINGS_DIR", "settings"),
    ]:
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(home / sub)
    notification = home / "settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True, exist_ok=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    # Kernels import this checkout's Python code, not an older installed copy.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def _wait_for_status(lab: Lab, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            lab.api("status")
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    tail = lab.log.read_text(errors="replace")[-3000:]
    raise RuntimeError(f"JupyterLab did not answer /api/status within {timeout} s:\n{tail}")


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A JupyterLab server with isolated settings, shut down after the session."""
    home = tmp_path_factory.mktemp("jupyter-home")
    root_dir = tmp_path_factory.mktemp("notebooks")
    port = _free_port()
    lab = Lab(url=f"http://127.0.0.1:{port}", root_dir=root_dir, log=home / "lab.log")
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        "--allow-root",
        f"--ServerApp.root_dir={root_dir}",
        "--IdentityProvider.token=",
        "--PasswordIdentityProvider.hashed_password=",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.expose_app_in_browser=True",
        # Lets the teardown shut kernels down through the REST API without a token.
        "--ServerApp.disable_check_xsrf=True",
    ]
    with lab.log.open("wb") as log:
        process = subprocess.Popen(
            command, env=_isolated_env(home), stdout=log, stderr=subprocess.STDOUT
        )
    try:
        _wait_for_status(lab, process, timeout=60)
        yield lab
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless Chromium with a fresh profile for the whole session."""
    reason = _missing_browser_reason()
    if reason is not None:
        pytest.fail(f"DASHMON_REQUIRE_BROWSER=1 but {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


@dataclass
class BrowserPage:
    """A page plus the console errors and uncaught exceptions it produced."""

    page: Any
    errors: list[str]


@pytest.fixture
def browser(
    request: pytest.FixtureRequest, browser_context: Any, lab: Lab
) -> Iterator[BrowserPage]:
    """A fresh page; saves a screenshot to test-artifacts/ when the test fails."""
    page = browser_context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    try:
        yield BrowserPage(page, errors)
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
        page.close()
        lab.shut_down_kernels()


KERNEL_READY = """() => {
    const name = document.querySelector('.jp-NotebookPanel-toolbar .jp-Toolbar-kernelName');
    const text = name ? name.textContent.trim() : '';
    return text !== '' && text !== 'No Kernel' &&
        document.querySelector(".jp-Notebook-ExecutionIndicator[data-status='idle']") !== null;
}"""

ALL_CELLS_RAN = """() => {
    const prompts = [...document.querySelectorAll('.jp-NotebookPanel .jp-InputPrompt')]
        .map(p => p.textContent.trim());
    return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p)) &&
        document.querySelector(".jp-Notebook-ExecutionIndicator[data-status='idle']") !== null;
}"""


def _write_notebook(folder: Path, cells: list[str]) -> str:
    name = f"test-{time.monotonic_ns()}.ipynb"
    notebook = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "cells": [
            {
                "cell_type": "code",
                "id": f"cell-{index}",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": source,
            }
            for index, source in enumerate(cells)
        ],
    }
    (folder / name).write_text(json.dumps(notebook))
    return name


@pytest.fixture
def run_notebook(browser: BrowserPage, lab: Lab) -> Any:
    """Return ``run(cells)``: open a fresh notebook of these cells and Run All.

    Waits for a real kernel before running, and for every cell to have run
    and the kernel to be idle afterwards; fails on any traceback in the outputs.
    """

    def run(cells: list[str], timeout_ms: int = 90_000) -> None:
        page = browser.page
        name = _write_notebook(lab.root_dir, cells)
        page.goto(f"{lab.url}/lab/tree/{name}?reset")
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
        page.evaluate("() => window.jupyterapp.restored.then(() => true)")
        page.wait_for_function(KERNEL_READY, timeout=60_000)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.click("li.lm-Menu-item[data-command='runmenu:run-all']")
        page.wait_for_function(ALL_CELLS_RAN, timeout=timeout_ms)
        outputs = page.locator(".jp-NotebookPanel .jp-OutputArea").all_inner_texts()
        assert not any("Traceback" in text for text in outputs), "\n".join(outputs)

    return run


def search_palette(page: Any, label: str, command: str) -> Any:
    """Open the command palette, type ``label`` and return the item of ``command``."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    search = page.locator(".lm-CommandPalette-input")
    # The modal palette closes when focus moves; JupyterLab may still move it
    # (e.g. to a Launcher it opens) just after start-up, so open it again then.
    for _ in range(3):
        page.evaluate(
            "() => window.jupyterapp.commands.execute('apputils:activate-command-palette')"
        )
        try:
            search.wait_for(state="visible", timeout=3_000)
            break
        except PlaywrightTimeoutError:
            continue
    search.fill(label)
    return page.locator(f".lm-CommandPalette-item[data-command='{command}']")


def run_command_from_palette(page: Any, label: str, command: str) -> None:
    """Run ``command`` by clicking its entry in the command palette."""
    search_palette(page, label, command).click()
