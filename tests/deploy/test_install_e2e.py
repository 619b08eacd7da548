"""README.md's production install, performed literally, then used through nginx.

In a fresh folder and against a fresh PostgreSQL database: the install block of README.md runs
as written (its environment file made here, as the operator would); the nginx site and the
systemd units come from ``flask deploy-config``; two gthread page processes and two gevent chat
processes are started with the units' own ExecStart lines, and Debian's nginx in front of them
on a loopback port with TLS (a certificate made here) and its workers running as ``nobody`` in
group ``www-data``, so they read stored files only through ``STORAGE_GROUP``. Then an admin logs
in through nginx, uploads a file, downloads it through X-Accel-Redirect (the page process sends
no bytes), revalidates it with If-None-Match (a 304, not counted), and the doctor is green; with
a broken setting it is red. Last, two Socket.IO clients talk through nginx from different chat
processes, and one page process and one chat process are killed without losing a request or an
acknowledged message (tests/deploy/nginx_chat.py). README's worker unit runs beside them: a file's
text becomes searchable and an invitation reaches the loopback SMTP server through it.

Mandatory with CI=true (``.ci/run`` installs nginx); elsewhere skipped when nginx, openssl,
PostgreSQL or Redis is missing, or when not run as root (nginx must start its workers as
another user).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bench.harness import free_port, listens, wait_until
from tests.conftest import (
    REDIS_TEST_URL,
    backend,
    delete_run_keys,
    fresh_postgres_database,
    namespaced,
    redis_names,
    service_missing,
)
from tests.deploy.nginx_chat import chat_and_fail_over
from tests.notifications.smtp import SMTPServer

ROOT = Path(__file__).resolve().parents[2]
NGINX = "/usr/sbin/nginx"
WEB_USER, WEB_GROUP = "nobody", "www-data"
ADMIN_EMAIL, ADMIN_PASSWORD = "samordnare@kommun.se", "ett-langt-losenord-for-provet"
CONTENT = ("Lägesbild för Rosengård kvartal 3.\n" * 6000).encode()  # ~230 kB
STARTUP_SECONDS = 120  # a deadline for processes to listen, not a measured figure


def _install_block() -> str:
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- install -->\n```sh\n(.*?)```\n", readme, re.DOTALL)
    assert match, "README.md has no <!-- install --> block"
    return match.group(1)


def _require_services() -> None:
    if backend() == "postgres":
        pytest.skip("runs once, in the first (SQLite) pass of make test: it makes its own "
                    "PostgreSQL database either way")
    if not Path(NGINX).exists():
        service_missing("nginx (/usr/sbin/nginx)", "not installed; .ci/run installs it")
    if not shutil.which("openssl"):
        service_missing("openssl", "not installed")
    if os.geteuid() != 0:
        service_missing("root", "nginx must start its workers as another user than the app")
    try:
        import grp

        grp.getgrnam(WEB_GROUP)
    except KeyError:
        service_missing(f"the group {WEB_GROUP}", "it does not exist")


@pytest.fixture
def base() -> Iterator[Path]:
    _require_services()
    # Not under /tmp/pytest-of-root (0700): nginx's workers must reach static and stored files.
    path = Path(tempfile.mkdtemp(prefix="network-install-"))
    path.chmod(0o711)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def database() -> Iterator[str]:
    with fresh_postgres_database("network_install") as url:
        yield url


@pytest.fixture
def redis_prefix() -> Iterator[tuple[str, dict[str, str]]]:
    """The test Redis and this installation's names in it (the run's namespace and a tag), its
    keys deleted after; RQ's prefix too, as every process of the installation is started here."""
    import redis

    url = REDIS_TEST_URL
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001
        client.close()
        service_missing("Redis at " + url, type(exc).__name__)
    tag = f"install-{uuid.uuid4().hex[:8]}"
    names = {**redis_names(tag), "RQ_KEY_PREFIX": namespaced(f"{tag}-rq")}
    try:
        yield url, names
    finally:
        delete_run_keys(client, namespaced(tag))
        client.close()


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    server = SMTPServer().start()
    yield server
    server.stop()


