"""A Redis of a test's own: Debian's ``redis-server`` on a free loopback port, in a folder of its own.

For tests that stop and restart Redis (the shared test Redis must never go away under other tests
or other runs) and for tests that must see every key written (the shared one also holds other
runs' keys). Without persistence by default: a restart comes back empty, the harder case for the
app; ``persistent=True`` keeps an append-only file, as README asks of a Redis that holds sessions.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from bench.harness import free_port
from tests.conftest import service_missing

STARTUP_SECONDS = 60  # a deadline on a busy machine, not a measured figure


class PrivateRedis:
    def __init__(self, folder: Path, *, persistent: bool = False) -> None:
        self.folder = folder
        self.persistent = persistent
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> PrivateRedis:
        import redis

        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(binary).exists():
            service_missing("redis-server", "not installed (apt-get install redis-server)")
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / "redis.log", "ab") as log:
            self.process = subprocess.Popen(
                [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
                 "--save", "", "--appendonly", "yes" if self.persistent else "no",
                 "--appendfsync", "always"], stdout=log, stderr=subprocess.STDOUT)
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + STARTUP_SECONDS
        try:
            while True:
                try:
                    client.ping()
                    return self
                except redis.ConnectionError:
                    if time.monotonic() > deadline or self.process.poll() is not None:
                        self.stop()
                        service_missing("redis-server", "it did not start: "
                                        + (self.folder / "redis.log").read_text()[-500:])
                    time.sleep(0.1)
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def restart(self) -> None:
        """Stop, then start again on the same port (empty unless persistent)."""
        self.stop()
        self.start()
