"""Personal access tokens: made on the profile's token page, shown once, hashed, revocable."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from network.api import tokens
from network.api.models import ApiToken
from network.permissions import AccessDenied


def test_a_member_creates_a_token_that_is_shown_once_and_stored_hashed(login, world, db):
    browser = login(world.outsider)
    page = browser.post("/api/nycklar", data={"name": "Intranätet", "scopes": ["read", "write"],
                                              "days": "30"})
    assert page.status_code == 200
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == world.outsider.id))
    html = page.get_data(as_text=True)
    token = html.split('id="new-token" type="text" readonly value="', 1)[1].split('"', 1)[0]
    assert token.startswith("nwk_") and len(token) > 40
    assert row.token_hash != token and token not in row.token_hash
    assert row.scope_set == {"read", "write"}
    again = browser.get("/api/nycklar").get_data(as_text=True)
    assert token not in again and "Intranätet" in again
    assert browser.get("/api/v1/events", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_the_profile_page_links_to_the_tokens(login, world):
    assert "/api/nycklar" in login(world.outsider).get("/profil").get_data(as_text=True)


def test_only_programme_staff_may_ask_for_the_followup_scope(world, db):
    with pytest.raises(AccessDenied):
        tokens.create_token(world.outsider, name="x", scopes=["followup"], days=10)
    row, _token = tokens.create_token(world.admin, name="x", scopes=["followup"], days=10)
    assert row.scope_set == {"followup"}


def test_expiry_is_bounded(world, app):
    with pytest.raises(tokens.TokenError):
        tokens.create_token(world.outsider, name="x", scopes=["read"],
                            days=app.config["API_TOKEN_MAX_DAYS"] + 1)


def test_revoked_expired_and_unknown_tokens_are_refused(client, world, bearer, db):
    headers = bearer(world.outsider)
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == world.outsider.id))
    tokens.revoke_token(world.outsider, row)
    db.session.commit()
    revoked = client.get("/api/v1/events", headers=headers)
    assert revoked.status_code == 401 and "återkallats" in revoked.json["detail"]
    assert revoked.headers["WWW-Authenticate"].startswith("Bearer")

    expired = bearer(world.outsider)
    row = db.session.scalar(select(ApiToken).where(ApiToken.revoked_at.is_(None)))
    row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/events", headers=expired).json["detail"] == "Nyckeln har gått ut."

    unknown = client.get("/api/v1/events", headers={"Authorization": "Bearer nwk_" + "a" * 43})
    assert unknown.status_code == 401 and unknown.json["type"].endswith("/invalid-token")
    basic = client.get("/api/v1/events", headers={"Authorization": "Basic dTpw"})
    assert basic.status_code == 401


def test_a_token_in_the_query_string_is_refused_even_when_valid(client, world, bearer):
    token = bearer(world.outsider)["Authorization"].split()[1]
    for name in ("access_token", "token"):
        response = client.get("/api/v1/events", query_string={name: token})
        assert response.status_code == 400
        assert response.json["type"].endswith("/token-in-query")


def test_admins_revoke_anyones_token_and_members_only_their_own(login, world, bearer, db):
    bearer(world.insider)
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == world.insider.id))
    assert login(world.outsider).post(f"/api/nycklar/{row.id}/aterkalla").status_code == 404
    assert login(world.outsider).get("/api/nycklar/alla").status_code == 403
    admin = login(world.admin)
    assert "Inga Inne" in admin.get("/api/nycklar/alla").get_data(as_text=True)
    assert admin.post(f"/api/nycklar/{row.id}/aterkalla", data={"from": "all"}).status_code == 302
    db.session.refresh(row)
    assert row.revoked_at is not None and row.revoked_by_id == world.admin.id


def test_last_use_is_recorded_without_invalidating_cached_pages(client, world, bearer, db, app):
    headers = bearer(world.outsider)
    generation = app.extensions["network_cache"].generation.value()
    assert client.get("/api/v1/events", headers=headers).status_code == 200
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == world.outsider.id))
    db.session.refresh(row)
    assert row.last_used_at is not None
    assert app.extensions["network_cache"].generation.value() == generation
