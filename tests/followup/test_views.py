"""The municipality's follow-up pages: its local group works there, nobody else sees them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from network.followup import services
from network.followup.models import ExperienceReport, Measurement


def _private_urls(world):
    m, i = world.measure, world.indicator
    return [
        "/uppfoljning/kommun/0180", f"/uppfoljning/plan/{world.plan.id}", f"/uppfoljning/atgard/{m.id}",
        f"/uppfoljning/atgard/{m.id}/redigera", f"/uppfoljning/indikator/{i.id}/redigera",
        f"/uppfoljning/indikator/{i.id}/diagram.svg", "/uppfoljning/kommun/0180/lagesbild/2025",
    ]


def test_local_group_member_sees_plan_measure_and_indicator(world, login, db):
    services.save_picture(world.member, "0180", 2025, crime_mapping="Rån ökar", other_info="",
                          analysis="", area_ids=[world.area.id])
    db.session.commit()
    client = login(world.member)
    for url in _private_urls(world):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/uppfoljning/atgard/{world.measure.id}").get_data(as_text=True)
    assert "Trygghetsvandringar i Rinkeby" in page and "Andel trygga kvällstid" in page
    assert "Polisen Rinkeby" in page and "Polis" in page and "Utsatt område" in page


@pytest.mark.parametrize("who", ["outsider", "other_local"])
def test_outsiders_get_not_found_for_every_follow_up_page(world, login, db, who):
    services.save_picture(world.member, "0180", 2025, crime_mapping="Rån ökar", other_info="",
                          analysis="", area_ids=[])
    db.session.commit()
    client = login(getattr(world, who))
    for url in _private_urls(world):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Trygghetsvandringar" not in response.data


def test_visitors_are_sent_to_login_and_never_see_the_content(world, client):
    for url in _private_urls(world):
        response = client.get(url)
        assert response.status_code in (302, 404), url
        assert b"Trygghetsvandringar" not in response.data


def test_the_overview_lists_only_my_municipalities(world, login):
    mine = login(world.member).get("/uppfoljning").get_data(as_text=True)
    assert "Stockholm" in mine
    other = login(world.other_local).get("/uppfoljning").get_data(as_text=True)
    assert "/uppfoljning/kommun/0180" not in other


def test_a_member_records_a_measurement_and_sees_it_in_the_table(world, login, db):
    client = login(world.member)
    prefix = f"m{world.indicator.id}-"
    response = client.post(f"/uppfoljning/indikator/{world.indicator.id}/matvarde",
                           data={prefix + "date": "2025-03-31", prefix + "value": "44,5",
                                 prefix + "unit": "procent", prefix + "comment": "Vår"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Mätvärdet är sparat." in page and "44,5" in page and "Vår" in page


@pytest.mark.parametrize("value, unit, day, message", [
    ("många", "procent", "2025-03-31", "Värdet måste vara ett tal"),
    ("45", "antal", "2025-03-31", "Fel enhet"),
    ("45", "procent", "2030-01-01", "utanför åtgärdens period"),
    ("45", "procent", "31/3", "Mätvärdet sparades inte"),
])
def test_bad_measurements_get_a_clear_message_and_nothing_is_saved(world, login, db, value, unit, day,
                                                                 message):
    client = login(world.member)
    prefix = f"m{world.indicator.id}-"
    response = client.post(f"/uppfoljning/indikator/{world.indicator.id}/matvarde",
                           data={prefix + "date": day, prefix + "value": value, prefix + "unit": unit},
                           follow_redirects=True)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Measurement)) == 0


def test_a_contradicting_target_is_saved_and_flagged_on_the_page(world, login):
    client = login(world.member)
    response = client.post(f"/uppfoljning/atgard/{world.measure.id}/indikator/ny", data={
        "name": "Skadegörelse", "unit": "antal", "source": "Polisen", "baseline_value": "30",
        "baseline_date": "2024-12-31", "target_value": "45", "target_date": "2026-12-31",
        "desired_direction": "down"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Indikatorn är sparad." in page
    assert "Målvärdet går åt motsatt håll" in page and 'class="warning"' in page


def test_outsiders_cannot_post_measurements(world, login, db):
    client = login(world.outsider)
    prefix = f"m{world.indicator.id}-"
    response = client.post(f"/uppfoljning/indikator/{world.indicator.id}/matvarde",
                           data={prefix + "date": "2025-03-31", prefix + "value": "1"})
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Measurement)) == 0


def test_member_creates_picture_plan_and_measure_through_the_forms(world, login, db):
    client = login(world.member)
    response = client.post("/uppfoljning/kommun/0180/lagesbild/ny", data={
        "year": "2026", "crime_mapping": "**Skjutningar**", "other_info": "Info", "analysis": "Analys",
        "areas": [str(world.area.id)]}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "<strong>Skjutningar</strong>" in page and "Rinkeby" in page and "Utsatt område" in page
    response = client.post("/uppfoljning/kommun/0180/lagesbild/2026/nyckeltal", data={
        "name": "Anmälda brott", "value": "1 234", "unit": "antal", "source": "Brå", "date": "2025-12-31"},
        follow_redirects=True)
    assert "1 234" in response.get_data(as_text=True)
    response = client.post("/uppfoljning/kommun/0180/lagesbild/ny", data={"year": "2026"})
    assert "Det finns redan en lägesbild" in response.get_data(as_text=True)
    response = client.post("/uppfoljning/kommun/0180/plan/ny", data={
        "title": "Plan 2026", "start_year": "2026", "end_year": "2028", "description": ""},
        follow_redirects=True)
    assert "Plan 2026" in response.get_data(as_text=True)
    plan_id = int(response.request.path.rsplit("/", 1)[1])
    response = client.post(f"/uppfoljning/plan/{plan_id}/atgard/ny", data={
        "title": "Läxhjälp", "problem": "Unga rekryteras", "theme": "nyrekrytering", "status": "planerad",
        "start_date": "2026-01-01", "end_date": "2026-12-31", "responsible": "0",
        "partners": [str(world.police.id)], "areas": [str(world.area.id)]}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Läxhjälp" in page and "Nyrekrytering till kriminella nätverk" in page
    assert "Polisen Rinkeby" in page


def test_follow_up_notes_record_what_was_done_and_learned(world, login):
    client = login(world.member)
    response = client.post(f"/uppfoljning/atgard/{world.measure.id}/anteckning", data={
        "period_start": "2025-01-01", "period_end": "2025-06-30", "done": "Tio vandringar",
        "learned": "Kvällar fungerar bäst"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Tio vandringar" in page and "Kvällar fungerar bäst" in page


def test_the_measure_page_shows_the_chart_and_the_numbers_in_a_table(world, login, db):
    services.add_measurement(world.member, world.indicator, date=dt.date(2025, 6, 30), value="47")
    db.session.commit()
    page = login(world.member).get(f"/uppfoljning/atgard/{world.measure.id}").get_data(as_text=True)
    assert f"/uppfoljning/indikator/{world.indicator.id}/diagram.svg" in page
    assert "<caption>" in page and "47" in page and "Baslinje" in page and "Mål" in page


def test_the_chart_is_served_as_an_svg_image_with_its_own_strict_policy(world, login):
    response = login(world.member).get(f"/uppfoljning/indikator/{world.indicator.id}/diagram.svg")
    assert response.mimetype == "image/svg+xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert b'role="img"' in response.data


def test_charts_become_public_only_when_someone_else_approves_the_request(world, login, client):
    url = f"/uppfoljning/indikator/{world.indicator.id}/diagram.svg"
    base = f"/uppfoljning/atgard/{world.measure.id}/publika-diagram"
    assert client.get(url).status_code == 404
    member = login(world.member)
    assert "Godkänn att diagrammen visas för alla" not in member.get(
        f"/uppfoljning/atgard/{world.measure.id}").get_data(as_text=True)
    assert member.post(f"{base}/begar").status_code == 302
    assert client.get(url).status_code == 404  # asked, not yet approved
    page = member.get(f"/uppfoljning/atgard/{world.measure.id}").get_data(as_text=True)
    assert "Godkänn att diagrammen visas för alla" not in page  # never to the one who asked
    assert member.post(f"{base}/godkann").status_code == 403
    assert client.get(url).status_code == 404
    facilitator = login(world.facilitator)
    assert "Godkänn att diagrammen visas för alla" in facilitator.get(
        f"/uppfoljning/atgard/{world.measure.id}").get_data(as_text=True)
    assert facilitator.post(f"{base}/godkann").status_code == 302
    assert client.get(url).status_code == 200
    page = member.get(f"/uppfoljning/atgard/{world.measure.id}").get_data(as_text=True)
    assert (f'Granskat och godkänt av <a class="author" href="/medlemmar/{world.facilitator.id}">'
            f'<bdi>{world.facilitator.display_name}</bdi></a>') in page


def test_one_click_creates_a_prefilled_report_draft(world, login, db):
    response = login(world.member).post(f"/uppfoljning/atgard/{world.measure.id}/erfarenhetsrapport",
                                        follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Otrygghet kvällstid vid torget" in page and "Polisen Rinkeby" in page
    report = db.session.scalar(select(ExperienceReport))
    assert report.measure_id == world.measure.id and report.status == "utkast"


def test_publishing_without_review_shows_a_clear_message(world, login, db):
    report = services.create_report_from_measure(world.member, world.measure)
    db.session.commit()
    response = login(world.facilitator).post(f"/uppfoljning/rapport/{report.id}/publicera",
                                             follow_redirects=True)
    assert "kan inte publiceras innan någon annan än författaren har granskat" in response.get_data(
        as_text=True)
    db.session.refresh(report)
    assert report.status == "utkast"


def test_review_and_publish_through_the_pages(world, login, db, client):
    report = services.create_report_from_measure(world.member, world.measure)
    db.session.commit()
    member = login(world.member)
    member.post(f"/uppfoljning/rapport/{report.id}/skicka")
    assert "Godkänn efter granskning" not in member.get(f"/uppfoljning/rapport/{report.id}").get_data(
        as_text=True)  # the author is never offered the review
    assert member.post(f"/uppfoljning/rapport/{report.id}/godkann").status_code == 403
    facilitator = login(world.facilitator)
    facilitator.post(f"/uppfoljning/rapport/{report.id}/godkann")
    response = facilitator.post(f"/uppfoljning/rapport/{report.id}/publicera", follow_redirects=True)
    assert "publicerad i erfarenhetsbanken" in response.get_data(as_text=True)
    public = client.get(f"/erfarenhetsbank/{report.id}").get_data(as_text=True)
    # Visitors get the name, not a link (profiles are for members).
    assert (f'Granskad och godkänd av <bdi class="author">{world.facilitator.display_name}</bdi>'
            in public)


def test_editing_a_report_keeps_structured_fields(world, login, db):
    report = services.create_report_from_measure(world.member, world.measure)
    db.session.commit()
    response = login(world.member).post(f"/uppfoljning/rapport/{report.id}/redigera", data={
        "title": "Vandringar som fungerar", "theme": "trygghet", "problem": "Otrygghet",
        "area_level": "sarskilt_utsatt", "size_class": "over_200000", "actor_types": ["polis", "skola"],
        "how": "Så här", "lessons": "Lärdom", "contact": "samordnare@example.se"}, follow_redirects=True)
    assert "Rapporten är sparad." in response.get_data(as_text=True)
    db.session.refresh(report)
    assert report.actor_types == ",polis,skola," and report.size_class == "over_200000"
    assert report.area_level == "sarskilt_utsatt"


def test_measure_page_query_count_is_bounded(world, login, db, assert_max_queries):
    for quarter in range(1, 5):
        services.add_measurement(world.member, world.indicator, date=dt.date(2025, quarter * 3, 28),
                                 value=str(40 + quarter))
    db.session.commit()
    client = login(world.member)
    with assert_max_queries(25):
        assert client.get(f"/uppfoljning/atgard/{world.measure.id}").status_code == 200
