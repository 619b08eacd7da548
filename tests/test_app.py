import sys
import types

from config import InsecureConfigurationError, load_config
from network import socketio_async_mode


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    try:
        load_config("production")
    except InsecureConfigurationError as exc:
        assert "SECRET_KEY" in str(exc)
    else:
        raise AssertionError("production started without a secret key")


def test_production_refuses_debug(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    try:
        load_config("production")
    except InsecureConfigurationError as exc:
        assert "debug" in str(exc)
    else:
        raise AssertionError("production started in debug mode")


def test_start_page_is_swedish_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'<html lang="sv">' in response.data
    assert "Hoppa till innehållet".encode() in response.data


def test_security_headers_are_set(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_healthz_reports_an_unreachable_database_as_503_json(tmp_path):
    from network import create_app

    missing = tmp_path / "no-such-dir" / "network.sqlite3"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{missing}",
                      "STORAGE_DIR": tmp_path / "storage"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unavailable"}
    with app.app_context():
        from network.extensions import db

        db.engine.dispose()


def test_socketio_uses_threads_unless_a_gevent_worker_patched_the_standard_library(monkeypatch):
    monkeypatch.delitem(sys.modules, "gevent.monkey", raising=False)
    assert socketio_async_mode() == "threading"
    imported_only = types.SimpleNamespace(is_module_patched=lambda name: False)
    monkeypatch.setitem(sys.modules, "gevent.monkey", imported_only)
    assert socketio_async_mode() == "threading"
    patched = types.SimpleNamespace(is_module_patched=lambda name: name == "socket")
    monkeypatch.setitem(sys.modules, "gevent.monkey", patched)
    assert socketio_async_mode() == "gevent"
