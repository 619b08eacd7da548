"""``/healthz?ready=1`` checks Redis and storage; logs carry the request's id; logging is set up
once per process, however many apps are built."""

from __future__ import annotations

import json
import logging

import pytest

from network import create_app
from network.deploy import logs


def test_liveness_stays_the_database_only(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


def test_readiness_checks_storage_and_redis(app_config, redis_url, tmp_path):
    (tmp_path / "storage").mkdir(exist_ok=True)
    app = create_app({**app_config, "REDIS_URL": redis_url})
    response = app.test_client().get("/healthz?ready=1")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok", "storage": "ok"}


@pytest.mark.parametrize("broken, field", [
    ({"REDIS_URL": "redis://127.0.0.1:1/0"}, "redis"),
    ({"STORAGE_DIR": "/nonexistent/storage"}, "storage"),
])
def test_readiness_fails_on_a_broken_dependency(app_config, tmp_path, broken, field):
    (tmp_path / "storage").mkdir(exist_ok=True)
    app = create_app({**app_config, **broken})
    response = app.test_client().get("/healthz?ready=1")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error" and body[field] == "unavailable"


def test_a_request_id_is_made_or_kept_and_returned(client):
    made = client.get("/healthz").headers["X-Request-Id"]
    assert len(made) == 32
    given = client.get("/healthz", headers={"X-Request-Id": "0123456789abcdef"})
    assert given.headers["X-Request-Id"] == "0123456789abcdef"
    odd = client.get("/healthz", headers={"X-Request-Id": "<script>"})
    assert odd.headers["X-Request-Id"] != "<script>"


def test_json_log_lines_carry_the_request_id(app):
    record = logging.LogRecord("network.test", logging.WARNING, __file__, 1, "Något hände %s",
                               ("här",), None)
    with app.test_request_context("/", headers={"X-Request-Id": "abcdef0123456789"}):
        app.preprocess_request()
        logs.RequestIdFilter().filter(record)
    line = json.loads(logs.JSONFormatter().format(record))
    assert line["message"] == "Något hände här" and line["request_id"] == "abcdef0123456789"
    assert line["level"] == "WARNING" and line["logger"] == "network.test"


def test_logging_is_configured_once_per_process(app_config):
    root = logging.getLogger()
    before = list(root.handlers)
    create_app(app_config)
    create_app(app_config)
    assert root.handlers == before


def test_production_logs_json_by_default(monkeypatch):
    from config import ProductionConfig

    monkeypatch.delenv("LOG_FORMAT", raising=False)
    assert ProductionConfig().LOG_FORMAT == "json"
