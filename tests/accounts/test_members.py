"""Member administration at /admin/medlemmar (network/accounts/members.py, views_members.py)."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re

import pytest
from sqlalchemy import select

from network.accounts import members
from network.accounts.models import (
    AuditLog,
    GroupRole,
    Membership,
    NetworkRole,
    OrganisationType,
    User,
    UserSession,
)
from network.accounts.services import AccountError
from network.db import utcnow
from network.permissions import AccessDenied
from tests.accounts.conftest import post_login


def names(response) -> list[str]:
    return [html.unescape(name) for name in re.findall(
        r'<th scope="row"><a href="/admin/medlemmar/\d+">([^<]+)</a>', response.get_data(as_text=True))]


@pytest.fixture
def people(db, make):
    police = make.organisation(name="Polisen Region Bergslagen", type=OrganisationType.POLIS,
                               municipality_code="1880")
    city = make.organisation(name="Stockholms stad", municipality_code="0180")
    admin = make.admin(name="Ada Admin")
    anna = make.user(name="Anna Andersson", organisation=police, title="Kommunpolis")
    bo = make.user(name="Bo Berg", organisation=city)
    cia = make.user(name="Cia Carlsson", organisation=city)
    group = make.group(name="Samverkan Vivalla", members=[bo], facilitators=[anna])
    anna.last_login_at = utcnow() - dt.timedelta(days=3)
    bo.last_login_at = utcnow() - dt.timedelta(days=200)
    cia.active = False
    db.session.commit()
    return {"admin": admin, "anna": anna, "bo": bo, "cia": cia, "group": group,
            "police": police, "city": city}


def test_only_administrators_see_the_member_list(db, make, login, people):
    staff = make.user()
    staff.role = NetworkRole.STAFF
    db.session.commit()
    for user in (people["anna"], staff):
        assert login(user).get("/admin/medlemmar").status_code == 403
        assert login(user).get("/admin/medlemmar.csv").status_code == 403
        assert login(user).get(f"/admin/medlemmar/{people['bo'].id}").status_code == 403
    assert login(people["admin"]).get("/admin/medlemmar").status_code == 200


@pytest.mark.parametrize(("query", "expected"), [
    ("q=anna", ["Anna Andersson"]),
    ("q=KOMMUNPOLIS", ["Anna Andersson"]),
    ("organisation_type=polis", ["Anna Andersson"]),
    ("municipality_code=0180", ["Bo Berg", "Cia Carlsson"]),
    ("county_code=18", ["Anna Andersson"]),  # Örebro län, through the organisation's municipality
    ("role=admin", ["Ada Admin"]),
    ("status=deactivated", ["Cia Carlsson"]),
    ("status=active&last_login=never", ["Ada Admin"]),
    ("last_login=30", ["Anna Andersson"]),
    ("last_login=older90", ["Bo Berg"]),
    ("sort=name&order=desc", ["Cia Carlsson", "Bo Berg", "Anna Andersson", "Ada Admin"]),
    ("sort=last_login&order=desc", ["Anna Andersson", "Bo Berg", "Ada Admin", "Cia Carlsson"]),
    ("role=nonsense", ["Ada Admin", "Anna Andersson", "Bo Berg", "Cia Carlsson"]),
])
def test_the_member_list_filters_and_sorts(login, people, query, expected):
    response = login(people["admin"]).get("/admin/medlemmar?" + query)
    assert response.status_code == 200
    assert names(response) == expected


def test_filters_by_organisation_group_and_expert(db, login, people):
    client = login(people["admin"])
    assert names(client.get(f"/admin/medlemmar?organisation_id={people['city'].id}")) == [
        "Bo Berg", "Cia Carlsson"]
    assert names(client.get(f"/admin/medlemmar?group_id={people['group'].id}")) == [
        "Anna Andersson", "Bo Berg"]
    members.set_expertise(people["admin"], people["bo"], ["grovt_vald"], {"grovt_vald"})
    db.session.commit()
    assert names(client.get("/admin/medlemmar?expert=yes")) == ["Bo Berg"]
    assert "Bo Berg" not in names(client.get("/admin/medlemmar?expert=no"))


def test_the_member_list_is_paginated_with_its_filters(db, make, login, people):
    for n in range(55):
        make.user(name=f"Zeta {n:02d}")
    db.session.commit()
    client = login(people["admin"])
    first = client.get("/admin/medlemmar?q=zeta")
    assert len(names(first)) == 50
    assert "page=2" in first.get_data(as_text=True) and "q=zeta" in first.get_data(as_text=True)
    second = client.get("/admin/medlemmar?q=zeta&page=2")
    assert names(second) == [f"Zeta {n}" for n in range(50, 55)]


def test_the_csv_export_has_the_filtered_members_and_disarms_formulas(db, make, login, people):
    make.user(name="=HYPERLINK(\"http://evil\")", organisation=people["city"])
    db.session.commit()
    response = login(people["admin"]).get("/admin/medlemmar.csv?municipality_code=0180")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[0][0] == "Namn"
    found = sorted(row[0] for row in rows[1:])
    assert found == ["'=HYPERLINK(\"http://evil\")", "Bo Berg", "Cia Carlsson"]


def test_the_member_page_shows_groups_sessions_and_audit_entries(db, login, people):
    client = login(people["admin"])
    post_login(client.application.test_client(), people["anna"].email)
    page = client.get(f"/admin/medlemmar/{people['anna'].id}").get_data(as_text=True)
    assert "Samverkan Vivalla" in page and "Samordnare" in page
    assert "Inloggade sessioner" in page and "senast aktiv" in page
    assert "Medlem tillagd i grupp" in page  # the audit entry naming her, with a readable label
    members.set_expertise(people["admin"], people["anna"], ["grovt_vald"], {"grovt_vald"})
    db.session.commit()
    page = client.get(f"/admin/medlemmar/{people['anna'].id}").get_data(as_text=True)
    assert "Expertområden ändrade" in page  # an entry aimed at her account


def test_deactivation_ends_every_session_at_once(app, db, login, people):
    anna = people["anna"]
    anna_client = app.test_client()
    post_login(anna_client, anna.email)
    response = login(people["admin"]).post(
        f"/admin/medlemmar/{anna.id}/inaktivera",
        data={f"successor-{people['group'].id}": str(people["bo"].id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, anna.id).active
    assert db.session.scalars(select(UserSession).where(UserSession.user_id == anna.id)).all() == []
    assert anna_client.get("/profil").status_code == 302
    assert post_login(app.test_client(), anna.email).status_code == 401
    # Bo took over the group, so it is never left without a facilitator.
    assert db.session.get(Membership, (people["group"].id, people["bo"].id)).role == "facilitator"
    log = login(people["admin"]).get("/admin/logg").get_data(as_text=True)
    assert "Konto inaktiverat" in log and "Samordnarrollen överlämnad" in log


def test_deactivating_the_last_facilitator_asks_who_takes_over(db, login, people):
    anna = people["anna"]
    client = login(people["admin"])
    page = client.get(f"/admin/medlemmar/{anna.id}").get_data(as_text=True)
    assert "Vem tar över som samordnare för Samverkan Vivalla?" in page
    response = client.post(f"/admin/medlemmar/{anna.id}/inaktivera", follow_redirects=True)
    assert "Välj vem som tar över som samordnare för Samverkan Vivalla" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, anna.id).active


def test_you_cannot_deactivate_yourself_or_the_last_administrator(db, make, login, people):
    admin = people["admin"]
    response = login(admin).post(f"/admin/medlemmar/{admin.id}/inaktivera", follow_redirects=True)
    assert "Du kan inte inaktivera ditt eget konto." in response.get_data(as_text=True)
    other = make.admin(name="Other Admin")
    db.session.commit()
    # With two admins, one may remove the other's admin role, but not the last one's.
    login(other).post(f"/admin/medlemmar/{admin.id}/roll", data={"role": "member"})
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == "member"
    with pytest.raises(AccountError) as refused:
        members.set_role(other, other, NetworkRole.MEMBER)
    assert "enda aktiva administratören" in str(refused.value)
    with pytest.raises(AccountError) as refused:
        members.deactivate(other, other)
    assert "ditt eget konto" in str(refused.value)
    db.session.expire_all()
    assert db.session.get(User, other.id).role == "admin" and db.session.get(User, other.id).active


def test_an_administrator_may_deactivate_another_administrator(db, make, people):
    second = make.admin(name="Second Admin")
    db.session.commit()
    members.deactivate(second, people["admin"])
    db.session.commit()
    assert not db.session.get(User, people["admin"].id).is_active
    # Now the second is the only active one: losing them is refused however it is tried.
    with pytest.raises(AccountError):
        members.set_role(second, second, NetworkRole.STAFF)
    with pytest.raises(AccountError):
        members.deactivate(second, second)


def test_reactivation_lets_the_member_sign_in_again(app, db, login, people):
    response = login(people["admin"]).post(f"/admin/medlemmar/{people['cia'].id}/aktivera")
    assert response.status_code == 302
    assert post_login(app.test_client(), people["cia"].email).status_code == 302


def test_changing_the_network_role_needs_a_county_for_county_staff(db, login, people):
    client = login(people["admin"])
    bo = people["bo"]
    response = client.post(f"/admin/medlemmar/{bo.id}/roll", data={"role": "county"},
                           follow_redirects=True)
    assert "Välj vilket län personen arbetar med." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, bo.id).role == "member"
    client.post(f"/admin/medlemmar/{bo.id}/roll", data={"role": "county", "county_code": "19"})
    db.session.expire_all()
    bo = db.session.get(User, bo.id)
    assert (bo.role, bo.county_code, bo.overseen_county) == ("county", "19", "19")
    client.post(f"/admin/medlemmar/{bo.id}/roll", data={"role": "staff", "county_code": "19"})
    db.session.expire_all()
    assert (db.session.get(User, bo.id).role, db.session.get(User, bo.id).county_code) == ("staff", None)
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "user.role")
                               .order_by(AuditLog.id.desc())).first()
    assert entry.details["role"] == "staff" and entry.details["previous"] == "county"


def test_adding_removing_and_handing_over_groups(db, make, login, people):
    client = login(people["admin"])
    cia_group = make.group(name="Föräldraskap")
    db.session.commit()
    bo, anna, group = people["bo"], people["anna"], people["group"]
    client.post(f"/admin/medlemmar/{bo.id}/grupper",
                data={"group_id": str(cia_group.id), "role": "member"})
    assert db.session.get(Membership, (cia_group.id, bo.id)) is not None
    client.post(f"/admin/medlemmar/{anna.id}/grupper/{group.id}/overlamna",
                data={"successor_id": str(bo.id)})
    db.session.expire_all()
    assert db.session.get(Membership, (group.id, bo.id)).role == GroupRole.FACILITATOR
    assert db.session.get(Membership, (group.id, anna.id)).role == GroupRole.MEMBER
    client.post(f"/admin/medlemmar/{anna.id}/grupper/{group.id}/ta-bort")
    db.session.expire_all()
    assert db.session.get(Membership, (group.id, anna.id)) is None


def test_removing_the_last_facilitator_from_a_group_needs_a_successor(db, login, people):
    client = login(people["admin"])
    anna, group = people["anna"], people["group"]
    response = client.post(f"/admin/medlemmar/{anna.id}/grupper/{group.id}/ta-bort",
                           follow_redirects=True)
    assert "Välj vem som tar över" in response.get_data(as_text=True)
    assert db.session.get(Membership, (group.id, anna.id)) is not None
    client.post(f"/admin/medlemmar/{anna.id}/grupper/{group.id}/ta-bort",
                data={"successor_id": str(people["bo"].id)})
    db.session.expire_all()
    assert db.session.get(Membership, (group.id, anna.id)) is None
    assert db.session.get(Membership, (group.id, people["bo"].id)).role == "facilitator"


def test_an_admin_ends_one_of_a_members_sessions(app, db, login, people):
    bo_client = app.test_client()
    post_login(bo_client, people["bo"].email)
    row = db.session.scalars(select(UserSession).where(UserSession.user_id == people["bo"].id)).one()
    login(people["admin"]).post(f"/admin/medlemmar/{people['bo'].id}/sessioner/{row.id}/avsluta")
    assert bo_client.get("/profil").status_code == 302


def test_an_invitation_is_sent_again_with_a_new_link(db, login, invitation, mail, people):
    from network.accounts import invitations

    inv, old_token = invitation(email="ny@example.se", actor=people["admin"])
    mail.deliver()
    before = len(mail.sent)
    response = login(people["admin"]).post(f"/admin/inbjudningar/{inv.id}/skicka-igen")
    assert response.status_code == 302
    assert len(mail.deliver()) == before + 1
    assert invitations.find_invitation(old_token) is None
    pending = db.session.scalars(select(AuditLog).where(AuditLog.action == "invitation.create")).all()
    assert len(pending) == 2


@pytest.mark.parametrize("action", [
    lambda actor, p: members.deactivate(actor, p["bo"]),
    lambda actor, p: members.reactivate(actor, p["cia"]),
    lambda actor, p: members.set_role(actor, p["bo"], NetworkRole.ADMIN),
    lambda actor, p: members.set_expertise(actor, p["bo"], ["grovt_vald"], {"grovt_vald"}),
    lambda actor, p: members.add_to_group(actor, p["cia"], p["group"]),
    lambda actor, p: members.remove_from_group(actor, p["bo"], p["group"]),
    lambda actor, p: members.transfer_facilitator(actor, p["group"], p["anna"], p["bo"]),
    lambda actor, p: members.member_query(actor, members.MemberFilter()),
    lambda actor, p: members.member_audit_entries(actor, p["bo"]),
])
def test_member_actions_are_refused_at_the_service_for_members(db, people, action):
    before = db.session.scalar(select(AuditLog.id).order_by(AuditLog.id.desc()).limit(1))
    with pytest.raises(AccessDenied):
        action(people["bo"], people)
    db.session.rollback()
    assert db.session.scalar(select(AuditLog.id).order_by(AuditLog.id.desc()).limit(1)) == before
    bo = db.session.get(User, people["bo"].id)
    assert bo.active and bo.role == "member" and not bo.expertise


def test_a_facilitator_may_hand_over_their_own_group_but_not_deactivate(db, people):
    anna, bo, group = people["anna"], people["bo"], people["group"]
    members.transfer_facilitator(anna, group, anna, bo)
    db.session.commit()
    assert db.session.get(Membership, (group.id, bo.id)).role == "facilitator"
    with pytest.raises(AccessDenied):
        members.deactivate(anna, bo)
