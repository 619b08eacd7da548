"""``flask doctor`` on a production instance: green when ready, and each bad setting named with
its fix and a non-zero exit."""

from __future__ import annotations

import grp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from config import load_config
from network import create_app
from tests.notifications.smtp import SMTPServer

ROOT = Path(__file__).resolve().parents[2]
WEB_GROUP = "www-data"
SETTINGS = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "PUBLIC_BASE_URL", "SOCKETIO_ALLOWED_ORIGINS",
            "PROXY_COUNT", "STORAGE_DIR", "STORAGE_GROUP", "X_ACCEL_REDIRECT_PREFIX",
            "MAIL_TRANSPORT", "SMTP_HOST", "SMTP_PORT", "SESSION_COOKIE_SECURE", "FLASK_DEBUG",
            "NETWORK_ENV", "MAIL_FROM", "STORAGE_FILE_MODE", "STORAGE_DIR_MODE")


@pytest.fixture
def smtp():
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def storage_dir():
    try:
        gid = grp.getgrnam(WEB_GROUP).gr_gid
    except KeyError:
        pytest.skip(f"the group {WEB_GROUP} does not exist on this machine")
    base = Path(tempfile.mkdtemp(prefix="network-doctor-"))
    base.chmod(0o711)
    path = base / "storage"
    path.mkdir()
    os.chown(path, -1, gid)
    path.chmod(0o750)
    yield path
    shutil.rmtree(base)


@pytest.fixture
def production_env(monkeypatch, app_config, redis_url, smtp, storage_dir):
    """A ready production environment; a test breaks one setting of it."""
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    values = {
        "NETWORK_ENV": "production", "SECRET_KEY": "d" * 48,
        "DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": redis_url,
        "PUBLIC_BASE_URL": "https://natverket.example.se", "PROXY_COUNT": "1",
        "STORAGE_DIR": str(storage_dir), "STORAGE_GROUP": WEB_GROUP,
        "X_ACCEL_REDIRECT_PREFIX": "/protected-files/", "MAIL_TRANSPORT": "smtp",
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def doctor(*args: str):
    app = create_app(load_config("production", validate=False))
    try:
        return app.test_cli_runner().invoke(args=["doctor", *args])
    finally:
        with app.app_context():
            from network.extensions import db

            db.engine.dispose()


def test_a_ready_instance_is_green(production_env):
    result = doctor()
    assert result.exit_code == 0, result.output
    assert "[FEL]" not in result.output and "Redo för produktion." in result.output


def test_the_report_speaks_english_when_asked(production_env):
    production_env.delenv("SECRET_KEY")
    result = doctor("--lang", "en")
    assert result.exit_code == 1
    assert "[FAIL] Secret key: SECRET_KEY is missing" in result.output and "Fix: " in result.output


def test_a_missing_secret_is_named_with_its_fix(production_env):
    production_env.delenv("SECRET_KEY")
    result = doctor()
    assert result.exit_code == 1
    assert "SECRET_KEY saknas" in result.output
    assert "secrets.token_urlsafe(48)" in result.output


def test_a_storage_folder_the_web_server_cannot_read(production_env, storage_dir):
    storage_dir.chmod(0o700)
    result = doctor()
    assert result.exit_code == 1
    assert f"Webbserverns grupp {WEB_GROUP} kan inte läsa {storage_dir}" in result.output
    assert f"chmod -R g+rX,o-rwx {storage_dir}" in result.output


def test_a_storage_folder_behind_a_closed_parent(production_env, storage_dir):
    storage_dir.parent.chmod(0o700)
    result = doctor()
    assert result.exit_code == 1
    assert f"chmod o+x {storage_dir.parent}" in result.output


def test_a_wrong_redis_url(production_env):
    production_env.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    result = doctor()
    assert result.exit_code == 1
    assert "redis://127.0.0.1:1/0 är inte nåbar" in result.output
    assert "Kontrollera REDIS_URL" in result.output


def test_a_database_behind_on_migrations(production_env, tmp_path):
    from flask_migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    old = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                      "STORAGE_DIR": tmp_path / "storage"})
    with old.app_context():
        upgrade(revision="0007_followup")
        from network.extensions import db

        db.engine.dispose()
    production_env.setenv("DATABASE_URL", url)
    result = doctor()
    assert result.exit_code == 1
    assert "Migrerad till 0007_followup" in result.output
    assert "flask --app network db upgrade" in result.output


def test_origins_that_leave_out_the_public_address(production_env):
    production_env.setenv("SOCKETIO_ALLOWED_ORIGINS", "https://annan.example.se")
    result = doctor()
    assert result.exit_code == 1
    assert "SOCKETIO_ALLOWED_ORIGINS (https://annan.example.se) innehåller inte " \
           "https://natverket.example.se" in result.output
    assert "Sätt SOCKETIO_ALLOWED_ORIGINS=https://natverket.example.se" in result.output


def test_origins_without_a_public_base_url(production_env):
    production_env.delenv("PUBLIC_BASE_URL")
    production_env.setenv("SOCKETIO_ALLOWED_ORIGINS", "https://natverket.example.se")
    result = doctor()
    assert result.exit_code == 1
    assert "PUBLIC_BASE_URL är http://127.0.0.1:5000" in result.output
    assert "Sätt PUBLIC_BASE_URL" in result.output


def test_console_mail_and_plain_http_cookies_in_production(production_env):
    production_env.setenv("MAIL_TRANSPORT", "console")
    production_env.setenv("SESSION_COOKIE_SECURE", "0")
    result = doctor()
    assert result.exit_code == 1
    assert "MAIL_TRANSPORT=console" in result.output
    assert "SESSION_COOKIE_SECURE=0" in result.output


def _flask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "network", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


def test_commands_refuse_an_environment_that_was_not_loaded_and_the_doctor_says_why(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env.update(NETWORK_ENV="production", SECRET_KEY="s" * 48,
               NETWORK_INSTANCE_DIR=str(tmp_path / "instance"))
    upgrade = _flask(env, "db", "upgrade")
    assert upgrade.returncode != 0 and "DATABASE_URL must be set" in upgrade.stderr
    assert not (tmp_path / "instance" / "network.sqlite3").exists()

    env["NETWORK_ENV"] = "development"
    checked = _flask(env, "doctor")
    assert checked.returncode == 1
    assert "NETWORK_ENV är development, inte production" in checked.stdout
    assert "set -a && . /etc/network/env && set +a" in checked.stdout


def test_only_the_flask_doctor_command_skips_the_refusal():
    from network.deploy import doctor_requested

    assert doctor_requested(["/srv/network/app/.venv/bin/flask", "--app", "network", "doctor"])
    assert doctor_requested(["/usr/lib/python3/site-packages/flask/__main__.py", "doctor"])
    assert not doctor_requested(["/srv/network/app/.venv/bin/flask", "--app", "network", "run"])
    assert not doctor_requested(["/srv/network/app/.venv/bin/gunicorn", "wsgi:app"])
    assert not doctor_requested(["pytest", "-k", "doctor"])
