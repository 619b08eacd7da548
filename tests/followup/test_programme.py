"""The programme's dashboard, support log, exports and report: admins only."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from network.followup import duties, services
from network.followup.models import SupportEntry
from tests.followup.helpers import published_report

ADMIN_URLS = ["/uppfoljning/oversikt", "/uppfoljning/oversikt/export.csv",
              "/uppfoljning/oversikt/export.xlsx",
              "/uppfoljning/oversikt/rapport", "/uppfoljning/oversikt/diagram/atgarder.svg",
              "/uppfoljning/stod"]


def _activity(world, db):
    services.add_measurement(world.member, world.indicator, date=dt.date(2025, 6, 30), value="50")
    services.add_support(world.admin, "0180", date=dt.date(2025, 2, 1), topic="Lägesbild", form="workshop",
                         hours="3", given_by="Brå")
    services.add_support(world.admin, "0180", date=dt.date(2025, 9, 1), topic="Indikatorer",
                         form="radgivning", hours="1,5", given_by="Brå")
    published_report(world, title="Publicerad rapport")
    db.session.commit()


@pytest.mark.parametrize("who", ["member", "facilitator", "outsider"])
def test_members_and_facilitators_get_forbidden_on_programme_pages(world, login, who):
    client = login(getattr(world, who))
    for url in ADMIN_URLS:
        assert client.get(url).status_code == 403, url


def test_visitors_never_reach_programme_pages(world, client):
    for url in ADMIN_URLS:
        response = client.get(url)
        assert response.status_code == 302 and "/uppfoljning/oversikt" not in response.location


def test_dashboard_shows_each_municipality_state(world, login, db):
    _activity(world, db)
    page = login(world.admin).get("/uppfoljning/oversikt").get_data(as_text=True)
    assert "Stockholm" in page and "Läget per kommun" in page
    assert "/uppfoljning/oversikt/diagram/indikatorer.svg" in page
    assert "Träffar och deltagande" in page and "Forumaktivitet" in page


def test_dashboard_query_count_is_bounded(world, login, db, make, assert_max_queries):
    _activity(world, db)
    for code in ("1280", "1880", "0181"):
        services.save_plan(world.admin, code, title="Plan", start_year=2025, end_year=2026, description="")
    db.session.commit()
    client = login(world.admin)
    # A fixed number per feature's stats and per-municipality activity, never per row.
    with assert_max_queries(28):
        assert client.get("/uppfoljning/oversikt").status_code == 200


def test_csv_export_reads_back(world, login, db):
    _activity(world, db)
    response = login(world.admin).get("/uppfoljning/oversikt/export.csv")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    header, stockholm = rows[0], next(r for r in rows if r[0] == "Stockholm")
    assert stockholm[header.index("Pågår")] == "1"
    assert stockholm[header.index("Stödtimmar")] == "4,5"  # Swedish decimal comma
    assert stockholm[header.index("På väg mot målet")] == "1"
    assert stockholm[header.index("Publicerade erfarenhetsrapporter")] == "1"
    assert response.data.startswith("\ufeff".encode())
    # Read back with Swedish settings, the number survives.
    assert float(stockholm[header.index("Stödtimmar")].replace(",", ".")) == 4.5
    assert "Finns men är inte antagen" in stockholm[header.index("Åtgärdsplan")]


def test_csv_export_in_the_international_convention(world, login, db):
    _activity(world, db)
    response = login(world.admin).get("/uppfoljning/oversikt/export.csv?konvention=intl")
    assert not response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8")), delimiter=","))
    header, stockholm = rows[0], next(r for r in rows if r[0] == "Stockholm")
    assert stockholm[header.index("Stödtimmar")] == "4.5"


def test_xlsx_export_reads_back_with_indicators_and_support(world, login, db):
    from openpyxl import load_workbook

    _activity(world, db)
    response = login(world.admin).get("/uppfoljning/oversikt/export.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Kommuner", "Indikatorer", "Stöd", "Erfarenhetsrapporter",
                                   "Nätverkets aktivitet"]
    indicators = list(workbook["Indikatorer"].iter_rows(values_only=True))
    assert indicators[1][2] == "Andel trygga kvällstid" and indicators[1][6] == 50
    assert len(list(workbook["Stöd"].iter_rows())) == 3


def test_support_period_filter_limits_the_totals(world, login, db):
    _activity(world, db)
    response = login(world.admin).get("/uppfoljning/oversikt/export.csv?fran=2025-06-01&till=2025-12-31")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    header, stockholm = rows[0], next(r for r in rows if r[0] == "Stockholm")
    assert stockholm[header.index("Stödtimmar")] == "1,5"


def test_printable_report_covers_implementation_outcome_and_spreading(world, login, db):
    _activity(world, db)
    page = login(world.admin).get("/uppfoljning/oversikt/rapport").get_data(as_text=True)
    for heading in ("1. Genomförande", "2. Utfall", "3. Spridning av erfarenheter"):
        assert heading in page
    assert "Publicerad rapport" in page and "Andel trygga kvällstid" in page and "followup.css" in page


@pytest.mark.parametrize("name", ["atgarder", "indikatorer", "stod"])
def test_dashboard_charts_are_accessible_svg(world, login, db, name):
    _activity(world, db)
    response = login(world.admin).get(f"/uppfoljning/oversikt/diagram/{name}.svg")
    assert response.mimetype == "image/svg+xml" and b'role="img"' in response.data
    assert b"<title" in response.data and b"Stockholm" in response.data


def test_unknown_dashboard_chart_is_not_found(world, login):
    assert login(world.admin).get("/uppfoljning/oversikt/diagram/nope.svg").status_code == 404


def test_admin_logs_support_and_sees_totals(world, login, db):
    client = login(world.admin)
    response = client.post("/uppfoljning/stod", data={
        "municipality": "0180", "date": "2025-03-01", "topic": "Metod för trygghetsvandring",
        "form": "metodstod", "hours": "2,5", "given_by": "Anna på Brå"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Stödinsatsen är registrerad." in page and "Metod för trygghetsvandring" in page and "2,5" in page


def test_bad_support_input_gets_a_message_and_saves_nothing(world, login, db):
    client = login(world.admin)
    response = client.post("/uppfoljning/stod", data={
        "municipality": "0180", "date": "2025-03-01", "topic": "x", "form": "metodstod", "hours": "två",
        "given_by": "Anna"}, follow_redirects=True)
    assert "Värdet måste vara ett tal" in response.get_data(as_text=True)
    response = client.post("/uppfoljning/stod", data={
        "municipality": "9999", "date": "2025-03-01", "topic": "x", "form": "metodstod", "hours": "2",
        "given_by": "Anna"})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(SupportEntry)) == 0


def test_members_cannot_log_support(world, login, db):
    response = login(world.facilitator).post("/uppfoljning/stod", data={
        "municipality": "0180", "date": "2025-03-01", "topic": "x", "form": "metodstod", "hours": "2",
        "given_by": "Anna"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(SupportEntry)) == 0


def test_demo_seed_builds_a_dashboard_with_real_charts(app, db, login, make):
    from network.followup.demo import seed_demo

    seed_demo(None)
    db.session.commit()
    admin = make.admin()
    client = login(admin)
    page = client.get("/uppfoljning/oversikt").get_data(as_text=True)
    assert "Södertälje" in page and "Malmö" in page and "Örebro" in page
    bank = client.get("/erfarenhetsbank").get_data(as_text=True)
    assert bank.count('class="h-result"') == 12  # four distinct reports per municipality
    seed_demo(None)  # idempotent


def test_demo_municipalities_are_in_different_states(app, db):
    from network.followup.demo import seed_demo
    from network.followup.duties import duty_states

    seed_demo(None)
    db.session.commit()
    states = duty_states(["0181", "1280", "1880"])
    # Södertälje works, Malmö has no adopted plan, Örebro's lägesbild is stale.
    assert states["0181"].complete
    assert states["1280"].plan.status == "not_adopted" and states["1280"].coordination.status == "missing"
    assert states["1880"].picture.status == "stale" and states["1880"].plan.status == "adopted"


def test_demo_seed_runs_on_the_accounts_network(app, db, login):
    from network.accounts.demo import seed_demo

    ctx = seed_demo()
    db.session.commit()
    client = login(ctx.users["admin"])
    page = client.get("/uppfoljning/oversikt").get_data(as_text=True)
    for name in ("Malmö", "Göteborg", "Örebro", "Uppsala", "Borlänge"):
        assert name in page
    malmo = login(ctx.users["malmo_samordnare"]).get("/uppfoljning/kommun/1280").get_data(as_text=True)
    assert "Åtgärdsplan för brottsförebyggande arbete Malmö" in malmo and "Lägesbild 2026" in malmo


def test_network_activity_reads_resources_through_its_stats(world, login, db):
    from network.resources import services as resources

    resources.create_resource(world.admin, title="Delad metod", type="metodstod", visibility="members",
                              external_url="https://example.se/m")
    db.session.commit()
    page = login(world.admin).get("/uppfoljning/oversikt").get_data(as_text=True)
    section = page.split("Delade och nedladdade resurser", 1)[1].split("</table>", 1)[0]
    assert "Resurser delade under perioden" in section and ">1<" in section


def _section(page, title):
    return page.split(f"<h3>{title}</h3>", 1)[1].split("</table>", 1)[0]


def test_dashboard_and_exports_show_meetings_forum_and_workshop_activity(world, login, db, make):
    import uuid

    from network.accounts.models import OrganisationType
    from network.chat import services as chat
    from network.events import attendance
    from network.events import registrations as events_registrations
    from network.events import services as events
    from network.forums import services as forums

    organiser = make.user()
    group = make.group(facilitators=[organiser])
    start = (dt.datetime.now() - dt.timedelta(days=3)).replace(microsecond=0)
    meeting = events.create_event(organiser, events.EventData(
        type="network_meeting", group=group, title="Nätverksträff", start=start,
        end=start + dt.timedelta(hours=2), all_day=False, visibility="members"))
    upcoming = events.create_event(organiser, events.EventData(
        type="network_meeting", group=group, title="Nästa träff", start=start + dt.timedelta(days=13),
        end=start + dt.timedelta(days=13, hours=2), all_day=False, visibility="members"))
    police = make.user(organisation=make.organisation(type=OrganisationType.POLIS))
    absent = make.user(organisation=make.organisation(type=OrganisationType.SKOLA))
    for person in (police, absent):
        events_registrations.register(person, meeting, now=meeting.start_at - dt.timedelta(days=5))
        events_registrations.register(person, upcoming)
    attendance.mark_attendance(organiser, meeting, [police.id])
    category = forums.create_category(world.admin, "Metoder", group=None)
    forums.create_topic(police, category, "Trygghetsvandringar", "Hur gör ni?")
    room = chat.create_room(organiser, group, "Workshop")
    chat.post_message(organiser, room, "Välkomna", str(uuid.uuid4()))
    db.session.commit()
    client = login(world.admin)

    page = client.get("/uppfoljning/oversikt").get_data(as_text=True)
    meetings = _section(page, "Träffar och deltagande")
    assert "Träffar genomförda" in meetings and "Deltagare: Polis" in meetings
    assert "Deltagare: Skola" not in meetings  # registered but did not come
    assert "Nya forumtrådar" in _section(page, "Forumaktivitet")
    assert "Meddelanden" in _section(page, "Deltagande i workshoppar")
    report = client.get("/uppfoljning/oversikt/rapport").get_data(as_text=True)
    assert "Deltagare: Polis" in report and "Aktiva skribenter" in report

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(client.get("/uppfoljning/oversikt/export.xlsx").data))
    rows = list(workbook["Nätverkets aktivitet"].iter_rows(values_only=True))
    assert ("Träffar och deltagande", "Träffar genomförda", 1) in rows  # the upcoming one is not held
    assert ("Träffar och deltagande", "Anmälningar", 2) in rows
    assert ("Träffar och deltagande", "Deltagare som kom", 1) in rows
    assert ("Forumaktivitet", "Nya forumtrådar", 1) in rows
    assert ("Deltagande i workshoppar", "Meddelanden", 1) in rows


def _download_from(malmo, world, db):
    from network.resources import services as resources
    from tests.resources.conftest import make_pdf

    resource = resources.create_resource(
        world.admin, title="Metodstöd", type="metodstod", visibility="members",
        uploads=[resources.Upload(io.BytesIO(make_pdf("Metod")), "metod.pdf")])
    file = resource.versions[0].files[0]
    resources.record_download(file, malmo)
    resources.record_download(file, malmo, day=dt.date(duties.today().year - 1, 12, 31))  # last year
    resources.record_download(file, None)  # a visitor
    db.session.commit()


def test_the_overview_shows_activity_per_municipality_for_the_programme_year(world, activity, login, db):
    from network.followup import activity as figures

    _stockholm, malmo = activity
    _download_from(malmo, world, db)
    since, until = figures.programme_year()
    per_municipality = figures.activity_by_municipality(since, until, {})
    assert per_municipality["1280"]["resources_downloaded"] == 1  # last year's is outside the period
    assert per_municipality[None]["resources_downloaded"] == 1
    page = login(world.admin).get("/uppfoljning/oversikt").get_data(as_text=True)
    year = duties.today().year
    assert f"1 jan. {year} – 31 dec. {year}" in page
    assert "Aktivitet per kommun" in page and "Nedladdade resurser" in page and "Hela nätverket" in page
    row = page[page.index('id="aktivitet-kommun"'):]
    stockholm_row = row[row.index(">Stockholm<"):].split("</tr>")[0]
    # Stockholm: one topic, no replies, nothing shared or downloaded, no attendance or chat, 1 support
    # session of 3 hours this year.
    assert stockholm_row.count('<td class="num">') == len(figures.FIGURES)
    assert [c.split("<")[0] for c in stockholm_row.split('<td class="num">')[1:]] == \
        ["1", "0", "0", "0", "0", "0", "0", "1", "3"]


def test_the_overview_refuses_a_period_ending_before_it_starts(world, login):
    client = login(world.admin)
    page = client.get("/uppfoljning/oversikt?fran=2026-06-01&till=2026-01-01").get_data(as_text=True)
    assert "Periodens slut kan inte vara före dess början" in page


def _tables_outside_scroll_regions(page: str) -> int:
    """How many tables are not inside a focusable, labelled scrolling region."""
    from html.parser import HTMLParser

    class Tables(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack, self.loose = [], 0

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "table" and not any(self.stack):
                self.loose += 1
            if tag == "div":
                self.stack.append("table-scroll" in (attrs.get("class") or "")
                                  and attrs.get("tabindex") == "0" and attrs.get("role") == "region")

        def handle_endtag(self, tag):
            if tag == "div" and self.stack:
                self.stack.pop()

    parser = Tables()
    parser.feed(page)
    return parser.loose


def test_every_table_of_the_overview_and_county_view_scrolls_in_a_focusable_region(world, activity, login,
                                                                                  db):
    client = login(world.admin)
    for url in ("/uppfoljning/oversikt", "/uppfoljning/lan/01"):
        page = client.get(url).get_data(as_text=True)
        assert page.count("<table") >= 2, url
        assert _tables_outside_scroll_regions(page) == 0, url
