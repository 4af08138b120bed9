"""Reading a saved report back in Python, the way its script does (tests and bench)."""

from __future__ import annotations

import base64
import gzip
import json
import re
from pathlib import Path
from typing import Any

import numpy as np

DATA = re.compile(r'<script type="application/json" id="dashmon-report-data">(.*?)</script>', re.S)


def read_report(path: str | Path) -> dict[str, Any]:
    """The report's JSON document, its task columns unpacked, and its page text."""
    text = Path(path).read_text(encoding="utf-8")
    found = DATA.search(text)
    assert found, "the report carries no data document"
    doc = json.loads(found.group(1))
    pack = doc["tasks"]
    n = pack["count"]
    raw = gzip.decompress(base64.b64decode(pack["blob"]))
    cols = {}
    for k, (name, dtype) in enumerate(
        (("x0", "<f4"), ("x1", "<f4"), ("row", "<u4"), ("color", "<u4"), ("template", "<u4"))
    ):
        cols[name] = np.frombuffer(raw, dtype=dtype, count=n, offset=4 * n * k)
    cols["keys"] = json.loads(raw[20 * n :].decode())
    labels = [
        pack["templates"][t].replace("\x00", key, 1)
        for t, key in zip(cols["template"].tolist(), cols["keys"])
    ]
    return {"doc": doc, "columns": cols, "labels": labels, "html": text}
