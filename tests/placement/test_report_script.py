"""``jupyter_dashmon.report()`` in plain scripts and ``python -m jupyter_dashmon report``,
each in a subprocess of its own against a real LocalCluster with worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from saved_reports import read_report

from jupyter_dashmon.placement.report import SCRIPT

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not SCRIPT.exists(), reason="the report script is built by npm in js/"),
]

SCRIPT_TEXT = """
import logging, sys, time
from distributed import Client, LocalCluster
import jupyter_dashmon

def inc(x):
    time.sleep(0.005)
    return x + 1

if __name__ == "__main__":
    with LocalCluster(n_workers=2, threads_per_worker=2, dashboard_address=None,
                      host="127.0.0.1", silence_logs=logging.ERROR) as cluster:
        with Client(cluster):
            with jupyter_dashmon.report(sys.argv[1]):
                futures = Client.current().map(inc, range(150))
                Client.current().gather(futures)
                if sys.argv[2] == "raise":
                    raise RuntimeError("the block fails")
"""


def run_python(args: list[str], cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.parametrize("ending", ["ok", "raise"])
def test_report_of_a_script(tmp_path, ending):
    (tmp_path / "job.py").write_text(SCRIPT_TEXT)
    out = tmp_path / "run.html"
    done = run_python(["job.py", str(out), ending], tmp_path)
    if ending == "raise":
        assert done.returncode != 0 and "the block fails" in done.stderr
    else:
        assert done.returncode == 0, done.stderr
    read = read_report(out)
    keys = read["columns"]["keys"]
    assert len({k for k in keys if k.startswith("inc-")}) == 150
    assert "inc  150 / 150" in read["html"]  # the progress bar, as the run ended
    assert "2 workers" in read["html"]


def test_command_line_records_a_running_cluster(tmp_path, cluster):
    from distributed import Client
    from workloads import noop

    out = tmp_path / "cli.html"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cli = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter_dashmon",
            "report",
            cluster.scheduler_address,
            "--for",
            "6s",
            "-o",
            str(out),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(3)  # attached and polling by now (a Client connects in well under 3 s)
        with Client(cluster, set_as_default=False) as client:
            client.gather(client.map(noop, range(77), key=[f"cli-{i}" for i in range(77)]))
        _, err = cli.communicate(timeout=60)
    finally:
        if cli.poll() is None:
            cli.kill()
    assert cli.returncode == 0, err
    assert "wrote" in err
    keys = read_report(out)["columns"]["keys"]
    assert {f"cli-{i}" for i in range(77)} <= set(keys)
