"""Run one command several times at once and report each run's exit code and wall time.

The proof that two test runs on one machine keep apart (their Redis names, databases, ports and
files), e.g. two SQLite passes of the Redis-heavy tests side by side:

    CI=true .venv/bin/python bin/concurrent_runs.py --runs 2 -- \\
        .venv/bin/python -m pytest -q -p no:cacheprovider --basetemp=/tmp/twin-{run} tests/deploy

``{run}`` in an argument becomes the run's number (1, 2, ...): give each its own --basetemp, which
pytest empties when it starts. Each run's output goes to run-N.log in ``--logs`` (by default
concurrent-runs/ in the temporary folder). The exit code is 0 only when every run passed. The
load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--logs", type=Path, default=Path(tempfile.gettempdir()) / "concurrent-runs")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command after --")
    args.logs.mkdir(parents=True, exist_ok=True)

    started = time.monotonic()
    running = []
    for number in range(1, args.runs + 1):
        log_path = args.logs / f"run-{number}.log"
        with log_path.open("wb") as log:
            argv_n = [part.replace("{run}", str(number)) for part in command]
            running.append((number, log_path, time.monotonic(),
                            subprocess.Popen(argv_n, stdout=log, stderr=subprocess.STDOUT)))
    ended: dict[int, float] = {}
    while len(ended) < len(running):
        for number, _log, _began, process in running:
            if number not in ended and process.poll() is not None:
                ended[number] = time.monotonic()
        time.sleep(0.5)
    failed = 0
    for number, log_path, began, process in running:
        code, wall = process.returncode, ended[number] - began
        failed += code != 0
        last = log_path.read_text(errors="replace").strip().splitlines()[-1:] or [""]
        print(f"run {number}: exit {code}, {wall:.0f} s wall  ({last[0]})  log: {log_path}")
    print(f"all runs: {time.monotonic() - started:.0f} s wall; load average "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
