"""GDPR: export and account deletion (network/accounts/privacy.py and its views)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from network.accounts import invitations, privacy, services
from network.accounts.models import FORMER_MEMBER_NAME, AuditLog, Invitation, Membership, User
from network.notifications.services import notify
from tests.accounts.conftest import post_login
from tests.factories import DEFAULT_PASSWORD


def test_member_downloads_their_data_as_json(db, make, login):
    user = make.user(name="Lina Ek", title="Samordnare", phone="070-1")
    group = make.group(name="Grovt våld", members=[user])
    invitations.invite(user, "kollega@example.se", group=group)
    services.audit(user, "group.member.add", group, user_id=99)
    notify(user, "test", "Nytt inlägg i Grovt våld", url="/x")
    other = make.user(name="Annan Person")
    notify(other, "test", "Inte din notis")
    response = login(user).get("/profil/mina-uppgifter.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["profile"]["name"] == "Lina Ek"
    assert data["profile"]["email"] == user.email
    assert data["profile"]["phone"] == "070-1"
    assert data["memberships"] == [
        {"group": "Grovt våld", "group_id": group.id, "role": "member",
         "since": data["memberships"][0]["since"]}]
    assert [i["email"] for i in data["invitations_sent"]] == ["kollega@example.se"]
    assert "group.member.add" in [a["action"] for a in data["audit_log"]]
    assert [n["title"] for n in data["notifications"]] == ["Nytt inlägg i Grovt våld"]
    assert "Annan Person" not in response.get_data(as_text=True)


def test_features_add_their_personal_data_to_export_and_delete(app, db, make, login):
    erased = []
    privacy.register_personal_data(app, "forum_drafts", lambda u: [{"draft": "hej"}],
                                   lambda u: erased.append(u.email))
    user = make.user(email="utkast@example.se")
    client = login(user)
    data = json.loads(client.get("/profil/mina-uppgifter.json").data)
    assert data["forum_drafts"] == [{"draft": "hej"}]
    client.post("/profil/radera", data={"password": DEFAULT_PASSWORD, "confirm": "y"})
    # Erase hooks run while the account still has its email.
    assert erased == ["utkast@example.se"]


def test_registering_the_same_name_twice_is_a_programming_error(app):
    with pytest.raises(ValueError):
        privacy.register_personal_data(app, "profile", lambda u: {}, lambda u: None)


def test_deleting_the_account_anonymises_it_and_keeps_what_they_wrote(app, db, make, login, client):
    from network.fulltext import SearchEntry, index_entry

    user = make.user(name="Olle Ås", title="Polis", phone="08-1")
    group = make.group(members=[user])
    invitations.invite(user, "vantande@example.se", group=group)
    services.audit(user, "group.update", group)
    # Something the user authored, owned by another feature: it must survive.
    index_entry("forum_post", 1, title="Olles inlägg", body="text", url="/p/1",
                visibility="members", group_id=group.id)
    notify(user, "test", "Notis")
    db.session.commit()
    user_id, email = user.id, user.email

    response = login(user).post("/profil/radera", data={"password": DEFAULT_PASSWORD,
                                                         "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user_id)
    assert user.email is None and user.name == "" and user.phone == "" and user.title == ""
    assert user.password_hash is None
    assert user.active is False and user.deleted_at is not None
    assert user.display_name == FORMER_MEMBER_NAME == "Tidigare medlem"
    assert db.session.scalars(select(Membership).where(Membership.user_id == user_id)).all() == []
    # Unused invitations they sent stop working; their audit trail stays.
    assert db.session.scalars(select(Invitation).where(Invitation.invited_by_id == user_id)).all() == []
    assert db.session.scalars(select(AuditLog).where(AuditLog.actor_id == user_id)).all()
    assert db.session.scalar(select(SearchEntry).where(SearchEntry.title == "Olles inlägg"))
    # Nobody can log in as them any more, and the address is free for a new invitation.
    assert post_login(client, email).status_code == 401
    assert services.find_user_by_email(email) is None


def test_deleting_needs_the_right_password(db, make, login):
    user = make.user()
    response = login(user).post("/profil/radera", data={"password": "fel-losenord-1",
                                                         "confirm": "y"})
    assert response.status_code == 422
    assert "Lösenordet stämmer inte.".encode() in response.data
    db.session.refresh(user)
    assert user.deleted_at is None and user.email


def test_a_single_sign_on_member_without_a_password_confirms_with_their_email(db, make, login):
    user = make.user(email="sso.only@kommun.example.se")
    user.password_hash = None  # signs in through the organisation's identity provider only
    client = login(user)
    page = client.get("/profil/radera").get_data(as_text=True)
    assert "Skriv din e-postadress för att bekräfta" in page and 'type="password"' not in page
    wrong = client.post("/profil/radera", data={"password": "någon@annan.se", "confirm": "y"})
    assert wrong.status_code == 422
    assert b"Skriv din e-postadress exakt" in wrong.data
    db.session.refresh(user)
    assert user.deleted_at is None
    right = client.post("/profil/radera", data={"password": " SSO.only@kommun.example.se ",
                                                 "confirm": "y"})
    assert right.status_code == 302
    db.session.refresh(user)
    assert user.deleted_at is not None and user.email is None


def test_deleting_needs_the_confirmation_box(db, make, login):
    user = make.user()
    response = login(user).post("/profil/radera", data={"password": DEFAULT_PASSWORD})
    assert response.status_code == 422
    db.session.refresh(user)
    assert user.deleted_at is None


def test_the_export_has_a_part_for_everything_the_privacy_page_names(db, make, login):
    """The privacy page lists what is processed; each item has its place in the export."""
    user = make.user()
    client = login(user)
    page = client.get("/integritet").get_data(as_text=True)
    data = json.loads(client.get("/profil/mina-uppgifter.json").data)
    named = {  # words on the page -> where the export holds it
        "foruminlägg med deras tidigare versioner": ("forums", "posts"),
        "chattmeddelanden": ("chat_messages",),
        "bilagor till inlägg": ("library", "files_uploaded"),
        "anmälningar till träffar med de behov du angett": ("event_registrations", "registrations"),
        "åtgärder, uppföljningsanteckningar, mätvärden och erfarenhetsrapporter":
            ("followup_written", "measures"),
        "lägesbilder": ("followup_written", "situation_pictures"),
        "inloggade sessioner": ("sessions",),
        "dina notiser": ("notifications",),
        "åtgärder som gäller dig": ("audit_log_about_me",),
        "vilka teman du är expert på": ("profile", "expert_on"),
        "vilka trådar och kategorier du bevakar": ("forums", "watched_topics"),
    }
    for words, path in named.items():
        assert words in page, words
        part = data
        for key in path:
            part = part[key]
        assert part is not None, path
