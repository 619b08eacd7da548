"""Invitation-only registration (network/accounts/invitations.py and its views)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from network.accounts.models import GroupRole, GroupVisibility, Invitation, Membership, User
from network.accounts.tokens import hash_token
from tests.accounts.conftest import link_in, post_login

ACCEPT = {"name": "Nora Ny", "title": "Kommunpolis", "phone": "", "password": "ett-bra-losenord",
          "confirm": "ett-bra-losenord"}


def test_admin_invites_by_email_and_the_link_creates_an_account_in_the_group(
        app, db, make, login, mail, client):
    admin = make.admin()
    group = make.group(visibility=GroupVisibility.CLOSED)
    org = make.organisation(name="Polisen Malmö")
    response = login(admin).post("/bjud-in", data={
        "email": "Nora.Ny@Example.se", "organisation_id": str(org.id), "group_id": str(group.id),
        "group_role": "facilitator"})
    assert response.status_code == 302
    [message] = mail.deliver()
    assert message["To"] == "nora.ny@example.se"
    assert "Inbjudan" in message["Subject"]
    path = link_in(message, "/inbjudan/")

    form = client.get(path)
    assert form.status_code == 200
    assert b"nora.ny@example.se" in form.data
    assert client.post(path, data=ACCEPT).status_code == 302

    user = db.session.scalar(select(User).where(User.email == "nora.ny@example.se"))
    assert user.name == "Nora Ny" and user.title == "Kommunpolis"
    assert user.organisation_id == org.id
    membership = db.session.get(Membership, (group.id, user.id))
    assert membership.role == GroupRole.FACILITATOR
    # Signed in straight away, and the link is spent.
    assert "Välkommen, Nora Ny".encode() in client.get("/").data
    client.post("/logga-ut")
    again = client.get(path)
    assert again.status_code == 410
    assert "Inbjudan har redan använts".encode() in again.data
    assert post_login(client, "nora.ny@example.se", "ett-bra-losenord").status_code == 302


def test_only_the_token_hash_is_stored(invitation, db):
    inv, token = invitation()
    assert inv.token_hash == hash_token(token)
    assert token not in inv.token_hash
    assert len(inv.token_hash) == 64


def test_invitation_expires_after_seven_days(invitation, app):
    inv, _token = invitation()
    lifetime = inv.expires_at - inv.created_at
    assert dt.timedelta(days=7) - dt.timedelta(minutes=1) < lifetime <= dt.timedelta(days=7)
    assert app.config["INVITATION_DAYS"] == 7


def test_expired_invitation_gives_a_clear_swedish_page(invitation, db, client):
    inv, token = invitation()
    inv.expires_at = inv.expires_at - dt.timedelta(days=8)
    db.session.commit()
    response = client.get(f"/inbjudan/{token}")
    assert response.status_code == 410
    assert "Inbjudan har gått ut".encode() in response.data
    assert client.post(f"/inbjudan/{token}", data=ACCEPT).status_code == 410
    assert db.session.scalar(select(User).where(User.email == inv.email)) is None


def test_unknown_invitation_token_gives_a_clear_swedish_page(client):
    response = client.get("/inbjudan/nagot-som-inte-finns")
    assert response.status_code == 404
    assert b"Inbjudan hittades inte" in response.data


def test_used_invitation_cannot_create_a_second_account(invitation, client, db):
    _inv, token = invitation()
    assert client.post(f"/inbjudan/{token}", data=ACCEPT).status_code == 302
    other = db.session.scalar(select(User).where(User.email == "ny.person@example.se"))
    client.post("/logga-ut")
    response = client.post(f"/inbjudan/{token}", data={**ACCEPT, "name": "Någon annan"})
    assert response.status_code == 410
    db.session.refresh(other)
    assert other.name == "Nora Ny"


def test_accept_form_requires_a_long_enough_confirmed_password(invitation, client, db):
    _inv, token = invitation()
    short = client.post(f"/inbjudan/{token}", data={**ACCEPT, "password": "kort", "confirm": "kort"})
    assert short.status_code == 422
    assert b"minst 10 tecken" in short.data
    mismatch = client.post(f"/inbjudan/{token}", data={**ACCEPT, "confirm": "nagot-helt-annat"})
    assert "Lösenorden är inte likadana.".encode() in mismatch.data
    assert db.session.scalar(select(User).where(User.email == "ny.person@example.se")) is None


def test_inviting_an_existing_member_gives_a_clear_message(db, make, login, mail):
    admin = make.admin()
    make.user(email="finns@example.se")
    response = login(admin).post("/bjud-in", data={"email": "FINNS@example.se", "group_role": "member"})
    assert response.status_code == 422
    assert b"Det finns redan ett konto med den e-postadressen." in response.data
    assert mail.deliver() == []


def test_malformed_invitation_email_gets_a_form_message(db, make, login):
    response = login(make.admin()).post("/bjud-in", data={"email": "inte en adress",
                                                          "group_role": "member"})
    assert response.status_code == 422
    assert b"Det ser inte ut som en giltig e-postadress." in response.data
    assert db.session.scalars(select(Invitation)).all() == []


def test_inviting_again_replaces_the_pending_invitation(invitation, client, db):
    _first, old_token = invitation(email="igen@example.se")
    _second, new_token = invitation(email="igen@example.se")
    assert client.get(f"/inbjudan/{old_token}").status_code == 404
    assert client.get(f"/inbjudan/{new_token}").status_code == 200


def test_facilitator_invites_into_their_own_group_only(db, make, login, mail):
    facilitator = make.user()
    own = make.group(facilitators=[facilitator])
    other = make.group()
    client = login(facilitator)
    page = client.get("/bjud-in")
    assert page.status_code == 200
    assert own.name.encode() in page.data and other.name.encode() not in page.data
    refused = client.post("/bjud-in", data={"email": "a@example.se", "group_id": str(other.id),
                                            "group_role": "member"})
    assert refused.status_code == 422  # not a valid choice for this facilitator
    no_group = client.post("/bjud-in", data={"email": "a@example.se", "group_role": "member"})
    assert no_group.status_code == 422
    assert "Välj en grupp.".encode() in no_group.data
    ok = client.post("/bjud-in", data={"email": "a@example.se", "group_id": str(own.id),
                                       "group_role": "member"})
    assert ok.status_code == 302
    assert len(mail.deliver()) == 1


def test_plain_members_cannot_invite(db, make, login):
    member = make.user()
    make.group(members=[member])
    client = login(member)
    assert client.get("/bjud-in").status_code == 403
    assert client.post("/bjud-in", data={"email": "a@example.se"}).status_code == 403


def test_admin_lists_pending_invitations_and_revokes_one(invitation, db, make, login, client):
    admin = make.admin()
    inv, token = invitation(email="vantar@example.se", actor=admin)
    used, _ = invitation(email="anvand@example.se", actor=admin)
    used.used_at = used.created_at
    db.session.commit()
    admin_client = login(admin)
    page = admin_client.get("/admin/inbjudningar")
    assert b"vantar@example.se" in page.data and b"anvand@example.se" not in page.data
    response = admin_client.post(f"/admin/inbjudningar/{inv.id}/aterkalla")
    assert response.status_code == 302
    assert client.get(f"/inbjudan/{token}").status_code == 404
    assert admin_client.post(f"/admin/inbjudningar/{inv.id}/aterkalla").status_code == 404


def test_members_cannot_see_or_revoke_invitations(invitation, make, login):
    inv, _ = invitation()
    client = login(make.user())
    assert client.get("/admin/inbjudningar").status_code == 403
    assert client.post(f"/admin/inbjudningar/{inv.id}/aterkalla").status_code == 403


def test_invitation_into_a_group_archived_meanwhile_still_creates_the_account(
        invitation, make, db, client):
    group = make.group()
    inv, token = invitation(group=group)
    group.archived = True
    db.session.commit()
    assert client.post(f"/inbjudan/{token}", data=ACCEPT).status_code == 302
    user = db.session.scalar(select(User).where(User.email == inv.email))
    assert db.session.get(Membership, (group.id, user.id)) is None
