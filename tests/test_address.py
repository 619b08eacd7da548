"""Development works on any address; production needs PUBLIC_BASE_URL (network/address.py)."""

from __future__ import annotations

import pytest
import requests

from bench.harness import free_port
from config import InsecureConfigurationError, load_config
from network import create_app
from network.address import served_address
from tests.chat import live


@pytest.fixture
def development_server(tmp_path):
    """``flask run`` (what ``make run HOST=… PORT=…`` serves) on a free port, with no address
    settings at all: neither PUBLIC_BASE_URL nor SOCKETIO_ALLOWED_ORIGINS."""
    port = free_port()
    env = live.base_env(tmp_path, None, [port])
    for name in ("PUBLIC_BASE_URL", "SOCKETIO_ALLOWED_ORIGINS"):
        env.pop(name)
    info = live.prepare_database(env)
    server = live.Server(env, port, tmp_path / "server.log", kind="flask_run")
    clients: list[live.LiveClient] = []
    try:
        server.start()
        yield {"server": server, "info": info, "clients": clients}
    finally:
        for client in clients:
            client.close()
        server.stop()


def test_development_server_on_any_port_accepts_its_own_origin_and_links_to_itself(development_server):
    server, info = development_server["server"], development_server["info"]
    cookie = live.login_cookie(server.url, info["users"][0])
    client = live.LiveClient(server.url, cookie, info["room_id"])
    development_server["clients"].append(client)
    # As a browser on the served page sends it: the Origin header of the address served. Long
    # polling carries the headers as given (the websocket library would add an Origin of its own).
    client.sio.connect(server.url, headers={"Cookie": cookie, "Origin": server.url},
                       namespaces=["/chat"], transports=["polling"], wait_timeout=10)
    assert client.joined.wait(10), "join was not acknowledged"
    assert client.send("Hej från en annan port")["ok"]

    feed = requests.get(server.url + "/bibliotek/flode.atom", timeout=10).text
    assert f'href="{server.url}/bibliotek/' in feed
    assert ":5000" not in feed


def test_development_server_refuses_other_origins(development_server):
    server, info = development_server["server"], development_server["info"]
    cookie = live.login_cookie(server.url, info["users"][0])
    client = live.LiveClient(server.url, cookie, info["room_id"])
    development_server["clients"].append(client)
    with pytest.raises(Exception):  # noqa: B017 - the client raises its own ConnectionError
        client.sio.connect(server.url, headers={"Cookie": cookie, "Origin": "http://127.0.0.1:1"},
                           namespaces=["/chat"], transports=["polling"], wait_timeout=5)


def test_links_follow_the_address_each_request_reached(monkeypatch, app_config):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    config = dict(app_config, PUBLIC_BASE_URL_FROM_REQUEST=True, PUBLIC_BASE_URL="http://127.0.0.1:5000")
    app = create_app(config)
    client = app.test_client()
    feed = client.get("/bibliotek/flode.atom", base_url="http://192.0.2.7:5101").get_data(as_text=True)
    assert 'href="http://192.0.2.7:5101/bibliotek/' in feed


def test_invitation_emails_link_to_the_address_served(monkeypatch, app_config):
    from network.accounts.invitations import invite
    from network.extensions import db
    from network.outbox import OutboxEmail

    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    app = create_app(dict(app_config, PUBLIC_BASE_URL_FROM_REQUEST=True,
                          PUBLIC_BASE_URL="http://127.0.0.1:5000"))
    app.test_client().get("/", base_url="http://192.0.2.7:5101")
    with app.app_context():
        invite(None, "ny@example.se")
        body = db.session.query(OutboxEmail).one().body_text
        db.session.rollback()
        db.engine.dispose()
    assert "http://192.0.2.7:5101/inbjudan/" in body


def test_an_explicit_public_base_url_wins_in_development(monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://natverket.example.se/")
    monkeypatch.delenv("SOCKETIO_ALLOWED_ORIGINS", raising=False)
    config = load_config("development")
    assert config.PUBLIC_BASE_URL == "https://natverket.example.se"
    assert not config.PUBLIC_BASE_URL_FROM_REQUEST
    assert config.SOCKETIO_ALLOWED_ORIGINS == ["https://natverket.example.se"]


def test_development_without_settings_accepts_the_served_origin_only(monkeypatch):
    for name in ("PUBLIC_BASE_URL", "SOCKETIO_ALLOWED_ORIGINS"):
        monkeypatch.delenv(name, raising=False)
    config = load_config("development")
    assert config.PUBLIC_BASE_URL_FROM_REQUEST
    assert config.SOCKETIO_ALLOWED_ORIGINS is None  # Engine.IO: the request's own origin


def test_production_refuses_to_start_without_public_base_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 48)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://network@db.internal/network")
    with pytest.raises(InsecureConfigurationError, match="PUBLIC_BASE_URL"):
        load_config("production")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://natverket.example.se")
    config = load_config("production")
    assert config.SOCKETIO_ALLOWED_ORIGINS == ["https://natverket.example.se"]
    assert not config.PUBLIC_BASE_URL_FROM_REQUEST


@pytest.mark.parametrize("host, port, expected", [
    ("127.0.0.1", 5101, "http://127.0.0.1:5101"),
    ("0.0.0.0", 8000, "http://127.0.0.1:8000"),  # noqa: S104
    ("::1", 5000, "http://[::1]:5000"),
])
def test_served_address_names_a_reachable_url(host, port, expected):
    assert served_address(host, port) == expected
