"""Municipalities, areas and organisations (network/accounts/views_places.py)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from network.accounts.models import (
    Area,
    AreaClassification,
    AuditLog,
    ClassificationLevel,
    GroupVisibility,
    Municipality,
    Organisation,
    OrganisationType,
)

SU, RISK, UTSATT, NONE = (ClassificationLevel.SARSKILT_UTSATT, ClassificationLevel.RISK,
                          ClassificationLevel.UTSATT, ClassificationLevel.NONE)


def _row_names(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/kommuner/\d{4}">([^<]+)</a>', html)


def test_municipality_list_shows_all_290_with_priority_areas_first(db, make, client,
                                                                     assert_max_queries):
    make.area("1880", "Vivalla", level=SU)  # Örebro
    make.area("2081", "Tjärna Ängar", level=RISK)  # Borlänge
    make.area("0380", "Gottsunda", level=UTSATT)  # Uppsala
    old = make.area("1280", "Förr utsatt", level=SU, year=2021)  # Malmö, since declassified
    from network.accounts.services import classify_area

    classify_area(None, old, 2025, NONE)
    db.session.commit()
    client.get("/kommuner")
    with assert_max_queries(4):
        response = client.get("/kommuner")
    names = _row_names(response.get_data(as_text=True))
    assert len(names) == 290
    assert names[:3] == ["Örebro", "Borlänge", "Uppsala"]
    assert "Särskilt utsatt område" in response.get_data(as_text=True)


def test_current_level_is_the_latest_years(db, make, client):
    area = make.area("1480", "Biskopsgården", level=SU, year=2021)
    from network.accounts.services import classify_area

    classify_area(None, area, 2023, RISK)
    make.area("0180", "Rinkeby", level=SU, year=2023)
    db.session.commit()
    names = _row_names(client.get("/kommuner").get_data(as_text=True))
    assert names.index("Stockholm") < names.index("Göteborg")


def test_municipality_list_filters_by_county_and_participation(db, client):
    db.session.get(Municipality, "1280").participating_since = dt.date(2024, 3, 1)
    db.session.commit()
    skane = _row_names(client.get("/kommuner?lan=12").get_data(as_text=True))
    assert "Malmö" in skane and "Stockholm" not in skane and len(skane) == 33
    participating = _row_names(client.get("/kommuner?deltar=1").get_data(as_text=True))
    assert participating == ["Malmö"]
    by_name = _row_names(client.get("/kommuner?sortering=namn").get_data(as_text=True))
    assert by_name[:2] == ["Ale", "Alingsås"]


def test_unknown_county_filter_shows_everything(client):
    assert len(_row_names(client.get("/kommuner?lan=99").get_data(as_text=True))) == 290


def test_municipality_page_shows_areas_history_organisations_and_groups(
        db, make, client, assert_max_queries):
    malmo = db.session.get(Municipality, "1280")
    malmo.participating_since = dt.date(2024, 3, 1)
    area = make.area("1280", "Rosengård", level=SU, year=2021)
    from network.accounts.services import classify_area

    classify_area(None, area, 2023, SU)
    classify_area(None, area, 2025, RISK)
    make.area("1280", "Holma", level=UTSATT)
    make.organisation(name="Malmö stad", municipality_code="1280")
    make.organisation(name="MKB Fastighets AB", type=OrganisationType.BOSTADSBOLAG,
                      municipality_code="1280")
    make.group(name="Samverkansgrupp Malmö", kind="local", municipality_code="1280",
               visibility=GroupVisibility.PUBLIC)
    make.group(name="Hemlig grupp Malmö", kind="local", municipality_code="1280",
               visibility=GroupVisibility.CLOSED)
    db.session.commit()
    client.get("/kommuner/1280")
    with assert_max_queries(6):
        response = client.get("/kommuner/1280")
    page = response.get_data(as_text=True)
    assert "Deltar i programmet" in page and "1 mars 2024" in page
    rosengard = page[page.index(">Rosengård"):page.index('id="orgs-heading"')]
    assert "Nuvarande nivå: <strong>Riskområde</strong>" in rosengard
    assert re.search(r"2025</th><td>Riskområde.*2023</th><td>Särskilt utsatt område.*"
                     r"2021</th><td>Särskilt utsatt område", rosengard, re.S)
    assert "Malmö stad" in page and "MKB Fastighets AB" in page and "Bostadsbolag" in page
    assert "Samverkansgrupp Malmö" in page and "Hemlig grupp Malmö" not in page


def test_unknown_municipality_or_area_is_404(db, make, login):
    client = login(make.admin())
    assert client.get("/kommuner/9999").status_code == 404
    assert client.get("/omraden/99999/redigera").status_code == 404
    assert client.post("/omraden/99999/klassning", data={"year": 2025, "level": "risk"}).status_code == 404
    assert client.post("/kommuner/9999/deltagande", data={}).status_code == 404


def test_admin_flags_participation_with_a_date_and_it_is_audited(db, make, login):
    admin = make.admin()
    client = login(admin)
    response = client.post("/kommuner/1880/deltagande",
                           data={"participating": "y", "since": "2024-09-01"})
    assert response.status_code == 302
    assert db.session.get(Municipality, "1880").participating_since == dt.date(2024, 9, 1)
    row = db.session.scalar(select(AuditLog).where(AuditLog.action == "municipality.participation"))
    assert row.actor_id == admin.id and row.target_id == "1880"
    missing = client.post("/kommuner/1880/deltagande", data={"participating": "y"},
                          follow_redirects=True)
    assert "Ange datumet då kommunen gick med.".encode() in missing.data
    client.post("/kommuner/1880/deltagande", data={})
    assert db.session.get(Municipality, "1880").participating_since is None


def test_admin_adds_and_edits_an_area_and_classifies_it(db, make, login):
    admin = make.admin()
    client = login(admin)
    assert client.post("/kommuner/0380/omraden/nytt",
                       data={"name": "Gottsunda", "description": "Södra Uppsala"}).status_code == 302
    area = db.session.scalar(select(Area).where(Area.name == "Gottsunda"))
    duplicate = client.post("/kommuner/0380/omraden/nytt", data={"name": "gottsunda"})
    assert duplicate.status_code == 422
    assert "Kommunen har redan ett område med det namnet.".encode() in duplicate.data
    assert client.post(f"/omraden/{area.id}/redigera",
                       data={"name": "Gottsunda/Valsätra", "description": "Ny"}).status_code == 302
    assert client.post(f"/omraden/{area.id}/klassning",
                       data={"year": "2023", "level": "sarskilt_utsatt"}).status_code == 302
    assert client.post(f"/omraden/{area.id}/klassning",
                       data={"year": "2023", "level": "risk"}).status_code == 302
    rows = db.session.scalars(select(AreaClassification).where(AreaClassification.area_id == area.id)).all()
    assert [(r.year, r.level) for r in rows] == [(2023, "risk")]
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.actor_id == admin.id)).all()
    assert actions == ["area.create", "area.update", "area.classify", "area.classify"]


def test_bad_classification_input_gives_a_message(db, make, login):
    area = make.area("0380", "Gottsunda")
    client = login(make.admin())
    for data in ({"year": "1850", "level": "risk"}, {"year": "tjugo", "level": "risk"},
                 {"year": "2025", "level": "katastrof"}):
        response = client.post(f"/omraden/{area.id}/klassning", data=data, follow_redirects=True)
        assert response.status_code == 200
        assert b'class="flash flash-error"' in response.data


def test_members_cannot_change_municipalities_or_areas(db, make, login):
    area = make.area("0380", "Gottsunda")
    client = login(make.user())
    assert client.post("/kommuner/0380/deltagande", data={"participating": "y",
                                                          "since": "2024-01-01"}).status_code == 403
    assert client.post("/kommuner/0380/omraden/nytt", data={"name": "X"}).status_code == 403
    assert client.post(f"/omraden/{area.id}/klassning", data={"year": "2025",
                                                              "level": "risk"}).status_code == 403


def test_admin_creates_edits_and_deletes_organisations(db, make, login):
    admin = make.admin()
    client = login(admin)
    assert client.post("/admin/organisationer/ny", data={
        "name": "Länsstyrelsen Dalarna", "type": "lansstyrelse", "municipality_code": "",
        "county_code": "20"}).status_code == 302
    org = db.session.scalar(select(Organisation).where(Organisation.name == "Länsstyrelsen Dalarna"))
    assert (org.type, org.county_code, org.municipality_code) == ("lansstyrelse", "20", None)
    assert "Länsstyrelse".encode() in client.get("/admin/organisationer").data
    assert client.post(f"/admin/organisationer/{org.id}", data={
        "name": "Polisen Borlänge", "type": "polis", "municipality_code": "2081",
        "county_code": ""}).status_code == 302
    db.session.refresh(org)
    assert (org.name, org.type, org.municipality_code, org.county_code) == (
        "Polisen Borlänge", "polis", "2081", "20")
    assert client.post(f"/admin/organisationer/{org.id}/ta-bort").status_code == 302
    assert db.session.get(Organisation, org.id) is None
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.actor_id == admin.id)).all()
    assert actions == ["organisation.create", "organisation.update", "organisation.delete"]


def test_an_organisation_with_members_cannot_be_deleted(db, make, login):
    org = make.organisation()
    make.user(organisation=org)
    response = login(make.admin()).post(f"/admin/organisationer/{org.id}/ta-bort",
                                        follow_redirects=True)
    assert b"Organisationen har medlemmar" in response.data
    assert db.session.get(Organisation, org.id) is not None


def test_organisation_form_rejects_unknown_type_and_municipality(db, make, login):
    client = login(make.admin())
    response = client.post("/admin/organisationer/ny", data={
        "name": "X", "type": "maffia", "municipality_code": "9999", "county_code": ""})
    assert response.status_code == 422
    assert db.session.scalars(select(Organisation)).all() == []


def test_organisation_pages_are_for_admins(db, make, login):
    org = make.organisation()
    client = login(make.user())
    assert client.get("/admin/organisationer").status_code == 403
    assert client.get(f"/admin/organisationer/{org.id}").status_code == 403
    assert client.post(f"/admin/organisationer/{org.id}/ta-bort").status_code == 403
    assert login(make.admin()).get("/admin/organisationer/99999").status_code == 404
