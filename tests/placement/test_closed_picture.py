"""A notebook executed by nbclient whose dashboard closed keeps its last picture:
the widget's output becomes static HTML, and ``nbconvert --to html`` shows the counts."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

CELLS = [
    "import logging, time\n"
    "from distributed import Client, LocalCluster\n"
    "import jupyter_dashmon\n"
    "cluster = LocalCluster(n_workers=2, threads_per_worker=2, processes=True,\n"
    "                       dashboard_address=None, host='127.0.0.1', silence_logs=logging.ERROR)\n"
    "client = Client(cluster)",
    "dash = client.dashboard()\ndash",
    "def inc(x):\n    return x + 1\n\n"
    "client.gather(client.map(inc, range(321)))\n"
    "deadline = time.time() + 30\n"
    "while dash.snapshot()['progress'].get('inc', {}).get('done') != 321:\n"
    "    assert time.time() < deadline\n"
    "    time.sleep(0.1)",
    # Closing the Client closes the dashboard, on the Client's own thread.
    "client.close()\ncluster.close()",
]


def test_closed_dashboard_leaves_its_final_counts(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    nb = new_notebook(cells=[new_code_cell(source) for source in CELLS])
    NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = nb.cells[1].outputs
    assert len(outputs) == 1
    data = outputs[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" not in data
    assert "dashmon-closed" in data["text/html"]
    assert "inc  321 / 321" in data["text/html"]  # the progress bar
    assert "321 of 321 tasks done" in data["text/plain"]
    nbformat.write(nb, tmp_path / "done.ipynb")
    html, _ = HTMLExporter().from_notebook_node(nbformat.read(tmp_path / "done.ipynb", 4))
    assert "321 of 321 tasks done" in html
    assert "inc  321 / 321" in html
