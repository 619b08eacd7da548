"""The county view and activity per municipality: attribution, period, and who sees which county."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from network.accounts.models import NetworkRole, OrganisationType
from network.chat import services as chat
from network.followup import activity as county_view
from network.followup import duties, services
from network.forums import services as forums


def _role(make, db, role, county=None, **kw):
    user = make.user(**kw)
    user.role, user.county_code = role, county
    db.session.commit()
    return user


@pytest.fixture
def activity(world, make, db):
    """Forum, chat and support activity from people in Stockholm (01) and Malmö (12)."""
    stockholm = make.user(organisation=make.organisation("Stockholms stad", municipality_code="0180"))
    malmo = make.user(organisation=make.organisation("Polisen Malmö", type=OrganisationType.POLIS,
                                                     municipality_code="1280"))
    category = forums.create_category(world.admin, "Metoder", group=None)
    first, _created = forums.create_topic(stockholm, category, "Trygghetsvandringar", "Hur gör ni?")
    forums.reply(malmo, first.topic, "Vi går varje torsdag.")
    forums.create_topic(malmo, category, "Gammal tråd", "Från förra året",
                        now=dt.datetime(duties.today().year - 1, 6, 1, tzinfo=dt.UTC))
    organiser = make.user()
    group = make.group(facilitators=[organiser], members=[malmo])
    room = chat.create_room(organiser, group, "Workshop")
    chat.post_message(malmo, room, "Hej från Malmö", str(uuid.uuid4()))
    services.add_support(world.admin, "0180", date=duties.today(), topic="Lägesbild", form="workshop",
                         hours="3", given_by="Brå")
    db.session.commit()
    return stockholm, malmo


def test_activity_counts_for_the_municipality_of_the_authors_organisation(world, activity):
    since, until = county_view.programme_year()
    figures = county_view.activity_by_municipality(since, until, [])
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
