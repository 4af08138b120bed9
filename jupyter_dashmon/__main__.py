"""Runs in a plain Python process: ``python -m jupyter_dashmon report ADDRESS -o FILE``.

Attaches a Client to a running scheduler, records its cluster for a while
(``--for``, or until Ctrl-C) and writes a saved report: the dashboard of that
time as one HTML file that opens anywhere.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time

from dask.utils import parse_timedelta
from distributed import Client

from .placement.recorder import Recorder


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m jupyter_dashmon")
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser(
        "report", help="record a running cluster and write a self-contained HTML report"
    )
    rec.add_argument("address", help="the scheduler's address, e.g. tcp://127.0.0.1:8786")
    rec.add_argument(
        "--for",
        dest="duration",
        default=None,
        help="how long to record: seconds or a dask time string such as 60s or 5min "
        "(default: until Ctrl-C)",
    )
    rec.add_argument("-o", "--output", default="dask-report.html", help="the file to write")
    rec.add_argument("--title", default=None, help="the report's title")
    return parser.parse_args(argv)


def record(address: str, duration: float | None, output: str, title: str | None) -> int:
    """Record ``address`` for ``duration`` seconds (None: until interrupted), write ``output``."""
    stop = threading.Event()
    # SIGTERM (a batch system ending the job) writes the report as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with Client(address, timeout="20s") as client:
        recorder = Recorder(client)
        started = time.monotonic()
        print(f"recording {address} into {output}; Ctrl-C to stop", file=sys.stderr)
        try:
            while not stop.wait(0.2):
                if duration is not None and time.monotonic() - started >= duration:
                    break
        except KeyboardInterrupt:
            pass
        try:
            recorder.flush()
            path = recorder.save(output, title)
        finally:
            recorder.close()
    tasks = recorder.model.history.history
    print(f"wrote {path} ({len(tasks):,} tasks)", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    duration = None if args.duration is None else parse_timedelta(args.duration, default="s")
    return record(args.address, duration, args.output, args.title)


if __name__ == "__main__":
    sys.exit(main())
