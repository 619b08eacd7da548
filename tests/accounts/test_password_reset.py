"""Password reset by emailed token (network/accounts/invitations.py and its views)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from network.accounts.models import PasswordReset
from network.accounts.tokens import hash_token
from tests.accounts.conftest import link_in, post_login, without_csrf

NEW = {"password": "ett-helt-nytt-losenord", "confirm": "ett-helt-nytt-losenord"}


def _request(client, email):
    return client.post("/glomt-losenord", data={"email": email})


def test_reset_link_sets_a_new_password_and_ends_every_session(app, db, make, client, mail):
    user = make.user(email="glomsk@example.se")
    db.session.commit()
    other_device = app.test_client()
    assert post_login(other_device, user.email).status_code == 302

    assert _request(client, "Glomsk@example.se").status_code == 200
    [message] = mail.deliver()
    assert message["To"] == "glomsk@example.se"
    path = link_in(message, "/aterstall-losenord/")
    assert client.get(path).status_code == 200
    assert client.post(path, data=NEW).status_code == 302

    # The other device's cookie no longer logs in.
    assert other_device.get("/profil").status_code == 302
    assert post_login(client, user.email).status_code == 401
    assert post_login(client, user.email, NEW["password"]).status_code == 302


def test_reset_answer_is_the_same_whether_or_not_the_email_exists(db, make, client, mail):
    make.user(email="finns@example.se")
    db.session.commit()
    known = _request(client, "finns@example.se")
    unknown = _request(client, "finns-inte@example.se")
    assert known.status_code == unknown.status_code == 200
    assert without_csrf(known.data) == without_csrf(unknown.data)
    assert [m["To"] for m in mail.deliver()] == ["finns@example.se"]


def test_reset_token_is_stored_hashed_and_lasts_two_hours(db, make, client, mail):
    user = make.user()
    db.session.commit()
    _request(client, user.email)
    token = link_in(mail.deliver()[0], "/aterstall-losenord/").rsplit("/", 1)[1]
    reset = db.session.scalar(select(PasswordReset))
    assert reset.token_hash == hash_token(token)
    assert dt.timedelta(hours=2) - dt.timedelta(minutes=1) < reset.expires_at - reset.created_at \
        <= dt.timedelta(hours=2)


def test_reset_link_works_only_once(db, make, client, mail):
    user = make.user()
    db.session.commit()
    _request(client, user.email)
    path = link_in(mail.deliver()[0], "/aterstall-losenord/")
    assert client.post(path, data=NEW).status_code == 302
    again = client.post(path, data={"password": "tredje-losenordet", "confirm": "tredje-losenordet"})
    assert again.status_code == 410
    assert "Länken har redan använts".encode() in again.data
    assert post_login(client, user.email, NEW["password"]).status_code == 302


def test_expired_reset_link_gives_a_clear_page(db, make, client, mail):
    user = make.user()
    db.session.commit()
    _request(client, user.email)
    path = link_in(mail.deliver()[0], "/aterstall-losenord/")
    reset = db.session.scalar(select(PasswordReset))
    reset.expires_at = reset.expires_at - dt.timedelta(hours=3)
    db.session.commit()
    response = client.post(path, data=NEW)
    assert response.status_code == 410
    assert "Länken har gått ut".encode() in response.data


def test_unknown_reset_token_gives_a_clear_page(client):
    response = client.get("/aterstall-losenord/okand")
    assert response.status_code == 404
    assert "Länken hittades inte".encode() in response.data


def test_using_one_reset_link_spends_the_others(db, make, client, mail):
    user = make.user()
    db.session.commit()
    _request(client, user.email)
    _request(client, user.email)
    first, second = (link_in(m, "/aterstall-losenord/") for m in mail.deliver())
    assert client.post(second, data=NEW).status_code == 302
    assert client.get(first).status_code == 410


def test_malformed_email_on_the_reset_form_gets_a_form_message(client, mail):
    response = _request(client, "inte@")
    assert response.status_code == 422
    assert b"Det ser inte ut som en giltig e-postadress." in response.data
    assert mail.deliver() == []
