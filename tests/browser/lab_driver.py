"""Driving JupyterLab in headless Chromium: the server, notebooks, the palette.

Plain helpers shared by ``conftest.py`` (which turns them into fixtures) and
the tests. JupyterLab runs on loopback with a free port and its own config,
data, runtime, settings and workspace folders, so tests never touch the
user's Jupyter setup; the environment's ``share/jupyter/labextensions`` stays
visible so the installed extension loads.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

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


def missing_browser_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is missing (pip install playwright)"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Lab:
    """A running JupyterLab: its base URL and the folder it serves."""

    url: str
    root_dir: Path
    log: Path
    pid: int = 0  # the server's process, whose children are the kernels

    def api(self, path: str, method: str = "GET") -> Any:
        request = urllib.request.Request(f"{self.url}/api/{path}", method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shut_down_kernels(self) -> None:
        for session in self.api("sessions"):
            self.api(f"sessions/{session['id']}", method="DELETE")


#: IPython startup code of the test kernels: SIGUSR1 writes every thread's
#: Python stack to the kernel's own stderr, which is the server's log.
STACKS_ON_SIGNAL = (
    "import faulthandler, signal, sys\n"
    "faulthandler.register(signal.SIGUSR1, file=sys.__stderr__, all_threads=True)\n"
)


def dump_kernel_stacks(lab: Lab, chars: int = 12_000) -> str:
    """Every thread's stack of each kernel of ``lab`` (signalled), as the end of its log."""
    with contextlib.suppress(Exception):
        for child in psutil.Process(lab.pid).children(recursive=True):
            if any("ipykernel" in part for part in child.cmdline()):
                child.send_signal(signal.SIGUSR1)
        time.sleep(1.0)
    return lab.log.read_text(errors="replace")[-chars:]


def isolate_jupyter(env: dict[str, str], home: Path) -> dict[str, str]:
    """Point ``env``'s Jupyter and IPython folders under ``home`` and silence
    JupyterLab's news toast there; the environment's own share/jupyter stays
    visible (the installed extension loads from it)."""
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
    # A kernel that hangs can be asked for every thread's stack (dump_kernel_stacks).
    startup = home / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-dashmon-stacks.py").write_text(STACKS_ON_SIGNAL)
    notification = home / "settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True, exist_ok=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    return env


def isolated_env(home: Path) -> dict[str, str]:
    env = isolate_jupyter(dict(os.environ), home)
    # Kernels import this checkout's Python code, not an older installed copy.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    use_local_labextension(home / "data")
    return env


#: Set to a labextension build (``cd js && npm run build`` writes one to
#: ``jupyter_dashmon/labextension``) to test it instead of the installed one.
LOCAL_LABEXTENSION = "DASHMON_LABEXTENSION"


def use_local_labextension(data_dir: Path) -> Path | None:
    """Copy the build named by ``$DASHMON_LABEXTENSION`` under ``data_dir``.

    JupyterLab takes an extension from the first labextensions folder that has
    it, and the isolated data dir comes before the environment's, so the
    server started with this data dir loads the copy; the installed extension
    (shared by everyone using this environment) is left alone.
    """
    build = os.environ.get(LOCAL_LABEXTENSION)
    if not build:
        return None
    source = Path(build)
    if not (source / "package.json").exists():
        raise RuntimeError(f"{LOCAL_LABEXTENSION}={build} holds no labextension build")
    target = data_dir / "labextensions" / "jupyter-dashmon"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    (target / "install.json").write_text(
        json.dumps({"packageManager": "python", "packageName": "jupyter_dashmon"})
    )
    return target


LOADED_DASHMON_BUILD = """() => {
    const config = JSON.parse(document.getElementById('jupyter-config-data').textContent);
    const entry = (config.federated_extensions || []).find(e => e.name === 'jupyter-dashmon');
    return entry ? entry.load : null;
}"""


def expected_remote_entry() -> str | None:
    """The remoteEntry file of ``$DASHMON_LABEXTENSION``, what the page should load."""
    build = os.environ.get(LOCAL_LABEXTENSION)
    if not build:
        return None
    entries = sorted((Path(build) / "static").glob("remoteEntry.*.js"))
    return f"static/{entries[-1].name}" if entries else None


