"""Fixtures for real-browser tests: a JupyterLab server and headless Chromium.

Chromium is Debian's ``/usr/bin/chromium`` driven by Playwright. Without it the
tests skip, unless ``DASHMON_REQUIRE_BROWSER=1``, in which case they fail.
A failing test leaves a screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Generator, Iterator
from typing import Any

import pytest
from lab_driver import (
    ALL_CELLS_RAN,
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    KERNEL_READY,
    BrowserPage,
    Lab,
    free_port,
    isolated_env,
    missing_browser_reason,
    wait_for_status,
    write_notebook,
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = missing_browser_reason()
    if reason is None or os.environ.get("DASHMON_REQUIRE_BROWSER") == "1":
        return
    skip = pytest.mark.skip(reason=f"browser tests need Chromium: {reason}")
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A JupyterLab server with isolated settings, shut down after the session."""
    home = tmp_path_factory.mktemp("jupyter-home")
    root_dir = tmp_path_factory.mktemp("notebooks")
    port = free_port()
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
            command, env=isolated_env(home), stdout=log, stderr=subprocess.STDOUT
        )
    try:
        wait_for_status(lab, process, timeout=60)
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
    reason = missing_browser_reason()
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


@pytest.fixture
def run_notebook(browser: BrowserPage, lab: Lab) -> Any:
    """Return ``run(cells)``: open a fresh notebook of these cells and Run All.

    Waits for a real kernel before running, and for every cell to have run
    and the kernel to be idle afterwards; fails on any traceback in the outputs.
    """

    def run(cells: list[str], timeout_ms: int = 90_000) -> None:
        page = browser.page
        name = write_notebook(lab.root_dir, cells)
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
