"""The member's profile and password change (network/accounts/views.py)."""

from __future__ import annotations

from sqlalchemy import select

from network.accounts.models import UserSession
from tests.accounts.conftest import post_login
from tests.factories import DEFAULT_PASSWORD

PROFILE = {"name": "Ny Namnsson", "email": "ny@example.se", "title": "Samordnare",
           "organisation_id": "", "phone": "070-123 45 67", "email_notifications": "daily",
           "locale": "en"}


def test_member_edits_their_profile(db, make, login):
    user = make.user()
    org = make.organisation(name="Örebro kommun")
    client = login(user)
    response = client.post("/profil", data={**PROFILE, "organisation_id": str(org.id)})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.email, user.title, user.phone) == (
        "Ny Namnsson", "ny@example.se", "Samordnare", "070-123 45 67")
    assert user.organisation_id == org.id
    assert user.email_notifications == "daily"
    assert user.locale == "en"
    assert b'<html lang="en">' in client.get("/profil").data


def test_profile_lists_my_groups(db, make, login):
    user = make.user()
    mine = make.group(name="Samverkansgrupp Vivalla", members=[user])
    make.group(name="Någon annans grupp")
    page = login(user).get("/profil")
    assert b"Samverkansgrupp Vivalla" in page.data
    assert "Någon annans grupp".encode() not in page.data
    assert f"/grupper/{mine.id}".encode() in page.data


def test_profile_refuses_a_duplicate_email(db, make, login):
    make.user(email="upptagen@example.se")
    user = make.user()
    response = login(user).post("/profil", data={**PROFILE, "email": "Upptagen@example.se"})
    assert response.status_code == 422
    assert b"Det finns redan ett konto med den e-postadressen." in response.data
    db.session.refresh(user)
    assert user.email != "upptagen@example.se"


def test_profile_refuses_a_malformed_email(db, make, login):
    user = make.user()
    response = login(user).post("/profil", data={**PROFILE, "email": "utan-snabel-a"})
    assert response.status_code == 422
    assert b"Det ser inte ut som en giltig e-postadress." in response.data


def test_profile_refuses_an_unknown_notification_preference(db, make, login):
    user = make.user()
    response = login(user).post("/profil", data={**PROFILE, "email_notifications": "hourly"})
    assert response.status_code == 422
    db.session.refresh(user)
    assert user.email_notifications == "immediately"


def test_phone_and_title_are_optional(db, make, login):
    user = make.user(title="Gammal titel", phone="08-1")
    response = login(user).post("/profil", data={**PROFILE, "title": "", "phone": ""})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.title == "" and user.phone == ""


def test_changing_password_needs_the_current_one(db, make, login):
    user = make.user()
    response = login(user).post("/profil/losenord", data={
        "current_password": "fel-fel-fel-fel", "password": "nytt-losenord-123",
        "confirm": "nytt-losenord-123"})
    assert response.status_code == 422
    assert "Det nuvarande lösenordet stämmer inte.".encode() in response.data


def test_changing_password_ends_other_sessions_but_keeps_this_one(app, db, make, client):
    user = make.user()
    db.session.commit()
    other = app.test_client()
    assert post_login(other, user.email).status_code == 302
    assert post_login(client, user.email).status_code == 302
    response = client.post("/profil/losenord", data={
        "current_password": DEFAULT_PASSWORD, "password": "nytt-losenord-123",
        "confirm": "nytt-losenord-123"})
    assert response.status_code == 302
    assert len(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()) == 1
    assert client.get("/profil").status_code == 200
    # The old cookie no longer logs in.
    assert other.get("/profil").status_code == 302
    assert post_login(other, user.email, "nytt-losenord-123").status_code == 302


def test_profile_pages_need_a_login(client):
    for url in ("/profil", "/profil/losenord", "/profil/radera", "/profil/mina-uppgifter.json"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/logga-in" in response.headers["Location"]
