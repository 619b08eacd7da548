"""A live server and headless Chromium (Debian's, driven by Playwright) for browser tests.

Playwright's own browser download does not work here, so the system Chromium is used. Without
it the tests skip with the reason, except in CI (CI=true), where a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from network import create_app
from network.extensions import db as _db
from tests.browser.server import serving
from tests.conftest import IN_CI, backend, make_config

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), shutil.which("chromium"),
                      shutil.which("chromium-browser"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if path is None:
        message = "no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)"
        if IN_CI:
            pytest.fail(message + "; CI=true requires the browser tests to run", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def app_config(database_template, tmp_path):
    """A file database (the server's threads and the test share it) and CSRF on, as deployed."""
    if backend() == "postgres":
        pytest.skip("browser tests run on SQLite (the PostgreSQL pass runs -m 'not browser')")
    path = tmp_path / "live.sqlite3"
    shutil.copyfile(database_template, path)
    return make_config(f"sqlite:///{path}", tmp_path, WTF_CSRF_ENABLED=True)


@pytest.fixture
def live_server(app):
    """The app served on 127.0.0.1 at a port the OS picks, in a thread; yields its base URL."""
    server_app = create_app(dict(app.config))
    try:
        with serving(server_app, "live-server") as url:
            yield url
    finally:
        with server_app.app_context():
            _db.engine.dispose()
