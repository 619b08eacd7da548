"""Load generators: wrk when it is installed, otherwise a small threaded Python one.

Both give the same ``LoadResult`` so the app and hello-world are always compared with numbers
from the same tool, the same duration and the same number of connections.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class LoadResult:
    tool: str
    requests: int
    duration_s: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int  # responses >= 400 and socket errors
    # CPU time the server's processes spent per request: unlike req/s, barely moved by other
    # programs competing for the same cores. Set by the harness, None when unknown.
    server_cpu_ms: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def available_tools() -> list[str]:
    return (["wrk"] if shutil.which("wrk") else []) + ["python"]


def run(tool: str, base_url: str, paths: list[str], headers: dict[str, str], *, duration: float,
        connections: int) -> LoadResult:
    if tool == "wrk":
        return run_wrk(base_url, paths, headers, duration=duration, connections=connections)
    return run_python(base_url, paths, headers, duration=duration, connections=connections)


# -- wrk ---------------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_PERCENTILE = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_REQUESTS = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")

# Cycles through several paths; headers given with -H still apply (wrk.format merges them).
_LUA_PATHS = """\
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format(nil, paths[i])
end
"""


def parse_wrk(output: str) -> LoadResult:
    """Read wrk's summary as printed with ``--latency``."""
    percentiles = {int(p): float(v) * _UNITS_MS[u] for p, v, u in _PERCENTILE.findall(output)}
    requests = _REQUESTS.search(output)
    rps = _RPS.search(output)
    if not (requests and rps and 50 in percentiles and 99 in percentiles):
        raise ValueError("unexpected wrk output:\n" + output)
    errors = sum(int(n) for n in _NON_2XX.findall(output))
    socket_errors = _SOCKET_ERRORS.search(output)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return LoadResult(
        tool="wrk", requests=int(requests.group(1)),
        duration_s=float(requests.group(2)) * _UNITS_MS[requests.group(3)] / 1000.0,
        rps=float(rps.group(1)), p50_ms=percentiles[50], p99_ms=percentiles[99], errors=errors,
    )


def run_wrk(base_url: str, paths: list[str], headers: dict[str, str], *, duration: float,
            connections: int) -> LoadResult:
    threads = max(1, min(2, connections))
    command = ["wrk", "--latency", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s",
               "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        if len(paths) > 1:
            script = Path(tmp) / "paths.lua"
            script.write_text(_LUA_PATHS % ", ".join(_lua_string(p) for p in paths))
            command += ["-s", str(script)]
        command.append(base_url.rstrip("/") + paths[0])
        done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60,
                              check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# -- Python fallback ---------------------------------------------------------------------------


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return 0.0
    rank = max(1, round(pct / 100.0 * len(sorted_values) + 0.5 - 1e-9))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def run_python(base_url: str, paths: list[str], headers: dict[str, str], *, duration: float,
               connections: int) -> LoadResult:
    """One keep-alive connection per thread, each sending requests back to back until the end."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    prefix = parts.path.rstrip("/")
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    start_gate = threading.Barrier(connections + 1)
    deadline = [0.0]

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        mine, i = latencies[n], n
        start_gate.wait()
        while time.perf_counter() < deadline[0]:
            path = prefix + paths[i % len(paths)]
            i += 1
            began = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                errors[n] += 1
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=10)
                continue
            mine.append((time.perf_counter() - began) * 1000.0)
            if response.status >= 400:
                errors[n] += 1
            if response.will_close:
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=10)
        conn.close()

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(connections)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + duration
    start_gate.wait()
    for thread in threads:
        thread.join(timeout=duration + 30)
    elapsed = time.perf_counter() - began
    merged = sorted(value for values in latencies for value in values)
    return LoadResult(
        tool="python", requests=len(merged), duration_s=round(elapsed, 3),
        rps=len(merged) / elapsed if elapsed else 0.0,
        p50_ms=percentile(merged, 50), p99_ms=percentile(merged, 99), errors=sum(errors),
    )
