"""Account requests: the public form and the administrators' queue (account_requests.py)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from network.accounts import account_requests
from network.accounts.models import AccountRequest, Invitation, Membership
from network.accounts.services import AccountError
from network.permissions import AccessDenied
from tests.accounts.conftest import link_in

FORM = {"name": "Sara Svensson", "email": "sara@bostad.example.se",
        "organisation_name": "Bostadsbolaget i Vivalla", "role_title": "Trygghetsvärd",
        "municipality_code": "1880", "reason": "Vi vill samverka om tryggheten i området."}


def count(db, model=AccountRequest):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_visitor_asks_for_an_account(client, db):
    page = client.get("/bli-medlem")
    assert page.status_code == 200 and "Be om ett konto" in page.get_data(as_text=True)
    response = client.post("/bli-medlem", data=FORM)
    assert response.status_code == 200
    assert "Tack för din förfrågan" in response.get_data(as_text=True)
    row = db.session.scalars(select(AccountRequest)).one()
    assert (row.name, row.email, row.municipality_code, row.status) == (
        "Sara Svensson", "sara@bostad.example.se", "1880", "pending")


def test_missing_fields_are_explained(client, db):
    response = client.post("/bli-medlem", data={**FORM, "reason": "", "email": "inte-en-adress"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Berätta kort varför du vill vara med." in text
    assert "Det ser inte ut som en giltig e-postadress." in text
    assert count(db) == 0


def test_the_honeypot_keeps_nothing_but_answers_the_same(client, db):
    response = client.post("/bli-medlem", data={**FORM, "website": "http://spam.example"})
    assert "Tack för din förfrågan" in response.get_data(as_text=True)
    assert count(db) == 0


def without_tokens(response) -> str:
    page = response.get_data(as_text=True)
    return re.sub(r'((?:name="csrf_token"|name="csrf-token")[^>]*?(?:value|content)=")[^"]*', r"\1", page)


def test_an_existing_account_is_not_revealed(client, db, make, mail):
    user = make.user(email="finns@example.se")
    db.session.commit()
    fresh = client.post("/bli-medlem", data={**FORM, "email": "ny@example.se"})
    known = client.post("/bli-medlem", data={**FORM, "email": "Finns@example.se"})
    assert fresh.status_code == known.status_code == 200
    # CSRF tokens carry a timestamp; two answers a second apart differ only in them.
    assert without_tokens(fresh) == without_tokens(known)
    assert [r.email for r in db.session.scalars(select(AccountRequest))] == ["ny@example.se"]
    reminder = [m for m in mail.deliver() if m["To"] == user.email]
    assert reminder and "glomt-losenord" in reminder[0].get_content()


def test_a_flood_from_one_address_is_limited(client, db):
    answers = [client.post("/bli-medlem", data={**FORM, "email": f"p{n}@example.se"}).status_code
               for n in range(7)]
    assert answers == [200] * 5 + [429] * 2
    assert count(db) == 5


def test_approving_sends_the_normal_invitation_into_the_chosen_group(db, make, login, client, mail):
    admin = make.admin()
    group = make.group(name="Trygghet Vivalla")
    db.session.commit()
    client.post("/bli-medlem", data=FORM)
    row = db.session.scalars(select(AccountRequest)).one()
    admin_client = login(admin)
    assert "Sara Svensson" in admin_client.get("/admin/forfragningar").get_data(as_text=True)
    response = admin_client.post(f"/admin/forfragningar/{row.id}/godkann",
                                 data={"group_id": str(group.id), "group_role": "member"})
    assert response.status_code == 302
    invitation = db.session.scalars(select(Invitation)).one()
    assert (invitation.email, invitation.group_id) == (FORM["email"], group.id)
    message = next(m for m in mail.deliver() if m["To"] == FORM["email"])
    path = link_in(message, "/inbjudan/")
    accepted = client.post(path, data={"name": "Sara Svensson", "password": "ett-bra-losenord-1",
                                       "confirm": "ett-bra-losenord-1"})
    assert accepted.status_code == 302
    assert count(db, Membership) == 1
    # Approving twice changes nothing and says so.
    again = admin_client.post(f"/admin/forfragningar/{row.id}/godkann",
                              data={"group_id": "", "group_role": "member"}, follow_redirects=True)
    assert "Förfrågan är redan hanterad." in again.get_data(as_text=True)
    assert count(db, Invitation) == 1


def test_declining_emails_the_message(db, make, login, client, mail):
    admin = make.admin()
    db.session.commit()
    client.post("/bli-medlem", data=FORM)
    row = db.session.scalars(select(AccountRequest)).one()
    login(admin).post(f"/admin/forfragningar/{row.id}/avsla",
                      data={"message": "Nätverket är bara för offentliga aktörer än så länge."})
    db.session.expire_all()
    assert db.session.get(AccountRequest, row.id).status == "declined"
    message = next(m for m in mail.deliver() if m["To"] == FORM["email"])
    assert "bara för offentliga aktörer" in message.get_content()
    with pytest.raises(AccountError):
        account_requests.decline_request(admin, db.session.get(AccountRequest, row.id))


def test_the_queue_and_its_actions_are_for_administrators_only(db, make, login, client):
    member = make.user()
    db.session.commit()
    client.post("/bli-medlem", data=FORM)
    row = db.session.scalars(select(AccountRequest)).one()
    assert login(member).get("/admin/forfragningar").status_code == 403
    assert login(member).post(f"/admin/forfragningar/{row.id}/godkann").status_code == 403
    with pytest.raises(AccessDenied):
        account_requests.approve_request(member, row)
    with pytest.raises(AccessDenied):
        account_requests.decline_request(member, row)
    db.session.rollback()
    assert db.session.get(AccountRequest, row.id).status == "pending"
    assert count(db, Invitation) == 0
