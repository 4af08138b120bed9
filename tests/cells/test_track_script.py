"""``jupyter_dashmon.track`` in a plain Python script: no IPython, no notebook."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import json, logging, time
    from distributed import Client, LocalCluster
    import jupyter_dashmon

    def step(x):
        return x + 1

    if __name__ == "__main__":
        with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None,
                          host="127.0.0.1", silence_logs=logging.ERROR) as cluster, \\
             Client(cluster) as client:
            dash = client.dashboard()
            with jupyter_dashmon.track("load <raw>"):
                client.gather(client.map(step, range(12), pure=False))
            client.gather(client.map(step, range(100, 105), pure=False))
            for _ in range(200):
                rows = dash.snapshot()["cells"]
                if len(rows) == 2 and all(r["stop"] for r in rows):
                    break
                time.sleep(0.05)
            print("ROWS" + json.dumps(rows))
            dash.close()
    """
)


def test_track_in_a_script_names_its_work_and_the_rest_is_other(tmp_path):
    script = tmp_path / "job.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=180, env=env
    )
    assert out.returncode == 0, out.stderr[-3000:]
    rows = json.loads(out.stdout.split("ROWS", 1)[1])
    by_name = {r["name"]: r for r in rows}
    assert by_name["load <raw>"]["total"] == 12 and by_name["load <raw>"]["cell"] is None
    assert by_name["other"]["total"] == 5
