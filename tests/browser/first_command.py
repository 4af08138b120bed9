"""The README's first command, run as a new user runs it, checked in headless Chromium.

``python tests/browser/first_command.py`` (``.ci/run`` does this on every change):

1. copies the tracked files (``git ls-files``) into a temporary folder, so the
   JupyterLab extension is built from ``js/`` as on a fresh clone;
2. makes a fresh virtual environment there, with no Jupyter in it;
3. runs the README's first command exactly as written, taken from README.md by
   :func:`readme_commands`, with the server in the background on a free loopback
   port (``JUPYTER_PORT``, ``JUPYTER_TOKEN``) and Jupyter's config, data and
   runtime folders isolated;
4. waits for ``/api/status``, opens the example notebook in Chromium, waits for a
   real kernel, runs every cell above the last, and checks that the figures
   render and the progress bars of inc, dec and add read ``100 / 100``;
5. runs the last cell (it closes the Client) and checks the status line says so;
6. stops the kernel and the server by their process ids and deletes the folder.

It prints how long each step took and fails with a message naming the step.
A screenshot of the live dashboard is saved as ``test-artifacts/first-command.png``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Run as a script or loaded by tests/test_readme.py: its folder holds lab_driver.
sys.path.insert(0, str(Path(__file__).parent))
from lab_driver import (
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    isolate_jupyter,
    missing_browser_reason,
)

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
NOTEBOOK = "notebooks/example.ipynb"
#: Functions of the example whose progress bars must reach their totals.
FUNCTIONS = ("inc", "dec", "add")
TOTAL = 100
INSTALL_TIMEOUT = 1200.0  # seconds: pip install with the extension build, on a busy machine

DASHBOARD = ".jp-NotebookPanel .dashmon-dashboard"
KERNEL_READY = """() => {
    const name = document.querySelector('.jp-NotebookPanel-toolbar .jp-Toolbar-kernelName');
    const text = name ? name.textContent.trim() : '';
    return text !== '' && text !== 'No Kernel' &&
        document.querySelector(".jp-Notebook-ExecutionIndicator[data-status='idle']") !== null;
}"""
CODE_PROMPTS = """() => [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell')]
    .map(cell => cell.querySelector('.jp-InputPrompt').textContent.trim())"""
KERNEL_IDLE = """() => {
    const indicators = [...document.querySelectorAll('.jp-Notebook-ExecutionIndicator')];
    return indicators.length > 0 && indicators.every(i => i.dataset.status === 'idle');
}"""
#: The texts of the Progress chart's rows (a row bar chart, js/src/bars.ts).
PROGRESS_TEXTS = """(scope) => [...document.querySelectorAll(
    scope + ' .dashmon-progress .dashmon-bars-text')].map(t => t.textContent.trim())"""


WATCH_STATUS = """(scope) => {
    const status = document.querySelector(scope + ' .dashmon-status');
    if (status === null) return false;
    window.dashmonStatusTexts = [status.textContent];
    new MutationObserver(() => window.dashmonStatusTexts.push(status.textContent))
        .observe(status, {subtree: true, childList: true, characterData: true});
    return true;
}"""
#: What the side panel (js/src/panel.ts) says once the kernel closed its dashboard.
PANEL_CLOSED = "The dashboard was closed in the kernel."


class CheckFailed(Exception):
    """A step of the check failed; the message says which and why."""


def readme_commands(readme: Path = REPO / "README.md") -> list[str]:
    """The commands of the two ``bash`` blocks at the top of ``readme``, in order."""
    head = readme.read_text(encoding="utf-8").split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", head, flags=re.DOTALL)


def first_command(readme: Path = REPO / "README.md") -> str:
    """The README's first command: install the package for the demo and open JupyterLab."""
    return readme_commands(readme)[0]


def step(name: str, started: float) -> None:
    print(f"first-command: {name} ({time.monotonic() - started:.1f} s)", flush=True)


def copy_tracked_files(repo: Path, target: Path) -> None:
    """Copy the files git tracks in ``repo`` (as they are on disk) to ``target``."""
    listing = subprocess.run(
        ["git", "ls-files", "-z"], cwd=repo, check=True, capture_output=True
    ).stdout
    for name in filter(None, listing.decode().split("\0")):
        source = repo / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def user_env(venv: Path, home: Path, port: int, token: str) -> dict[str, str]:
    """A shell environment as after ``. venv/bin/activate``, with Jupyter's folders isolated.

    Nothing of the outer Python leaks in (no PYTHONPATH, no user site); the
    virtual environment's own ``share/jupyter`` stays visible, so the installed
    extension and kernel spec are the ones found.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_", "JUPYTER"))}
    env.pop("VIRTUAL_ENV", None)
    env.update(
        VIRTUAL_ENV=str(venv),
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        PYTHONNOUSERSITE="1",
        JUPYTER_PORT=str(port),
        JUPYTER_TOKEN=token,
    )
    isolate_jupyter(env, home)
    # No browser of the machine's own, no other port than the one chosen.
    (home / "config" / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"open_browser": False, "port_retries": 0}})
    )
    return env


class Server:
    """The first command running in its own session (process group), logging to a file."""

    def __init__(self, command: str, cwd: Path, env: dict[str, str], log: Path):
        self.url = f"http://127.0.0.1:{env['JUPYTER_PORT']}"
        self.token = env["JUPYTER_TOKEN"]
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                ["bash", "-c", command],
                cwd=cwd,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.descendants: set[int] = set()

    def api(self, path: str, method: str = "GET") -> Any:
        request = urllib.request.Request(
            f"{self.url}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def wait_for_status(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CheckFailed(
                    f"the first command exited with {self.process.returncode} before "
                    f"JupyterLab answered:\n{self.log_tail()}"
                )
            try:
                self.api("status")
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        raise CheckFailed(f"JupyterLab did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def remember_descendants(self) -> None:
        """Note the process ids of everything the command started (server, kernel, workers)."""
        import psutil

        with contextlib.suppress(psutil.NoSuchProcess):
            children = psutil.Process(self.process.pid).children(recursive=True)
            self.descendants.update(child.pid for child in children)

    def stop(self) -> None:
        """Shut the kernels down, stop the server, then end any process of it still alive."""
        import psutil

        self.remember_descendants()
        with contextlib.suppress(Exception):  # best effort: the server may be gone already
            for session in self.api("sessions"):
                self.api(f"sessions/{session['id']}", method="DELETE")
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        survivors = []
        for pid in self.descendants:
            with contextlib.suppress(psutil.NoSuchProcess):
                survivors.append(psutil.Process(pid))
        for process in survivors:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.terminate()
        _, alive = psutil.wait_procs(survivors, timeout=10)
        for process in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()


@contextlib.contextmanager
def chromium_page() -> Iterator[Any]:
    """A page in headless Debian Chromium with a fresh profile."""
    from playwright.sync_api import sync_playwright

    reason = missing_browser_reason()
    if reason is not None:
        raise CheckFailed(f"the browser check cannot run: {reason}")
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            page = context.new_page()
            page.set_default_timeout(60_000)
            yield page
        finally:
            context.close()


def wait_until(what: str, check: Any, timeout: float, seen: Any = None) -> None:
    """Poll ``check()`` until it is true; fail naming ``what`` and what ``seen()`` reads."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            detail = f"; the page shows {seen()!r}" if seen is not None else ""
            raise CheckFailed(f"{what} not within {timeout:.0f} s{detail}")
        time.sleep(0.5)


def select_last_cell(page: Any) -> None:
    page.locator(".jp-NotebookPanel .jp-Cell").last.locator(".jp-InputPrompt").click()


def check_no_traceback(page: Any) -> None:
    outputs = page.locator(".jp-NotebookPanel .jp-OutputArea").all_inner_texts()
    if any("Traceback" in text for text in outputs):
        raise CheckFailed("a cell failed:\n" + "\n".join(outputs))


def run_above_last_cell(page: Any, attempts: int = 3) -> None:
    """Run every cell above the last one with the Run menu, and wait until they ran.

    A menu click that JupyterLab did not take (once in CI: every prompt still
    ``[ ]:`` five minutes later) is given again: the user would click again.
    """

    def started() -> bool:
        return any(p != "[ ]:" for p in page.evaluate(CODE_PROMPTS)[:-1])

    for attempt in range(1, attempts + 1):
        select_last_cell(page)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.click("li.lm-Menu-item[data-command='notebook:run-all-above']")
        try:
            wait_until("a cell started", started, 30)
            break
        except CheckFailed:
            if attempt == attempts:
                raise
            print(f"first-command: Run > Run All Above started nothing; again ({attempt})")

    def ran() -> bool:
        check_no_traceback(page)
        prompts = page.evaluate(CODE_PROMPTS)[:-1]
        done = all(re.fullmatch(r"\[\d+\]:", p) for p in prompts)
        return bool(prompts) and done and page.evaluate(KERNEL_IDLE)

    wait_until("every cell above the last ran", ran, 300, lambda: page.evaluate(CODE_PROMPTS))
    check_no_traceback(page)


def check_live_dashboard(page: Any) -> None:
    """The figures render, inc, dec and add read ``100 / 100``, the status line says live."""
    figures = page.locator(
        f"{DASHBOARD} .bqplot.figure svg, {DASHBOARD} .dashmon-bars-row, {DASHBOARD} canvas"
    )
    wait_until("the dashboard's figures rendered", lambda: figures.count() >= 3, 60)
    titles = page.locator(
        f"{DASHBOARD} .bqplot.figure text.mainheading, {DASHBOARD} .dashmon-stream-title, "
        f"{DASHBOARD} .dashmon-bars-title"
    ).all_text_contents()
    for title in ("Progress", "Memory use", "Task Stream"):
        if not any(t.strip().startswith(title) for t in titles):
            raise CheckFailed(f"no {title!r} figure in the dashboard; titles: {titles}")

    def complete() -> bool:
        texts = page.evaluate(PROGRESS_TEXTS, DASHBOARD)
        return all(
            any(re.fullmatch(rf"{name}\s+{TOTAL} / {TOTAL}", t) for t in texts)
            for name in FUNCTIONS
        )

    wait_until(
        f"the progress bars of {', '.join(FUNCTIONS)} reading {TOTAL} / {TOTAL}",
        complete,
        60,
        lambda: page.evaluate(PROGRESS_TEXTS, DASHBOARD),
    )
    status = page.locator(f"{DASHBOARD} .dashmon-status").first.inner_text()
    if "live" not in status.lower():
        raise CheckFailed(f"the status line does not say live: {status!r}")

    # The cell that ran the example's work has its card, with the final count.
    def carded() -> bool:
        return any(
            "301 / 301 tasks in" in t
            for t in page.locator(".jp-NotebookPanel .dashmon-card").all_text_contents()
        )

    wait_until(
        "a card reading 301 / 301 tasks under the computing cell",
        carded,
        60,
        lambda: page.locator(".jp-NotebookPanel .dashmon-card").all_text_contents(),
    )


def close_client(page: Any) -> None:
    """Run the last cell, which closes the Client, and check what the page says then.

    Closing the dashboard closes its widgets, so the inline status line leaves
    the page right after it reads "Closed"; an observer records every text it
    showed. The side panel stays and says the dashboard was closed.
    """
    if not page.evaluate(WATCH_STATUS, DASHBOARD):
        raise CheckFailed("the inline dashboard has no status line")
    select_last_cell(page)
    page.keyboard.press("Control+Enter")  # run it in place, adding no cell

    def ran() -> bool:
        check_no_traceback(page)
        last = page.evaluate(CODE_PROMPTS)[-1]
        return bool(re.fullmatch(r"\[\d+\]:", last)) and page.evaluate(KERNEL_IDLE)

    wait_until("the last cell ran", ran, 120, lambda: page.evaluate(CODE_PROMPTS))

    def shown() -> list[str]:
        return page.evaluate("() => window.dashmonStatusTexts")

    wait_until(
        "the inline status line saying closed",
        lambda: any("closed" in text.lower() for text in shown()),
        30,
        shown,
    )
    panel = page.get_by_text(PANEL_CLOSED, exact=True)
    wait_until(f"the side panel saying {PANEL_CLOSED!r}", lambda: panel.count() > 0, 30)


def check_in_browser(server: Server, started: float) -> None:
    with chromium_page() as page:
        try:
            # Given a notebook, jupyter_server serves the notebook's folder.
            name = Path(NOTEBOOK).name
            try:
                server.api(f"contents/{name}?content=0")
            except urllib.error.HTTPError as error:
                raise CheckFailed(f"the server does not serve {NOTEBOOK} as {name}") from error
            page.goto(f"{server.url}/lab/tree/{name}?token={server.token}")
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
            page.wait_for_function(KERNEL_READY, timeout=120_000)
            step("the example notebook has a kernel", started)
            server.remember_descendants()
            run_above_last_cell(page)
            server.remember_descendants()
            step("ran every cell but the last", started)
            check_live_dashboard(page)
            page.locator(DASHBOARD).first.scroll_into_view_if_needed()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "first-command.png"))
            step("figures render, progress bars at their totals, the cell's card", started)
            close_client(page)
            step("the last cell closed the Client and the dashboard", started)
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            with contextlib.suppress(Exception):
                page.screenshot(path=str(ARTIFACTS / "first-command-failed.png"))
            raise


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dashmon-first-command-") as tmp:
        folder, home, venv = Path(tmp) / "checkout", Path(tmp) / "home", Path(tmp) / "env"
        copy_tracked_files(REPO, folder)
        command = first_command(folder / "README.md")
        print(f"first-command: {command}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        step("fresh virtual environment", started)
        env = user_env(venv, home, free_port(), secrets.token_hex(16))
        server = Server(command, folder, env, Path(tmp) / "first-command.log")
        try:
            server.wait_for_status(INSTALL_TIMEOUT)
            step("installed; JupyterLab answers /api/status", started)
            check_in_browser(server, started)
        except CheckFailed as failure:
            print(f"first-command: FAILED: {failure}", file=sys.stderr, flush=True)
            return 1
        except Exception as failure:  # a browser step timed out or the page went away
            traceback.print_exc()
            print(f"first-command: FAILED: {failure}", file=sys.stderr, flush=True)
            print(f"the server's log ends:\n{server.log_tail()}", file=sys.stderr, flush=True)
            return 1
        finally:
            server.stop()
            ARTIFACTS.mkdir(exist_ok=True)
            shutil.copy(server.log, ARTIFACTS / "first-command.log")
    step("done; server stopped, virtual environment deleted", started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
