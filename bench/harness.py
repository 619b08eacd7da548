"""Start servers, create data, drive load, compare with hello-world.

Every server binds 127.0.0.1 on a port the OS picks (gunicorn inherits the listening socket, so
there is no window in which another process could take the port), runs from its own temporary
instance directory with its own SQLite database, and is stopped when the run ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench import loadgen

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
# The targets the platform commits to, against hello-world measured in the same run.
TARGET_RPS_RATIO = 0.35
TARGET_P99_RATIO = 4.0


@dataclass
class Target:
    """What a benchmark's ``setup`` returns: the path(s) to hit and the headers to send."""

    paths: list[str]
    headers: dict[str, str] = field(default_factory=dict)
    expect_status: int = 200
    # Checked once before the load starts, e.g. the logged-in user's name on the page.
    expect_text: str | None = None


@dataclass
class Settings:
    duration: float = 10.0
    warmup: float = 1.0
    connections: int = 10
    workers: int = 2
    worker_class: str = "sync"  # sync | gthread
    threads: int = 4  # per worker, gthread only
    tool: str = "auto"  # auto | wrk | python

    def load_tool(self) -> str:
        return loadgen.available_tools()[0] if self.tool == "auto" else self.tool


class Instance:
    """A throwaway instance directory: SQLite database, storage, secret key, environment."""

    def __init__(self, name: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
        _INSTANCES[self.dir] = self
        self.database_url = f"sqlite:///{self.dir / 'network.sqlite3'}"
        self.env = {
            k: v for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "REDIS_URL", "FLASK_DEBUG", "SECRET_KEY", "NETWORK_ENV"}
        }
        self.env.update({
            # Production settings, as deployed; plain http on loopback, so cookies without Secure.
            "NETWORK_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "SESSION_COOKIE_SECURE": "0",
            "PUBLIC_BASE_URL": "http://127.0.0.1",  # production requires one; links are not measured
            "DATABASE_URL": self.database_url,
            "NETWORK_INSTANCE_DIR": str(self.dir),
            "STORAGE_DIR": str(self.dir / "storage"),
            "PYTHONPATH": str(ROOT),
        })
        if os.environ.get("BENCH_REDIS_URL"):
            # The scaled setup: Redis for the cache generation, limits, chat and sessions, under
            # prefixes of this instance's own.
            tag = "bench-" + self.dir.name.rsplit("-", 1)[-1]
            self.env.update({"REDIS_URL": os.environ["BENCH_REDIS_URL"],
                             **{name: f"{tag}-{name.lower()}" for name in (
                                 "CACHE_KEY_PREFIX", "RATELIMIT_KEY_PREFIX", "CHAT_REDIS_PREFIX",
                                 "SESSION_REDIS_PREFIX", "SOCKETIO_CHANNEL", "JOBS_QUEUE")}})

    def flask(self, *args: str, check: bool = True,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "flask", "--app", "network", *args], cwd=ROOT,
                              env=self.env | (env or {}), capture_output=True, text=True, timeout=300,
                              check=check)

    def migrate(self) -> None:
        done = self.flask("db", "upgrade", check=False)
        if done.returncode != 0:
            raise RuntimeError("flask db upgrade failed:\n" + done.stderr[-3000:])

    def has_command(self, name: str) -> bool:
        return self.flask(name, "--help", check=False).returncode == 0

    @contextlib.contextmanager
    def app_context(self) -> Iterator[object]:
        """The app in this process, on this instance's database, for creating data."""
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(self.env)
        try:
            from network import create_app
            from network.extensions import db

            app = create_app()
            with app.app_context():
                try:
                    yield app
                finally:
                    db.session.remove()
                    db.engine.dispose()
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def remove(self) -> None:
        _INSTANCES.pop(self.dir, None)
        shutil.rmtree(self.dir, ignore_errors=True)


_INSTANCES: dict[Path, Instance] = {}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now, for a server started next."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> Callable[[], bool]:
    """A readiness check: ``url`` answers 200."""

    def check() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own server
                return response.status == 200
        except (OSError, urllib.error.URLError):
            return False

    return check


def listens(port: int) -> Callable[[], bool]:
    """A readiness check: something accepts connections on 127.0.0.1:``port``."""

    def check() -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", port)) == 0

    return check


