"""The chat swarm runs end to end against README's chat process and checks delivery itself.

A smoke test only: a handful of clients for a few seconds; nothing is asserted about speed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_small_swarm_gets_every_acknowledged_message_exactly_once(tmp_path):
    samples = tmp_path / "samples.csv"
    done = subprocess.run(
        [sys.executable, "-m", "bench.chat_swarm", "--clients", "4", "--rate", "4", "--duration", "2",
         "--client-processes", "2", "--database", "sqlite", "--no-redis", "--samples", str(samples)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("{")))
    assert result["worker_class"] == "gevent" and result["database"] == "sqlite"
    assert result["sent_acked"] == 8 and result["send_failures"] == 0
    # Every client (the senders among them) got every message once, and each delivery is sampled.
    assert result["deliveries"] == 4 * 8
    assert result["lost"] == 0 and result["duplicated"] == 0
    assert len(samples.read_text().splitlines()) == 4 * 8
    assert "1 process, 4 clients" in done.stdout.splitlines()[-1]
