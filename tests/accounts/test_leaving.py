"""Leaving without breaking things: successors for groups, and what the data export holds."""

from __future__ import annotations

import json

from sqlalchemy import select

from network.accounts import members, privacy
from network.accounts.models import Membership, User
from network.chat import services as chat
from tests.accounts.conftest import post_login
from tests.factories import DEFAULT_PASSWORD

DELETE = {"password": DEFAULT_PASSWORD, "confirm": "y"}


def test_deleting_the_last_facilitators_account_asks_who_takes_over(db, make, login):
    fac, bo = make.user(name="Fia"), make.user(name="Bo Berg")
    group = make.group(name="Vivalla", members=[bo], facilitators=[fac])
    client = login(fac)
    page = client.get("/profil/radera").get_data(as_text=True)
    assert "Du är ensam samordnare för Vivalla. Vem tar över?" in page and "Bo Berg" in page
    response = client.post("/profil/radera", data=DELETE)
    assert response.status_code == 422
    assert "Välj vem som tar över som samordnare för Vivalla" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, fac.id).deleted_at is None
    response = client.post("/profil/radera", data={**DELETE, f"successor-{group.id}": str(bo.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, fac.id).deleted_at is not None
    assert db.session.get(Membership, (group.id, bo.id)).role == "facilitator"


def test_a_group_with_other_facilitators_needs_no_successor(db, make):
    fac, other = make.user(), make.user()
    make.group(facilitators=[fac, other])
    assert members.groups_needing_successor(fac) == []
    privacy.delete_account(fac, DEFAULT_PASSWORD)
    db.session.commit()
    assert db.session.get(User, fac.id).deleted_at is not None


def test_the_data_export_holds_sessions_audit_about_me_and_chat_messages(app, db, make, login):
    admin, user = make.admin(), make.user(name="Lina Ek")
    group = make.group(facilitators=[user])
    room = chat.create_room(user, group, "Trygghetsrummet")
    chat.store_message(user, room, "Mitt inlägg i chatten", "2f1f5a5e-8a52-4d3e-9f5d-0b7f0e1c2a11")
    members.set_expertise(admin, user, ["grovt_vald"], {"grovt_vald"})
    db.session.commit()
    client = app.test_client()
    post_login(client, user.email)
    data = json.loads(client.get("/profil/mina-uppgifter.json").data)
    assert data["profile"]["expert_on"] == ["grovt_vald"]
    assert len(data["sessions"]) == 1 and data["sessions"][0]["last_seen_at"]
    assert "user.expertise" in [a["action"] for a in data["audit_log_about_me"]]
    assert [m["body"] for m in data["chat_messages"]] == ["Mitt inlägg i chatten"]
    assert data["chat_messages"][0]["room"] == "Trygghetsrummet"


def test_deleting_the_account_ends_every_session(app, db, make):
    user = make.user()
    db.session.commit()
    other = app.test_client()
    post_login(other, user.email)
    client = app.test_client()
    post_login(client, user.email)
    assert client.post("/profil/radera", data=DELETE).status_code == 302
    assert other.get("/profil").status_code == 302
    from network.accounts.models import UserSession

    assert db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all() == []
