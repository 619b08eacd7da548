"""The member directory, profiles and experts (network/accounts/directory.py, views_directory.py)."""

from __future__ import annotations

import pytest

from network.accounts import directory, members
from network.accounts.models import GroupVisibility
from network.permissions import AccessDenied


@pytest.fixture
def people(db, make):
    admin = make.admin()
    org = make.organisation(name="Örebro kommun", municipality_code="1880")
    anna = make.user(name="Anna Andersson", title="Trygghetssamordnare", organisation=org,
                     phone="070-111")
    bo = make.user(name="Bo Berg")
    cia = make.user(name="Cia Carlsson")
    closed = make.group(name="Slutna rådet", visibility=GroupVisibility.CLOSED, members=[anna, cia])
    open_group = make.group(name="Öppna nätverket", members=[anna, bo])
    members.set_expertise(admin, anna, ["grovt_vald"], {"grovt_vald", "samverkan"})
    db.session.commit()
    return {"admin": admin, "anna": anna, "bo": bo, "cia": cia, "closed": closed, "open": open_group}


def test_members_find_each_other_by_name_title_organisation_and_theme(login, people):
    client = login(people["bo"])
    for query in ("q=anna", "q=trygghet", "q=%C3%B6rebro", "tema=grovt_vald"):
        text = client.get("/medlemmar?" + query).get_data(as_text=True)
        assert "Anna Andersson" in text and "Cia Carlsson" not in text, query


def test_a_profile_hides_closed_groups_from_outsiders(login, people):
    anna_id = people["anna"].id
    outsider = login(people["bo"]).get(f"/medlemmar/{anna_id}").get_data(as_text=True)
    assert "Öppna nätverket" in outsider and "Slutna rådet" not in outsider
    assert "Ni är båda med i Öppna nätverket." in outsider
    insider = login(people["cia"]).get(f"/medlemmar/{anna_id}").get_data(as_text=True)
    assert "Slutna rådet" in insider


def test_email_and_phone_show_only_when_the_member_chose_so(db, login, people):
    anna = people["anna"]
    page = login(people["bo"]).get(f"/medlemmar/{anna.id}").get_data(as_text=True)
    assert anna.email not in page and "070-111" not in page
    client = login(anna)
    client.post("/profil", data={"name": anna.name, "email": anna.email, "title": anna.title,
                                 "organisation_id": str(anna.organisation_id), "phone": "070-111",
                                 "show_email": "y", "email_notifications": "immediately",
                                 "locale": "sv"})
    page = login(people["bo"]).get(f"/medlemmar/{anna.id}").get_data(as_text=True)
    assert anna.email in page and "070-111" not in page


def test_the_experts_page_lists_experts_by_theme(login, people):
    text = login(people["bo"]).get("/experter").get_data(as_text=True)
    assert "Grovt våld" in text and "Anna Andersson" in text
    assert "Ingen expert för det här temat än." in text  # the other themes


def test_visitors_and_deactivated_profiles_are_refused(db, client, login, people):
    assert client.get("/medlemmar").status_code == 302
    assert client.get("/experter").status_code == 302
    people["cia"].active = False
    db.session.commit()
    assert login(people["bo"]).get(f"/medlemmar/{people['cia'].id}").status_code == 404
    with pytest.raises(AccessDenied):
        directory.profile(people["bo"], people["cia"])
