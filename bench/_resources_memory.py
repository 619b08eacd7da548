"""``python -m bench._resources_memory``: a 200 MB download must not grow the worker's memory.

Starts the app under gunicorn (one sync worker) on loopback, stores a 200 MB public file, reads
the worker's resident memory (VmRSS from /proc) before, during (sampled every 20 ms) and after
streaming the download, and prints the growth. Target: < 10 MB.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from bench import harness
from bench._resources_data import MB, create_public_file

TARGET_MB = 10


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def worker_pids(master: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{master}/task").iterdir():
        text = (task / "children").read_text().split()
        children += [int(pid) for pid in text]
    return children


def main() -> int:
    settings = harness.Settings(workers=1, worker_class="sync")
    instance = harness.Instance("resources-memory")
    try:
        instance.migrate()
        with tempfile.TemporaryDirectory(prefix="bench-res-mem-") as log_dir, \
                harness.Server("wsgi:app", settings, instance.env, Path(log_dir),
                               ready_path="/healthz") as server:
            with instance.app_context():
                file_id, _ = create_public_file(instance.dir, size=200 * MB)
            url = f"{server.base_url}/bibliotek/fil/{file_id}"
            (worker,) = worker_pids(server.process.pid)
            # One small request first so the worker has imported and warmed what a download uses.
            with urllib.request.urlopen(urllib.request.Request(url, headers={"Range": "bytes=0-9"})) as r:
                r.read()
            before = rss_kb(worker)
            peak, done = before, threading.Event()

            def sample() -> None:
                nonlocal peak
                while not done.is_set():
                    peak = max(peak, rss_kb(worker))
                    time.sleep(0.02)

            sampler = threading.Thread(target=sample)
            sampler.start()
            received = 0
            started = time.monotonic()
            with urllib.request.urlopen(url, timeout=120) as response:
                while chunk := response.read(MB):
                    received += len(chunk)
            elapsed = time.monotonic() - started
            done.set()
            sampler.join()
            after = rss_kb(worker)
    finally:
        instance.remove()
    growth = (peak - before) / 1024
    print(f"downloaded {received / MB:.0f} MB in {elapsed:.1f} s; worker RSS before {before / 1024:.1f} MB, "
          f"peak {peak / 1024:.1f} MB, after {after / 1024:.1f} MB; growth {growth:.1f} MB "
          f"(target < {TARGET_MB} MB): {'ok' if growth < TARGET_MB else 'MISSED'}")
    return 0 if received >= 200 * MB and growth < TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