class Processes:
    """Every process the test starts, stopped (and waited for) at the end."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, command: list[str], **kw) -> subprocess.Popen:
        out = (self.logs / f"{name}.log").open("wb")
        try:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, **kw)
        finally:
            out.close()
        self.running.append((name, process))
        return process

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def wait_listening(self, name: str, port: int) -> None:
        process = dict(self.running)[name]
        if wait_until(listens(port), process, STARTUP_SECONDS, interval=0.2):
            return
        if process.poll() is not None:
            pytest.fail(f"{name} exited with {process.returncode}:\n{self.log(name)[-3000:]}")
        pytest.fail(f"{name} did not listen on {port}:\n{self.log(name)[-3000:]}")

    def stop_all(self) -> None:
        for _name, process in reversed(self.running):
            if process.poll() is None:
                process.send_signal(signal.SIGQUIT if _name == "nginx" else signal.SIGTERM)
        for _name, process in reversed(self.running):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def processes(base) -> Iterator[Processes]:
    logs = base / "logs"
    logs.mkdir()
    running = Processes(logs)
    try:
        yield running
    finally:
        running.stop_all()


def _copy_source(target: Path) -> None:
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if not source.is_file() or name.startswith(("instance/", "bench/results/")):
            continue
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def _read_env_file(path: Path) -> dict[str, str]:
    """As systemd's EnvironmentFile reads it: NAME=value lines, comments skipped."""
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def _clean_environment() -> dict[str, str]:
    """The operator's shell: PATH and HOME, none of this test run's settings."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PIP_CACHE_DIR", "PIP_INDEX_URL",
            "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "http_proxy", "https_proxy", "no_proxy")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _exec_start(unit: Path, port: int) -> list[str]:
    line = next(x for x in unit.read_text().splitlines() if x.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart=").replace("%i", str(port)))


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, html[:2000]
    return match.group(1)


def test_readme_install_then_login_upload_and_download_through_nginx(
        base, database, redis_prefix, smtp, processes):
    import requests

    app_dir = base / "app"
    _copy_source(app_dir)
    cert, key = _certificate(base)
    redis_url, redis_settings = redis_prefix
    nginx_port = free_port()
    page_ports, chat_ports = [free_port(), free_port()], [free_port(), free_port()]
    public = f"https://localhost:{nginx_port}"

    # Once, as root (README): the storage folder with nginx's group, and the environment file.
    storage_dir = base / "storage"
    subprocess.run(["install", "-d", "-g", WEB_GROUP, "-m", "0750", str(storage_dir)], check=True)
    env_file = base / "env"
    env_file.write_text("\n".join(f"{k}={v}" for k, v in {
        "NETWORK_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": database, "REDIS_URL": redis_url, "PUBLIC_BASE_URL": public,
        "SOCKETIO_ALLOWED_ORIGINS": public, "PROXY_COUNT": "1", "STORAGE_DIR": str(storage_dir),
        "STORAGE_GROUP": WEB_GROUP, "X_ACCEL_REDIRECT_PREFIX": "/protected-files/",
        **redis_settings,
        "MAIL_TRANSPORT": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port),
        "MAIL_FROM": "natverket@kommun.se", "DEPLOY_ENV_FILE": str(env_file),
        "DEPLOY_APP_DIR": str(app_dir), "DEPLOY_USER": "root",
        "DEPLOY_PAGE_PORTS": ",".join(map(str, page_ports)),
        "DEPLOY_CHAT_PORTS": ",".join(map(str, chat_ports)),
        "DEPLOY_LISTEN": f"127.0.0.1:{nginx_port}", "DEPLOY_TLS_CERT": str(cert),
        "DEPLOY_TLS_KEY": str(key),
    }.items()) + "\n")

    # README's install block, literally.
    shell = _clean_environment()
    shell["DEPLOY_ENV_FILE"] = str(env_file)
    installed = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", _install_block()], cwd=app_dir, env=shell,
        input=f"{ADMIN_EMAIL}\nSamordnare Provsson\n{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n",
        capture_output=True, text=True, timeout=1800)
    assert installed.returncode == 0, installed.stdout[-4000:] + installed.stderr[-4000:]
    assert "[FEL]" not in installed.stdout and "Redo för produktion." in installed.stdout
    pip_list = subprocess.run([str(app_dir / ".venv/bin/pip"), "list", "--format=freeze"],
                              capture_output=True, text=True, check=True).stdout.lower()
    assert "pytest" not in pip_list and "ruff" not in pip_list and "playwright" not in pip_list
    editable = subprocess.run([str(app_dir / ".venv/bin/pip"), "list", "--editable",
                               "--format=freeze"], capture_output=True, text=True, check=True)
    assert "network" not in editable.stdout.lower()  # a regular install, not an editable one

    # The deployment files, from the app.
    service_env = {**_clean_environment(), **_read_env_file(env_file)}
    flask = [str(app_dir / ".venv/bin/flask"), "--app", "network"]
    site = subprocess.run([*flask, "deploy-config", "nginx"], cwd=app_dir, env=service_env,
                          capture_output=True, text=True, check=True).stdout
    units = base / "units"
    subprocess.run([*flask, "deploy-config", "systemd", "--out", str(units)], cwd=app_dir,
                   env=service_env, capture_output=True, check=True)

    for port in page_ports:
        processes.start(f"page-{port}", _exec_start(units / "network-page@.service", port),
                        cwd=app_dir, env=service_env)
    for port in chat_ports:
        processes.start(f"chat-{port}", _exec_start(units / "network-chat@.service", port),
                        cwd=app_dir, env=service_env)
    processes.start("worker", _exec_start(units / "network-worker.service", 0), cwd=app_dir,
                    env=service_env)
    prefix_dir = base / "nginx"
    prefix_dir.mkdir()
    (prefix_dir / "site.conf").write_text(site)
    temp_paths = "".join(f"    {kind}_temp_path {prefix_dir}/{kind};\n"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (prefix_dir / "nginx.conf").write_text(
        f"user {WEB_USER} {WEB_GROUP};\nworker_processes 1;\npid {prefix_dir}/nginx.pid;\n"
        f"error_log {processes.logs}/nginx-error.log warn;\n"
        f"events {{ worker_connections 256; }}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        # Which chat process each route cookie reached (tests/deploy/nginx_chat.py reads it).
        "    log_format upstream '$remote_addr \"$request\" $status route=$network_chat_route '\n"
        "                        'upstream=$upstream_addr';\n"
        f"    access_log {processes.logs}/nginx-access.log upstream;\n{temp_paths}"
        f"    include {prefix_dir}/site.conf;\n}}\n")
    processes.start("nginx", [NGINX, "-p", str(prefix_dir), "-c", str(prefix_dir / "nginx.conf"),
                              "-g", "daemon off;"])
    for port in page_ports:
        processes.wait_listening(f"page-{port}", port)
    for port in chat_ports:
        processes.wait_listening(f"chat-{port}", port)
    processes.wait_listening("nginx", nginx_port)

    web = requests.Session()
    web.verify = str(cert)
    web.trust_env = False  # REQUESTS_CA_BUNDLE would override verify, a proxy would intercept
    try:
        _use_the_site(web, public, database, storage_dir, processes, page_ports)
        _jobs_run_on_the_worker(web, public, smtp, processes)
    finally:
        with contextlib.suppress(Exception):
            web.post(f"{public}/logga-ut", headers={"Referer": public})
        web.close()

    # The doctor, green on the running instance with a stored file, then red on a broken one.
    checked = subprocess.run([*flask, "doctor"], cwd=app_dir, env=service_env,
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
    broken = {**service_env, "SOCKETIO_ALLOWED_ORIGINS": "https://elsewhere.example.se"}
    checked = subprocess.run([*flask, "doctor"], cwd=app_dir, env=broken,
                             capture_output=True, text=True)
    assert checked.returncode == 1
    assert f"Sätt SOCKETIO_ALLOWED_ORIGINS={public}" in checked.stdout

    # The chat through nginx on both chat processes, then one page and one chat process killed.
    chat_and_fail_over(public, cert, app_dir, service_env, processes, page_ports, chat_ports,
                       ADMIN_EMAIL, ADMIN_PASSWORD)


def _use_the_site(web, public: str, database: str, storage_dir: Path, processes: Processes,
                  page_ports: list[int]) -> None:
    static = web.get(f"{public}/favicon.ico")
    assert static.status_code == 200 and static.content[:4] == b"\x00\x00\x01\x00"
    polling = web.get(f"{public}/socket.io/", params={"EIO": "4", "transport": "polling"})
    assert polling.status_code == 200 and polling.text.startswith("0{"), polling.text[:200]

    # Log in through nginx on a non-default port: the CSRF referrer check sees the same host.
    form = web.get(f"{public}/logga-in")
    login = web.post(f"{public}/logga-in", allow_redirects=False,
                     headers={"Referer": f"{public}/logga-in"},
                     data={"csrf_token": _csrf(form.text), "email": ADMIN_EMAIL,
                           "password": ADMIN_PASSWORD})
    assert login.status_code == 302, login.text[:2000]

    form = web.get(f"{public}/bibliotek/ny")
    assert form.status_code == 200
    upload = web.post(
        f"{public}/bibliotek/ny", allow_redirects=False, headers={"Referer": f"{public}/bibliotek/ny"},
        data={"csrf_token": _csrf(form.text), "title": "Lägesbild Rosengård", "type": "metodstod",
              "group_id": "", "organisation_id": "", "language": "sv",
              "licence": "alla-rattigheter", "visibility": "members", "year": "2026"},
        files={"files": ("lagesbild.txt", CONTENT, "text/plain")})
    assert upload.status_code == 302, upload.text[:3000]

    engine = create_engine(database)
    try:
        def row():
            with engine.connect() as conn:
                return conn.execute(text("SELECT id, sha256, storage_key, download_count "
                                         "FROM resource_files")).one()

        file_id, sha256, key, count = row()
        assert count == 0
        stored = storage_dir / key[:2] / key[2:4] / key
        info = stored.stat()
        assert oct(info.st_mode & 0o777) == "0o640"

        download = web.get(f"{public}/bibliotek/fil/{file_id}")
        assert download.status_code == 200 and download.content == CONTENT
        headers = download.headers
        assert headers["ETag"] == f'"{sha256}"'
        assert headers["Content-Type"] == "text/plain; charset=utf-8"
        assert headers["Content-Disposition"].startswith("attachment")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert "X-Accel-Redirect" not in headers
        assert row()[3] == 1
        # The page process answered with headers only; nginx sent the bytes.
        path = f"GET /bibliotek/fil/{file_id} "
        app_lines = [line for port in page_ports for line in processes.log(f"page-{port}").splitlines()
                     if path in line]
        assert app_lines, "no page process logged the download"
        assert all(re.search(r'" 200 (0|-) "', line) for line in app_lines), app_lines

        again = web.get(f"{public}/bibliotek/fil/{file_id}", headers={"If-None-Match": headers["ETag"]})
        assert again.status_code == 304 and again.content == b""
        assert row()[3] == 1

        full = web.get(f"{public}/bibliotek/fil/{file_id}")
        assert full.status_code == 200 and full.content == CONTENT
        assert row()[3] == 2
    finally:
        engine.dispose()


def _jobs_run_on_the_worker(web, public: str, smtp: SMTPServer, processes: Processes) -> None:
    """What requests queue, README's worker unit does: the upload's text becomes searchable
    (a word only in the file, not in its title) and an invitation reaches the SMTP server."""
    worker = dict(processes.running)["worker"]

    def found(word: str, title: str):
        def check() -> bool:
            page = web.get(f"{public}/sok", params={"q": word})
            return page.status_code == 200 and title in page.text
        return check

    assert wait_until(found("kvartal", "Lägesbild Rosengård"), worker, STARTUP_SECONDS, 0.5), (
        "the upload's text never became searchable:\n" + processes.log("worker")[-3000:])

    form = web.get(f"{public}/bjud-in")
    assert form.status_code == 200
    invited = web.post(f"{public}/bjud-in", allow_redirects=False,
                       headers={"Referer": f"{public}/bjud-in"},
                       data={"csrf_token": _csrf(form.text), "email": "ny.medlem@kommun.se",
                             "organisation_id": "", "group_id": "", "group_role": "member"})
    assert invited.status_code == 302, invited.text[:2000]

    def delivered() -> bool:
        return any(m["To"] == "ny.medlem@kommun.se" for m in smtp.inbox.messages)

    assert wait_until(delivered, worker, STARTUP_SECONDS, 0.2), (
        "the invitation never reached SMTP:\n" + processes.log("worker")[-3000:])
    # The worker took both from the queue (RQ logs each job's description as it starts it).
    log = processes.log("worker")
    assert "resources.extract" in log and "outbox.deliver" in log, log[-3000:]
