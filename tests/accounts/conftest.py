"""Helpers for the accounts tests."""

from __future__ import annotations

import re

import pytest

from tests.accounts.oidc_provider import oidc_provider, provider  # noqa: F401 - fixtures
from tests.factories import DEFAULT_PASSWORD


def post_login(client, email, password=DEFAULT_PASSWORD, **extra):
    return client.post("/logga-in", data={"email": email, "password": password, **extra})


def without_csrf(body: bytes) -> bytes:
    """A page without its CSRF tokens, which carry a timestamp and so differ per second."""
    return re.sub(rb'name="csrf_token" value="[^"]*"', b"", body)


def link_in(message, path_prefix: str) -> str:
    """The path of the first link in an email that starts with ``path_prefix``."""
    body = message.get_content() if not message.is_multipart() else message.get_body(
        ("plain",)).get_content()
    match = re.search(r"http://localhost(" + re.escape(path_prefix) + r"[^\s]+)", body)
    assert match, f"no {path_prefix} link in: {body}"
    return match.group(1)


@pytest.fixture
def invitation(app, db, make):
    """``invitation(email=..., group=..., role=...)`` -> (Invitation, token), committed."""
    from network.accounts import invitations

    def _invite(email="ny.person@example.se", actor=None, **kw):
        actor = actor or make.admin()
        inv, token = invitations.invite(actor, email, **kw)
        db.session.commit()
        return inv, token

    return _invite


SESSION_STORES = ("database", "redis")


def use_session_store(request, app_config: dict, store: str) -> dict:
    """Point ``app_config`` at ``store`` ("database" or "redis", as ``SESSION_STORE``).

    The Redis variant is a scaled app (``REDIS_URL`` set) on the test Redis, under this run's own
    names (``REDIS_NAMES``, already in ``app_config``), which the ``redis_url`` fixture empties
    before and after the test.
    """
    if store == "database":
        return {**app_config, "SESSION_STORE": "database"}
    return {**app_config, "SESSION_STORE": "redis", "REDIS_URL": request.getfixturevalue("redis_url")}

