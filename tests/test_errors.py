"""Error pages: the right status, in Swedish (or the chosen language), never a stack trace."""

from __future__ import annotations

import pytest
from flask import abort

from network.accounts.models import User
from network.extensions import db

SECRET_DETAIL = "hemlig-intern-detalj-4711"


@pytest.fixture
def app_config(app_config):
    # Unexpected errors are rendered as in production instead of failing the test run.
    app_config.update(PROPAGATE_TEST_ERRORS=False, MAX_CONTENT_LENGTH=4096,
                      LOGIN_LIMIT_PER_IP="100 per minute", LOGIN_LIMIT_PER_ACCOUNT="2 per minute")
    return app_config


@pytest.fixture
def app(app):
    """Routes that exist only in this test app, to reach each error from a view."""

    def forbidden():
        abort(403)

    def too_many():
        abort(429)

    def broken():
        # Something is written, then the view fails: nothing of it may be saved.
        db.session.add(User(email="halvklar@example.se", name="Halvklar"))
        db.session.flush()
        raise RuntimeError(SECRET_DETAIL)

    app.add_url_rule("/test/403", view_func=forbidden)
    app.add_url_rule("/test/429", view_func=too_many)
    app.add_url_rule("/test/500", view_func=broken)
    return app


def assert_swedish_error_page(response, status: int, title: str) -> str:
    assert response.status_code == status
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert f"<h1>{title}</h1>" in page
    assert f"Felkod: {status}" in page
    assert "Traceback" not in page and SECRET_DETAIL not in page and 'File "' not in page
    assert "Content-Security-Policy" in response.headers
    return page


def test_bad_request_400(client):
    response = client.post("/sprak", data={"lang": "klingon"})
    assert_swedish_error_page(response, 400, "Felaktig begäran")


def test_forbidden_403(client):
    assert_swedish_error_page(client.get("/test/403"), 403, "Åtkomst nekad")


def test_not_found_404(client):
    page = assert_swedish_error_page(client.get("/finns/inte"), 404, "Sidan hittades inte")
    assert 'href="/"' in page  # a way back


def test_method_not_allowed_405(client):
    response = client.get("/sprak")
    assert_swedish_error_page(response, 405, "Metoden är inte tillåten")
    assert "POST" in response.headers["Allow"]


def test_request_too_large_413(client):
    response = client.post("/logga-in", data={"email": "a@example.se", "password": "x" * 10_000})
    assert_swedish_error_page(response, 413, "Filen eller formuläret är för stort")


def test_too_many_requests_429(client):
    assert_swedish_error_page(client.get("/test/429"), 429, "För många försök")


def test_repeated_failed_logins_get_the_429_page(client, make):
    user = make.user(email="anna@example.se")
    db.session.commit()
    statuses = [client.post("/logga-in", data={"email": user.email, "password": "fel"}).status_code
                for _ in range(2)]
    assert statuses == [401, 401]
    response = client.post("/logga-in", data={"email": user.email, "password": "fel"})
    assert_swedish_error_page(response, 429, "För många försök")


def test_unexpected_error_500_shows_no_details_and_saves_nothing(client):
    response = client.get("/test/500")
    assert_swedish_error_page(response, 500, "Något gick fel")
    db.session.rollback()
    assert db.session.scalar(db.select(User).where(User.email == "halvklar@example.se")) is None


def test_error_page_follows_the_chosen_language(client):
    client.post("/sprak", data={"lang": "en", "next": "/"})
    page = client.get("/finns/inte").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Page not found" in page


def test_clients_asking_for_json_get_json_errors(client):
    response = client.get("/finns/inte", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"] == "Sidan hittades inte"
