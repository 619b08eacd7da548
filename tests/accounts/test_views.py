"""Signing in and out: generic errors, throttling, cookies (network/accounts/views.py)."""

from __future__ import annotations

import pytest

from tests.accounts.conftest import post_login, without_csrf


def test_member_logs_in_and_reaches_the_start_page(client, make, db):
    user = make.user(name="Anna Berg")
    db.session.commit()
    response = post_login(client, user.email)
    assert response.status_code == 302
    page = client.get("/")
    assert "Välkommen, Anna Berg".encode() in page.data


def test_login_next_only_follows_local_paths(client, make, db):
    user = make.user()
    db.session.commit()
    response = post_login(client, user.email, next="https://evil.example/")
    assert response.headers["Location"] == "/"


def test_wrong_password_and_unknown_email_get_the_same_generic_answer(client, make, db):
    user = make.user(email="finns@example.se")
    db.session.commit()
    wrong = post_login(client, user.email, "fel-losenord-123")
    unknown = post_login(client, "finns-inte@example.se", "fel-losenord-123")
    assert wrong.status_code == unknown.status_code == 401
    message = "Fel e-postadress eller lösenord.".encode()
    assert message in wrong.data and message in unknown.data
    assert _comparable(wrong.data, b"finns@example.se") == _comparable(
        unknown.data, b"finns-inte@example.se")


def _comparable(body: bytes, email: bytes) -> bytes:
    """The page without the echoed address and the per-request CSRF tokens."""
    return without_csrf(body.replace(email, b"X"))


def test_malformed_email_gets_a_form_message(client):
    response = post_login(client, "inte-en-adress", "något")
    assert response.status_code == 401
    assert b"Det ser inte ut som en giltig e-postadress." in response.data
    assert b'aria-invalid="true"' in response.data


def test_deleted_or_inactive_accounts_cannot_log_in(client, make, db):
    user = make.user()
    user.active = False
    db.session.commit()
    response = post_login(client, user.email)
    assert response.status_code == 401


def test_session_cookie_is_httponly_and_samesite_lax(client, make, db):
    user = make.user()
    db.session.commit()
    response = post_login(client, user.email, remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies
    for cookie in cookies:
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


def test_logout_ends_the_session(client, make, db):
    user = make.user()
    db.session.commit()
    post_login(client, user.email)
    assert client.post("/logga-ut").status_code == 302
    assert client.get("/profil").status_code == 302


def test_sixth_failed_attempt_for_one_account_gets_the_swedish_429_page(client, make, db):
    user = make.user()
    db.session.commit()
    for _ in range(5):
        assert post_login(client, user.email, "fel-losenord-123").status_code == 401
    response = post_login(client, user.email, "fel-losenord-123")
    assert response.status_code == 429
    assert "För många försök".encode() in response.data
    # Even the right password waits until the window has passed.
    assert post_login(client, user.email).status_code == 429


def test_a_successful_login_does_not_count_towards_the_limit(client, make, db):
    user = make.user()
    db.session.commit()
    for _ in range(4):
        assert post_login(client, user.email, "fel-losenord-123").status_code == 401
    assert post_login(client, user.email).status_code == 302
    client.post("/logga-ut")
    # Had the success counted, this fifth failure would already be refused.
    assert post_login(client, user.email, "fel-losenord-123").status_code == 401
    assert post_login(client, user.email, "fel-losenord-123").status_code == 429


def test_account_limit_ignores_email_case_and_spaces(client, make, db):
    make.user(email="case@example.se")
    db.session.commit()
    for variant in ["case@example.se", "CASE@example.se", " Case@Example.se", "case@EXAMPLE.se",
                    "case@example.SE"]:
        post_login(client, variant, "fel-losenord-123")
    assert post_login(client, "case@example.se", "fel-losenord-123").status_code == 429


class TestPerIpLimit:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["LOGIN_LIMIT_PER_IP"] = "8 per 15 minutes"
        return app_config

    def test_other_accounts_from_the_same_ip_are_allowed_until_the_ip_limit(self, client, make, db):
        first, second, third = make.user(), make.user(), make.user()
        db.session.commit()
        for _ in range(5):
            post_login(client, first.email, "fel-losenord-123")
        assert post_login(client, first.email, "fel-losenord-123").status_code == 429
        # The refused attempt is not a failed login: the IP has used 5 of its 8.
        assert post_login(client, second.email, "fel-losenord-123").status_code == 401
        assert post_login(client, second.email, "fel-losenord-123").status_code == 401
        assert post_login(client, third.email, "fel-losenord-123").status_code == 401
        response = post_login(client, third.email, "fel-losenord-123")
        assert response.status_code == 429
        assert "För många försök".encode() in response.data

    def test_another_ip_is_not_affected(self, client, make, db):
        user, other = make.user(), make.user()
        db.session.commit()
        for n in range(8):
            post_login(client, f"x{n}@example.se", "fel-losenord-123")
        assert post_login(client, other.email, "fel-losenord-123").status_code == 429
        response = client.post("/logga-in", data={"email": user.email, "password": "x"},
                               environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert response.status_code == 401
