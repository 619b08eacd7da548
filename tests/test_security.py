"""Security baseline: CSRF on every POST route, response headers, cookies, production settings."""

from __future__ import annotations

import re
import uuid

import pytest
from werkzeug.routing import IntegerConverter, UUIDConverter

from config import InsecureConfigurationError, ProductionConfig, load_config
from network import create_app

# Routes that may accept a POST without a CSRF token, each with the reason. Keep it empty unless
# a route authenticates its caller some other way (e.g. a signed token in the URL).
CSRF_EXEMPT: dict[str, str] = {}

CSRF_MESSAGE = "Formuläret har gått ut eller saknar säkerhetskod"


@pytest.fixture
def app_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def _dummy(converter) -> str:
    if isinstance(converter, IntegerConverter):
        return "1"
    if isinstance(converter, UUIDConverter):
        return str(uuid.uuid4())
    items = getattr(converter, "items", None)
    if items:
        return sorted(items)[0]
    return "x"


def post_rules(app) -> list:
    return sorted(
        (rule for rule in app.url_map.iter_rules()
         if "POST" in (rule.methods or ()) and rule.endpoint not in CSRF_EXEMPT),
        key=lambda rule: rule.rule,
    )


def url_for_rule(rule) -> str:
    path = rule.rule
    for name, converter in rule._converters.items():
        path = re.sub(r"<(?:[^<>:]+:)?" + re.escape(name) + r"(?:\([^)]*\))?>", _dummy(converter), path)
        path = re.sub(r"<[^<>]*:" + re.escape(name) + r">", _dummy(converter), path)
    return path


def test_every_post_route_refuses_a_form_without_csrf_token(app, make, login):
    rules = post_rules(app)
    assert len(rules) >= 3, "the walk found too few POST routes to be meaningful"
    client = login(make.admin())
    accepted = []
    for rule in rules:
        url = url_for_rule(rule)
        if rule.endpoint.startswith("api."):
            # The JSON API writes only with a bearer token, never with the session cookie, so a
            # forged cross-site form has nothing to ride on: the logged-in session is refused.
            assert client.post(url, data={"title": "x"}).status_code in (401, 403, 404), url
            continue
        response = client.post(url, data={"title": "x", "body": "x", "email": "a@example.se"})
        page = response.get_data(as_text=True)
        if response.status_code != 400 or CSRF_MESSAGE not in page:
            accepted.append(f"{rule.endpoint} {url} -> {response.status_code}")
    assert accepted == [], "POST routes that did not refuse a missing CSRF token:\n" + "\n".join(accepted)


def test_visitors_posting_without_token_get_the_swedish_400_page(client):
    response = client.post("/logga-in", data={"email": "a@example.se", "password": "x"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert CSRF_MESSAGE in page
    assert '<html lang="sv">' in page


def test_a_form_with_its_token_is_accepted(client):
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/sprak", data={"csrf_token": token, "lang": "en", "next": "/"})
    assert response.status_code == 302


def test_token_from_another_session_is_refused(app, client):
    other = app.test_client()
    page = other.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.get("/")
    response = client.post("/sprak", data={"csrf_token": token, "lang": "en"})
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/", "/logga-in", "/finns-inte", "/healthz", "/static/css/site.css"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    response.close()  # a static file response holds the file open until closed
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_scripts_or_styles(client, make, login):
    for page in (client.get("/").get_data(as_text=True),
                 login(make.user()).get("/").get_data(as_text=True)):
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "inline <script>"
        assert "<style" not in page and " style=" not in page
        assert not re.search(r"\son[a-z]+=", page), "inline event handler"


def test_session_cookie_is_httponly_and_samesite_lax(client):
    client.get("/logga-in")  # the login form puts a CSRF token in the session
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only and cookie.same_site == "Lax"


@pytest.fixture
def production_app(monkeypatch, app_config):
    monkeypatch.setenv("SECRET_KEY", "p" * 48)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://natverket.example.se")
    monkeypatch.setenv("DATABASE_URL", app_config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("STORAGE_DIR", str(app_config["STORAGE_DIR"]))
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    return create_app(load_config("production"))


def test_production_cookies_are_secure(production_app):
    assert isinstance(production_app.config["SESSION_COOKIE_SECURE"], bool)
    assert production_app.config["REMEMBER_COOKIE_SECURE"] is True
    client = production_app.test_client()
    response = client.get("/logga-in", base_url="https://natverket.example.se")
    set_cookie = response.headers["Set-Cookie"]
    assert "Secure" in set_cookie and "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_production_is_not_in_debug_or_testing_mode(production_app):
    assert not production_app.debug and not production_app.testing
    assert production_app.config["WTF_CSRF_ENABLED"] is not False


@pytest.mark.parametrize("env, problem", [
    ({}, "SECRET_KEY"),
    ({"SECRET_KEY": "too-short"}, "SECRET_KEY"),
    ({"SECRET_KEY": "s" * 48, "FLASK_DEBUG": "1"}, "debug"),
])
def test_production_refuses_to_start_with_insecure_settings(monkeypatch, env, problem):
    for name in ("SECRET_KEY", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(InsecureConfigurationError, match=problem):
        load_config("production")
    with pytest.raises(InsecureConfigurationError):
        ProductionConfig().validate()


def test_unknown_environment_name_is_refused():
    with pytest.raises(InsecureConfigurationError, match="NETWORK_ENV"):
        load_config("staging-ish")


def test_behind_a_proxy_the_client_address_and_scheme_come_from_x_forwarded(app_config):
    app = create_app(dict(app_config, PROXY_COUNT=1))
    seen = {}

    @app.get("/test/whoami")
    def whoami():
        from flask import request

        seen.update(addr=request.remote_addr, scheme=request.scheme)
        return "ok"

    app.test_client().get("/test/whoami", headers={
        "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
    assert seen == {"addr": "203.0.113.7", "scheme": "https"}


def test_without_a_proxy_setting_forwarded_headers_are_not_trusted(app):
    seen = {}

    @app.get("/test/whoami")
    def whoami():
        from flask import request

        seen.update(addr=request.remote_addr)
        return "ok"

    app.test_client().get("/test/whoami", headers={"X-Forwarded-For": "203.0.113.7"})
    assert seen["addr"] != "203.0.113.7"
