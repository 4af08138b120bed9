"""Fixtures for real-browser tests: a JupyterLab server and headless Chromium.

Chromium is Debian's ``/usr/bin/chromium`` driven by Playwright. Without it the
tests skip, unless ``DASHMON_REQUIRE_BROWSER=1``, in which case they fail.
A failing test leaves a screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from typing import Any

import pytest
from lab_driver import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    BrowserPage,
    Lab,
    lab_server,
    missing_browser_reason,
    open_and_run,
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
    with lab_server(
        tmp_path_factory.mktemp("jupyter-home"), tmp_path_factory.mktemp("notebooks")
    ) as lab:
        yield lab


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
        open_and_run(page, lab, cells, wait_ms=timeout_ms)
        outputs = page.locator(".jp-NotebookPanel .jp-OutputArea").all_inner_texts()
        assert not any("Traceback" in text for text in outputs), "\n".join(outputs)

    return run
