"""Server-side sessions (network/accounts/sessions.py) and "Mina sessioner"."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from network.accounts import sessions
from network.accounts.models import PasswordReset, UserSession
from network.db import utcnow
from network.permissions import AccessDenied
from tests.accounts.conftest import post_login
from tests.factories import DEFAULT_PASSWORD

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


def copy_cookies(source, target) -> None:
    for name in ("session", "remember_token"):
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value)


def rows(db, user):
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)))


def test_a_copied_cookie_stops_working_after_logout(app, db, make, client):
    user = make.user()
    db.session.commit()
    assert post_login(client, user.email).status_code == 302
    thief = app.test_client()
    copy_cookies(client, thief)
    assert thief.get("/profil").status_code == 200  # the copy works while the session lives
    assert client.post("/logga-ut").status_code == 302
    response = thief.get("/profil")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]
    assert rows(db, user) == []


def test_a_copied_remember_me_cookie_stops_working_after_logout(app, db, make, client):
    user = make.user()
    db.session.commit()
    assert post_login(client, user.email, remember="y").status_code == 302
    assert client.get_cookie("remember_token") is not None
    thief = app.test_client()
    thief.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert thief.get("/profil").status_code == 200
    client.post("/logga-ut")
    fresh_thief = app.test_client()
    fresh_thief.set_cookie("remember_token", thief.get_cookie("remember_token").value)
    assert fresh_thief.get("/profil").status_code == 302


def test_a_copied_cookie_stops_working_after_a_password_change_elsewhere(app, db, make, client):
    user = make.user()
    db.session.commit()
    post_login(client, user.email)
    thief = app.test_client()
    copy_cookies(client, thief)
    other_device = app.test_client()
    post_login(other_device, user.email)
    response = other_device.post("/profil/losenord", data={
        "current_password": DEFAULT_PASSWORD, "password": "nytt-losenord-123",
        "confirm": "nytt-losenord-123"})
    assert response.status_code == 302
    assert thief.get("/profil").status_code == 302
    assert client.get("/profil").status_code == 302
    assert other_device.get("/profil").status_code == 200


def test_a_password_reset_ends_every_session(app, db, make, client):
    from network.accounts import invitations

    user = make.user()
    db.session.commit()
    post_login(client, user.email)
    invitations.request_password_reset(user.email)
    db.session.commit()
    reset = db.session.scalars(select(PasswordReset)).one()  # the token itself is only mailed
    invitations.reset_password(reset, "ett-nytt-losenord-9")
    db.session.commit()
    assert client.get("/profil").status_code == 302
    assert rows(db, user) == []


def test_only_a_hash_of_the_cookie_key_is_stored(app, db, make):
    user = make.user()
    key = sessions.open_session(user, user_agent=FIREFOX_LINUX)
    db.session.commit()
    (row,) = rows(db, user)
    secret = key.removeprefix(sessions.KEY_PREFIX)
    assert row.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in row.key_hash
    assert sessions.load_user(key).id == user.id
    assert sessions.load_user(key + "x") is None
    assert sessions.load_user(f"{user.id}:oldstyletoken") is None


def test_an_expired_session_is_refused_and_purged(app, db, make, runner):
    user = make.user()
    key = sessions.open_session(user)
    live = sessions.open_session(make.user())
    db.session.commit()
    row = rows(db, user)[0]
    row.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    assert sessions.load_user(key) is None
    result = runner.invoke(args=["purge-sessions"])
    assert "1 utgångna sessioner borttagna." in result.output
    assert rows(db, user) == []
    assert sessions.load_user(live) is not None


def test_a_deactivated_member_is_not_signed_in(app, db, make, login):
    user = make.user()
    client = login(user)
    user.active = False
    db.session.commit()
    assert client.get("/profil").status_code == 302


def test_last_seen_is_written_at_most_every_few_minutes_and_keeps_the_cache(app, db, make, login):
    from network import cache

    user = make.user()
    client = login(user)
    row = rows(db, user)[0]
    long_ago = utcnow() - dt.timedelta(hours=1)
    row.last_seen_at = long_ago
    db.session.commit()
    generation = cache.generation()
    assert client.get("/profil").status_code == 200
    db.session.expire_all()
    seen = rows(db, user)[0].last_seen_at
    assert seen > long_ago
    assert cache.generation() == generation  # "last seen" invalidates no cached page
    assert client.get("/profil").status_code == 200
    db.session.expire_all()
    assert rows(db, user)[0].last_seen_at == seen  # not due again yet


def test_my_sessions_lists_devices_and_ends_another(app, db, make, client):
    user = make.user()
    db.session.commit()
    phone = app.test_client()
    phone.post("/logga-in", data={"email": user.email, "password": DEFAULT_PASSWORD},
               headers={"User-Agent": SAFARI_IPHONE})
    client.post("/logga-in", data={"email": user.email, "password": DEFAULT_PASSWORD},
                headers={"User-Agent": FIREFOX_LINUX})
    page = client.get("/profil/sessioner")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Safari på iOS" in text and "Firefox på Linux" in text
    assert "den här enheten" in text
    phone_row = next(r for r in rows(db, user) if "iPhone" in r.user_agent)
    response = client.post(f"/profil/sessioner/{phone_row.id}/avsluta")
    assert response.status_code == 302
    assert phone.get("/profil").status_code == 302
    assert client.get("/profil").status_code == 200


def test_ending_all_other_sessions_keeps_this_one(app, db, make, client):
    user = make.user()
    db.session.commit()
    others = [app.test_client() for _ in range(2)]
    for other in [*others, client]:
        post_login(other, user.email)
    response = client.post("/profil/sessioner/avsluta-andra", follow_redirects=True)
    assert "2 andra sessioner är avslutade." in response.get_data(as_text=True)
    assert [o.get("/profil").status_code for o in others] == [302, 302]
    assert client.get("/profil").status_code == 200


def test_someone_elses_session_is_not_found(app, db, make, login):
    owner, other = make.user(), make.user()
    sessions.open_session(owner)
    db.session.commit()
    row = rows(db, owner)[0]
    assert login(other).post(f"/profil/sessioner/{row.id}/avsluta").status_code == 404
    assert rows(db, owner) != []


def test_ending_a_session_is_refused_at_the_service_for_others(app, db, make):
    owner, other, admin = make.user(), make.user(), make.admin()
    sessions.open_session(owner)
    db.session.commit()
    row = rows(db, owner)[0]
    with pytest.raises(AccessDenied):
        sessions.end_session(other, row)
    assert rows(db, owner) != []
    sessions.end_session(admin, row)
    db.session.commit()
    assert rows(db, owner) == []


@pytest.mark.parametrize(("agent", "expected"), [
    (FIREFOX_LINUX, "Firefox på Linux"),
    (SAFARI_IPHONE, "Safari på iOS"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", "Edge på Windows"),
    ("", "Okänd enhet"),
])
def test_a_device_is_described_from_the_user_agent(app, agent, expected):
    with app.test_request_context():
        assert sessions.describe_device(agent).describe() == expected
