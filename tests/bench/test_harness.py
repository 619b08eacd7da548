"""The benchmark harness runs end to end: servers start, load runs, the table prints, all stops.

A smoke test only: it runs each measurement for a second and asserts nothing about speed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench import harness, loadgen

ROOT = Path(__file__).resolve().parents[2]


def run_bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)


def test_one_benchmark_runs_and_prints_the_comparison_table():
    done = run_bench("start_page", "--duration", "1", "--warmup", "0", "--connections", "2",
                     "--tool", "python", "--no-save")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    header = next(line for line in lines if line.startswith("benchmark"))
    assert "req/s" in header and "p50 ms" in header and "p99 ms" in header and "ratio" in header
    hello = next(line for line in lines if line.startswith("hello-world "))
    start_page = next(line for line in lines if line.startswith("start_page "))
    # A working benchmark served real pages: some requests per second and no errors.
    assert float(hello.split()[1]) > 0
    assert float(start_page.split()[1]) > 0
    assert start_page.split()[4] == "0"


def test_unknown_benchmark_is_refused_with_the_list_of_known_ones():
    done = run_bench("no_such_page")
    assert done.returncode == 2
    assert "unknown benchmark" in done.stderr and "start_page" in done.stderr


@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is not installed")
def test_wrk_drives_a_server_on_loopback_and_the_server_stops(tmp_path):
    settings = harness.Settings(duration=1, warmup=0, connections=2, workers=1)
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    with harness.Server("bench.hello:app", settings, env, tmp_path) as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        result = loadgen.run_wrk(server.base_url, ["/", "/"], {"X-Bench": "1"}, duration=1,
                                 connections=2)
    assert server.process.poll() is not None
    assert result.requests > 0 and result.errors == 0


def test_python_load_generator_counts_error_responses(tmp_path):
    settings = harness.Settings(duration=1, warmup=0, connections=2, workers=1)
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    with harness.Server("bench.hello:app", settings, env, tmp_path) as server:
        result = loadgen.run_python(server.base_url, ["/missing"], {}, duration=0.5, connections=2)
    assert result.requests > 0
    assert result.errors == result.requests


def test_a_benchmark_is_held_to_its_own_target_when_it_names_one():
    """The API list's issue asks 0.25 of hello-world's req/s, the platform's pages 0.35: the
    verdict and the table say which figure each row was held to."""
    from bench import api_openapi, api_resources, start_page

    hello = loadgen.LoadResult("python", 4000, 1.0, 4000.0, 2.0, 6.0, 0)
    api = loadgen.LoadResult("python", 1200, 1.0, 1200.0, 8.0, 12.0, 0)  # 0.30 of hello
    assert harness.target_of(api_resources) == 0.25 and harness.target_of(api_openapi) == 0.5
    assert harness.target_of(start_page) == harness.TARGET_RPS_RATIO

    held_to_own = harness.compare(api, hello, harness.target_of(api_resources))
    held_to_default = harness.compare(api, hello, harness.target_of(start_page))

    assert held_to_own["meets_targets"] and not held_to_default["meets_targets"]
    table = harness.format_table(hello, [("api_resources", api, held_to_own),
                                         ("start_page", api, held_to_default)])
    assert "ok (>= 0.25)" in table and "MISSED (>= 0.35)" in table
