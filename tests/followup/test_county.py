"""The county view and activity per municipality: attribution, period, and who sees which county."""

from __future__ import annotations

import datetime as dt

from network.accounts.models import NetworkRole
from network.followup import activity as county_view
from network.followup import duties


def _role(make, db, role, county=None, **kw):
    user = make.user(**kw)
    user.role, user.county_code = role, county
    db.session.commit()
    return user


def test_activity_counts_for_the_municipality_of_the_authors_organisation(world, activity):
    since, until = county_view.programme_year()
    figures = county_view.activity_by_municipality(since, until, {})
    assert figures["0180"]["forum_topics"] == 1 and figures["0180"]["forum_replies"] == 0
    assert figures["1280"]["forum_replies"] == 1
    assert figures["1280"]["forum_topics"] == 0  # last year's topic is outside the period
    assert figures["1280"]["chat_messages"] == 1 and figures["1280"]["chat_participants"] == 1


def test_county_staff_see_only_their_county(world, activity, login, make, db):
    client = login(_role(make, db, NetworkRole.COUNTY, county="01"))
    assert client.get("/uppfoljning/lan").location.endswith("/uppfoljning/lan/01")
    page = client.get("/uppfoljning/lan/01").get_data(as_text=True)
    assert "Stockholm" in page and "Lagens tre krav" in page and "Aktivitet per kommun" in page
    assert client.get("/uppfoljning/lan/12").status_code == 404
    assert client.get("/uppfoljning/oversikt").status_code == 403


def test_programme_staff_open_any_county_and_members_none(world, activity, login, make, db):
    staff = login(_role(make, db, NetworkRole.STAFF))
    page = staff.get("/uppfoljning/lan/12").get_data(as_text=True)
    assert "Malmö" in page and "Hela nätverket" in page
    assert staff.get("/uppfoljning/lan").status_code == 200
    member = login(world.member)
    assert member.get("/uppfoljning/lan").status_code == 403
    assert member.get("/uppfoljning/lan/01").status_code == 404


def test_the_default_period_is_the_programme_year_and_is_shown(world, login, make, db):
    year = duties.today().year
    page = login(_role(make, db, NetworkRole.STAFF)).get("/uppfoljning/lan/01").get_data(as_text=True)
    assert f"1 jan. {year} – 31 dec. {year}" in page


def test_a_period_ending_before_it_starts_is_refused_with_a_message(world, login, make, db):
    client = login(_role(make, db, NetworkRole.STAFF))
    page = client.get("/uppfoljning/lan/01?fran=2026-06-01&till=2026-01-01").get_data(as_text=True)
    assert "Periodens slut kan inte vara före dess början" in page
    since, until, error = county_view.parse_period({"fran": "2026-06-01", "till": "2026-01-01"})
    assert error and (since, until) == county_view.programme_year()


def test_the_county_page_shows_support_and_network_totals(world, activity, login, make, db):
    page = login(_role(make, db, NetworkRole.STAFF)).get("/uppfoljning/lan/01").get_data(as_text=True)
    assert "Länet totalt" in page and "Hela nätverket" in page and "Stödtimmar" in page


def test_resources_shared_count_where_their_sharer_was_when_sharing(world, activity, login, make, db):
    """The county view's "Delade resurser" for the programme year (whole days, read from the
    running totals) are what counting the resources gives, and stay with the municipality the
    sharer's organisation had when they shared, after the sharer moves."""
    from network.resources import activity as library_activity
    from network.resources import services as resources

    stockholm, malmo = activity
    for n in range(2):
        resources.create_resource(malmo, title=f"Metodstöd {n}", type="metodstod", visibility="members",
                                  external_url=f"https://example.se/{n}")
    malmo.organisation_id = stockholm.organisation_id  # moves to Stockholm afterwards
    db.session.commit()
    since, until = county_view.programme_year()
    figures = county_view.activity_by_municipality(since, until, {})
    assert figures["1280"]["resources_shared"] == 2 and figures["0180"]["resources_shared"] == 0
    start, end = county_view.bounds(since, until)
    assert library_activity.shared_by_municipality(start, end) == {"1280": 2}
    assert library_activity.shared_by_municipality(start + dt.timedelta(microseconds=1), end) == {
        "1280": 2}  # not whole days: counted, the same
    page = login(_role(make, db, NetworkRole.STAFF)).get("/uppfoljning/lan/12").get_data(as_text=True)
    row = page[page.index('id="aktivitet-kommun"'):]
    malmo_row = row[row.index(">Malmö<"):].split("</tr>")[0]
    cells = [c.split("<")[0] for c in malmo_row.split('<td class="num">')[1:]]
    assert cells[county_view.FIGURES.index("resources_shared")] == "2"


def test_the_county_reads_its_own_rows_and_the_network_total_still_counts_everyone(
        world, activity, login, make, db):
    """The table is built for the county's municipalities only; the network's total beside it
    still holds every county's support (here Stockholm's 3 hours and Malmö's 5)."""
    from network.followup import dashboard
    from network.followup import services as followup

    followup.add_support(world.admin, "1280", date=duties.today(), topic="Metodstöd", form="radgivning",
                         hours="5", given_by="Brå")
    db.session.commit()
    since, until = county_view.programme_year()
    everyone = dashboard.municipality_rows(since, until)

    assert dashboard.municipality_rows(since, until, codes=["0180"]) == [
        r for r in everyone if r.code == "0180"]
    assert dashboard.municipality_rows(since, until, codes=[]) == []
    assert dashboard.support_by_municipality(since, until) == dashboard.support_of(everyone) == {
        "0180": (1, 3.0), "1280": (1, 5.0)}
    assert dashboard.support_by_municipality(since, until, codes=["1280"]) == {"1280": (1, 5.0)}

    page = login(_role(make, db, NetworkRole.STAFF)).get("/uppfoljning/lan/01").get_data(as_text=True)
    table = page[page.index('id="aktivitet-kommun"'):]
    hours = county_view.FIGURES.index("support_hours")

    def cells(label: str) -> list[str]:
        row = table[table.index(label):].split("</tr>")[0]
        return [c.split("<")[0] for c in row.split('<td class="num">')[1:]]

    assert "Malmö" not in table.split("Länet totalt")[0]
    assert cells("Länet totalt")[hours].startswith("3")
    assert cells("Hela nätverket")[hours].startswith("8")