def wait_for_status(lab: Lab, process: subprocess.Popen[bytes], timeout: float) -> None:
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


@contextlib.contextmanager
def lab_server(home: Path, root_dir: Path) -> Iterator[Lab]:
    """A JupyterLab on a free loopback port with settings isolated under ``home``.

    Serves ``root_dir``; shuts its kernels down and stops the server on exit.
    """
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
    lab.pid = process.pid
    try:
        wait_for_status(lab, process, timeout=60)
        yield lab
    finally:
        with contextlib.suppress(Exception):  # best effort before stopping the server
            lab.shut_down_kernels()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class BrowserPage:
    """A page plus the console errors and uncaught exceptions it produced."""

    page: Any
    errors: list[str]


#: A notebook cell: a two-worker LocalCluster, its Client, and its dashboard
#: shown inline (``cluster``, ``client``, ``dash``; json, logging, random and
#: time imported).
#: What the Status page shows once it has drawn: its CPU and memory line chart's
#: canvas (js/src/lines.ts sets ``data-points`` at its first frame).
DRAWN_CHART = ".dashmon-lines[data-points] canvas"
#: Any chart of the dashboard: bqplot's, the row bar charts, the line charts
#: and the task canvases.
CHART = ".bqplot.figure, .dashmon-bars, .dashmon-lines, .dashmon-stream"

DASHBOARD_CELL = (
    "import json, logging, random, time\n"
    "from distributed import Client, LocalCluster\n"
    "import jupyter_dashmon\n"
    "cluster = LocalCluster(n_workers=2, threads_per_worker=2, dashboard_address=None,\n"
    "                       silence_logs=logging.ERROR)\n"
    "client = Client(cluster)\n"
    "dash = client.dashboard()\n"
    "dash"
)

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


def write_notebook(folder: Path, cells: list[str]) -> str:
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


#: True while no cell of the notebook has started: every prompt still ``[ ]:``.
NOTHING_STARTED = """() => [...document.querySelectorAll('.jp-NotebookPanel .jp-InputPrompt')]
    .every(p => /^\\[\\s*\\]:$/.test(p.textContent.trim()))"""


def _started_or_run_again(page: Any, seconds: float = 20) -> None:
    """Run All once more if, ``seconds`` after the menu's, no cell has started.

    Under the whole suite a Run All has been lost (once in CI): the kernel
    sat idle with no cell run (its stacks showed no Client), and the test
    waited out its timeout.  Nothing ran, so running all again runs nothing twice.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    try:
        page.wait_for_function(f"() => !({NOTHING_STARTED})()", timeout=seconds * 1000)
    except PlaywrightTimeoutError:
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


def open_and_run(page: Any, lab: Lab, cells: list[str], wait_ms: int | None = 120_000) -> str:
    """Open a fresh notebook of ``cells`` in ``page`` and Run All; return its name.

    Waits for a real kernel before running (BROWSER.md) and, unless ``wait_ms``
    is None, for every cell to have run and the kernel to be idle again.
    """
    name = write_notebook(lab.root_dir, cells)
    page.goto(f"{lab.url}/lab/tree/{name}?reset")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
    page.evaluate("() => window.jupyterapp.restored.then(() => true)")
    page.wait_for_function(KERNEL_READY, timeout=60_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.click("li.lm-Menu-item[data-command='runmenu:run-all']")
    _started_or_run_again(page)
    if wait_ms is not None:
        try:
            page.wait_for_function(ALL_CELLS_RAN, timeout=wait_ms)
        except Exception as exc:  # Playwright's TimeoutError
            stacks = dump_kernel_stacks(lab)
            raise TimeoutError(
                f"the cells of {name} had not all run after {wait_ms / 1000:.0f} s; "
                f"the kernel's threads and the end of the server's log:\n{stacks}"
            ) from exc
    return name


def pan_left(page: Any, box: dict, steps: int = 30) -> None:
    """Drag across the middle of ``box`` (a bounding box) from 60 % towards the left."""
    y = box["y"] + box["height"] * 0.5
    page.mouse.move(box["x"] + box["width"] * 0.6, y)
    page.mouse.down()
    for step in range(steps):
        page.mouse.move(box["x"] + box["width"] * (0.6 - step * 0.01), y)
    page.mouse.up()


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
