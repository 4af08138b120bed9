"""A saved notebook keeps each card's last picture, readable without a kernel (nbconvert)."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

CELLS = [
    "import logging, time\n"
    "from distributed import Client, LocalCluster\n"
    "import jupyter_dashmon\n"
    "cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None,\n"
    "                       host='127.0.0.1', silence_logs=logging.ERROR)\n"
    "client = Client(cluster)\n"
    "dash = client.dashboard()",
    "def double(x):\n    time.sleep(0.01)\n    return 2 * x\n"
    "total = client.submit(sum, client.map(double, range(40))).result()\ntotal",
    "x = 1  # no Dask work here",
    "time.sleep(2)  # the first card's last update lands meanwhile",
    "client.close(); cluster.close()",
]


def test_nbconvert_of_the_saved_notebook_shows_the_final_card(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    path = tmp_path / "ran.ipynb"
    nbformat.write(nb, path)
    saved = nbformat.read(path, as_version=4)
    cards = [
        (i, o)
        for i, cell in enumerate(saved.cells)
        for o in cell.outputs
        if "dashmon-card" in str(o.get("data", {}).get("text/html", ""))
    ]
    assert [i for i, _ in cards] == [1], "one card, under the computing cell"
    assert saved.cells[2].outputs == []
    html, _ = HTMLExporter().from_notebook_node(saved)
    assert "41 / 41 tasks in" in html
    assert "double 40/40" in html and "sum 1/1" in html and "worker time: compute" in html