def wait_until(ready: Callable[[], bool], process: subprocess.Popen, timeout: float,
               interval: float = 0.1) -> bool:
    """Poll ``ready()`` while ``process`` runs: True once ready, False if it exited or time ran out
    (``process.poll()`` then tells which)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if ready():
            return True
        time.sleep(interval)
    return False


class Server:
    """gunicorn serving ``app_spec`` on an OS-chosen loopback port, as a context manager."""

    def __init__(self, app_spec: str, settings: Settings, env: dict[str, str], log_dir: Path,
                 ready_path: str = "/") -> None:
        self.app_spec, self.settings, self.env = app_spec, settings, env
        self.log_path = log_dir / f"gunicorn-{app_spec.replace(':', '-')}.log"
        self.ready_path = ready_path
        self.process: subprocess.Popen | None = None
        self.base_url = ""

    def __enter__(self) -> Server:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        listener.set_inheritable(True)
        port = listener.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        s = self.settings
        command = [sys.executable, "-m", "gunicorn", "--bind", f"fd://{listener.fileno()}",
                   "--workers", str(s.workers), "--worker-class", s.worker_class,
                   "--log-level", "warning", "--graceful-timeout", "5", "--timeout", "60"]
        if s.worker_class == "gthread":
            command += ["--threads", str(s.threads)]
        command.append(self.app_spec)
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, pass_fds=(listener.fileno(),))
        listener.close()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float = 60.0) -> None:
        if wait_until(answers(self.base_url + self.ready_path), self.process, timeout):
            return
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.app_spec} exited:\n{self.log_tail()}")
        raise RuntimeError(f"{self.app_spec} did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def cpu_seconds(self) -> float:
        """User + system CPU time of gunicorn's master and workers so far (Linux /proc)."""
        return process_cpu_seconds(self.process.pid) if self.process else 0.0

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text()[-3000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def __exit__(self, *exc) -> None:
        self.stop()


# -- helpers for benchmark modules -------------------------------------------------------------


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of process ``pid`` and its children (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if pid in (int(stat.parent.name), int(fields[1])):
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def app_context(instance_dir: Path):
    """``with app_context(instance_dir):`` the app in this process on the benchmark's database."""
    return _INSTANCES[Path(instance_dir)].app_context()


def flask(instance_dir: Path, *args: str, check: bool = True,
          env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``flask --app network <args>`` against the benchmark's instance (``env`` overrides)."""
    return _INSTANCES[Path(instance_dir)].flask(*args, check=check, env=env)


def has_command(instance_dir: Path, name: str) -> bool:
    return _INSTANCES[Path(instance_dir)].has_command(name)

_CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"|'
                   r'<input[^>]*value="([^"]+)"[^>]*name="csrf_token"')


def login(base_url: str, email: str, password: str) -> dict[str, str]:
    """Log in through the real form (CSRF token and all); returns the Cookie header to send."""
    import requests

    with requests.Session() as http:
        page = http.get(base_url + "/logga-in", timeout=10)
        match = _CSRF.search(page.text)
        if not match:
            raise RuntimeError("no CSRF token on the login page")
        response = http.post(base_url + "/logga-in", timeout=10, allow_redirects=False, data={
            "csrf_token": match.group(1) or match.group(2), "email": email, "password": password,
        })
        if response.status_code != 302:
            raise RuntimeError(f"login as {email} failed with {response.status_code}")
        cookies = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
    return {"Cookie": cookies}


def check_target(base_url: str, target: Target) -> None:
    """One request per path before the load: a benchmark of an error page measures nothing."""
    for path in target.paths:
        request = urllib.request.Request(base_url + path, headers=target.headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, body = response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read().decode("utf-8", "replace")
        if status != target.expect_status:
            raise RuntimeError(f"GET {path} answered {status}, expected {target.expect_status}")
        if target.expect_text and target.expect_text not in body:
            raise RuntimeError(f"GET {path} does not contain {target.expect_text!r}")


# -- running -----------------------------------------------------------------------------------


def measure(server: Server, target: Target, settings: Settings) -> loadgen.LoadResult:
    tool = settings.load_tool()
    if settings.warmup > 0:
        loadgen.run(tool, server.base_url, target.paths, target.headers, duration=settings.warmup,
                    connections=settings.connections)
    cpu_before = server.cpu_seconds()
    result = loadgen.run(tool, server.base_url, target.paths, target.headers,
                         duration=settings.duration, connections=settings.connections)
    if result.requests and Path("/proc/self/stat").exists():
        result.server_cpu_ms = round((server.cpu_seconds() - cpu_before) * 1000 / result.requests, 3)
    return result


def measure_hello(settings: Settings, log_dir: Path) -> loadgen.LoadResult:
    env = {k: v for k, v in os.environ.items() if k != "FLASK_DEBUG"}
    env["PYTHONPATH"] = str(ROOT)
    with Server("bench.hello:app", settings, env, log_dir) as server:
        return measure(server, Target(paths=["/"]), settings)


def measure_benchmark(name: str, module, settings: Settings) -> loadgen.LoadResult:
    instance = Instance(name)
    try:
        instance.migrate()
        # A benchmark may set server settings of its own (e.g. lift the API's rate limit, which
        # would otherwise answer most of the load with 429).
        env = {**instance.env, **getattr(module, "SERVER_ENV", {})}
        with Server("wsgi:app", settings, env, instance.dir, ready_path="/healthz") as server:
            try:
                target = module.setup(instance.dir, server.base_url)
                check_target(server.base_url, target)
            except Exception as exc:
                raise RuntimeError(f"{name}: {exc}\n--- server log ---\n{server.log_tail()}") from exc
            return measure(server, target, settings)
    finally:
        instance.remove()


def target_of(module: object) -> float:
    """The req/s ratio a benchmark is held to: its own ``TARGET_RPS_RATIO`` (the figure its issue
    sets, e.g. the API list's 0.25) or the platform's default."""
    return float(getattr(module, "TARGET_RPS_RATIO", TARGET_RPS_RATIO))


def compare(app: loadgen.LoadResult, hello: loadgen.LoadResult,
            target_rps: float = TARGET_RPS_RATIO) -> dict:
    rps_ratio = app.rps / hello.rps if hello.rps else 0.0
    p99_ratio = app.p99_ms / hello.p99_ms if hello.p99_ms else float("inf")
    cpu_ratio = (hello.server_cpu_ms / app.server_cpu_ms
                 if hello.server_cpu_ms and app.server_cpu_ms else None)
    return {
        "rps_ratio": round(rps_ratio, 3),
        "p99_ratio": round(p99_ratio, 2),
        # hello's server CPU per request / the app's: the req/s ratio a quiet machine would show
        # if the server were the only thing using the CPU.
        "cpu_ratio": round(cpu_ratio, 3) if cpu_ratio else None,
        "target_rps": target_rps,
        "meets_targets": rps_ratio >= target_rps and p99_ratio <= TARGET_P99_RATIO
        and app.errors == 0,
    }


def _cpu(value: float | None) -> str:
    return f"{value:.3f}" if value is not None else "-"


def format_table(hello: loadgen.LoadResult, rows: list[tuple[str, loadgen.LoadResult, dict]]) -> str:
    lines = [
        f"{'benchmark':<22}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>7}{'cpu ms/req':>11}"
        f"{'req/s ratio':>12}{'p99 ratio':>10}{'cpu ratio':>10}  target",
        f"{'hello-world':<22}{hello.rps:>10.1f}{hello.p50_ms:>9.2f}{hello.p99_ms:>9.2f}"
        f"{hello.errors:>7}{_cpu(hello.server_cpu_ms):>11}{'1.000':>12}{'1.00':>10}{'1.000':>10}",
    ]
    for name, result, ratios in rows:
        verdict = ("ok" if ratios["meets_targets"] else "MISSED") + f" (>= {ratios['target_rps']:.2f})"
        lines.append(
            f"{name:<22}{result.rps:>10.1f}{result.p50_ms:>9.2f}{result.p99_ms:>9.2f}"
            f"{result.errors:>7}{_cpu(result.server_cpu_ms):>11}{ratios['rps_ratio']:>12.3f}"
            f"{ratios['p99_ratio']:>10.2f}{_cpu(ratios['cpu_ratio']):>10}  {verdict}"
        )
    lines.append(f"targets: req/s ratio as each row says ({TARGET_RPS_RATIO:.2f} unless the benchmark "
                 f"sets its own), p99 ratio <= {TARGET_P99_RATIO:.1f}, no errors")
    lines.append("cpu ratio: hello's server CPU per request / the benchmark's (less sensitive to other "
                 "load on the machine)")
    return "\n".join(lines)


def write_results(settings: Settings, hello: loadgen.LoadResult,
                  rows: list[tuple[str, loadgen.LoadResult, dict]]) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    path = RESULTS_DIR / f"{stamp}.json"
    path.write_text(json.dumps({
        "timestamp": stamp,
        "settings": settings.__dict__ | {"tool": settings.load_tool()},
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "hello": hello.as_dict(),
        "benchmarks": {name: {**result.as_dict(), **ratios} for name, result, ratios in rows},
    }, indent=2) + "\n")
    return path
