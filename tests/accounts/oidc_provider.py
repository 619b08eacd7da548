"""A real OpenID Connect provider for the tests: panva's ``oidc-provider`` (npm) on loopback.

``tests/accounts/oidc/`` holds its package.json (the pinned version) and a small script. The
first run installs the package with npm into ``.venv/oidc-provider`` (kept, like axe-core in
``.venv/npm``); without Node or npm the tests skip with the reason, and with CI=true they fail.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import service_missing

SOURCE = Path(__file__).resolve().parent / "oidc"
INSTALL_DIR = Path(os.environ.get("OIDC_PROVIDER_DIR", Path(sys.prefix) / "oidc-provider"))
CLIENT_ID, CLIENT_SECRET = "network", "network-test-secret"
CALLBACK_PATH = "/logga-in/oidc/test/svar"


def _installed() -> Path:
    """The provider script beside its node_modules, installed (once) from the pinned package.json."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        service_missing("Node.js with npm", "node/npm not on PATH; apt-get install nodejs npm")
    INSTALL_DIR.mkdir(parents=True, exist_ok=True)
    wanted = json.loads((SOURCE / "package.json").read_text())["dependencies"]["oidc-provider"]
    installed = INSTALL_DIR / "node_modules" / "oidc-provider" / "package.json"
    if not installed.exists() or json.loads(installed.read_text())["version"] != wanted:
        shutil.copy(SOURCE / "package.json", INSTALL_DIR / "package.json")
        result = subprocess.run(["npm", "install", "--prefix", str(INSTALL_DIR), "--no-audit",
                                 "--no-fund", "--omit=dev"], capture_output=True, text=True,
                                timeout=600, check=False)
        if result.returncode != 0:
            service_missing(f"npm package oidc-provider@{wanted}", result.stderr.strip()[-500:])
    script, wanted_script = INSTALL_DIR / "provider.mjs", (SOURCE / "provider.mjs").read_bytes()
    if not script.exists() or script.read_bytes() != wanted_script:
        # Renamed into place: another test run on this machine may be starting node on it now.
        partial = script.with_name(f"provider.mjs.{os.getpid()}.tmp")
        partial.write_bytes(wanted_script)
        os.replace(partial, script)
    return script


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Provider:
    issuer: str
    port: int

    def settings(self, key: str = "test", **overrides) -> dict:
        """One entry of OIDC_PROVIDERS (as config.py parses it) for this provider."""
        config = {"key": key, "issuer": self.issuer, "client_id": CLIENT_ID,
                  "client_secret": CLIENT_SECRET, "name": "Kommunens inloggning",
                  "domains": ["kommun.example"], "create_accounts": False}
        config.update(overrides)
        return config

    def set_mode(self, **mode) -> None:
        """``badJwks=True``: publish a key that did not sign; ``codeTtl=0``: codes expire at once."""
        request = urllib.request.Request(self.issuer + "/__test/mode", method="POST",
                                         data=json.dumps(mode).encode())
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()


def start_provider() -> tuple[subprocess.Popen, Provider]:
    script = _installed()
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ISSUER": issuer, "PORT": str(port), "CLIENT_ID": CLIENT_ID,
           "CLIENT_SECRET": CLIENT_SECRET, "NODE_NO_WARNINGS": "1"}
    process = subprocess.Popen(["node", str(script)], cwd=script.parent, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in process.stdout:
            lines.put(line)
        lines.put("")  # the end: the process exited

    threading.Thread(target=read, daemon=True).start()
    output = []
    while True:
        try:
            line = lines.get(timeout=90)  # a loaded machine takes a while to start Node
        except queue.Empty:
            line = ""
        if line.startswith("ready"):
            return process, Provider(issuer, port)
        output.append(line)
        if not line:
            process.kill()
            process.wait()
            service_missing("the test OpenID provider", "".join(output)[-500:] or "no output")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.stdout.close()


@pytest.fixture(scope="session")
def oidc_provider():
    process, provider = start_provider()
    try:
        yield provider
    finally:
        stop(process)


@pytest.fixture
def provider(oidc_provider):
    """The session's provider, behaving normally again after the test."""
    yield oidc_provider
    oidc_provider.set_mode()


def sign_in_at_provider(start_location: str, account: str, app_root: str = "http://localhost") -> str:
    """Follow the provider's pages as a browser would and sign in as ``account``; returns the
    URL the provider sends the browser back to (the app's callback, with code and state)."""
    import requests

    with requests.Session() as http:
        location = start_location
        for _hop in range(10):
            if location.startswith(app_root):
                return location
            response = http.get(location, allow_redirects=False, timeout=30)
            if response.status_code == 200 and "/interaction/" in response.url:
                response = http.post(response.url, data={"login": account}, allow_redirects=False,
                                     timeout=30)
            assert response.status_code in (302, 303), (response.status_code, response.text[:300])
            location = requests.compat.urljoin(response.url, response.headers["Location"])
        raise AssertionError(f"no way back to {app_root} from the provider")


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")
