"""Pages: lists, month view, event page, create/edit/cancel, registration, attendees, subscription."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

from network.events import registrations, services
from network.events.models import Event, EventSeries, Registration

FORM = {
    "title": "Workshop om lägesbilder", "type": "workshop", "visibility": "members",
    "description": "Vi går igenom **lägesbilden**.", "start_date": "2027-02-10", "start_time": "09:00",
    "end_date": "2027-02-10", "end_time": "12:00", "place": "Kommunhuset", "online_url": "",
    "capacity": "", "agenda": "09:00 | Inledning | Anna\n10:00 | Grupparbete",
}


def post_form(client, group, **changes):
    data = {**FORM, "group_id": str(group.id), **changes}
    return client.post("/evenemang/nytt", data=data)


def test_nav_shows_events_to_visitors(client):
    assert "Evenemang" in client.get("/").get_data(as_text=True)


def test_visitors_see_only_public_upcoming_events(client, make_event, group, organiser, db):
    make_event(group, organiser, title="Öppet möte", visibility="public")
    make_event(group, organiser, title="Medlemsmöte", visibility="members")
    db.session.commit()
    page = client.get("/evenemang/").get_data(as_text=True)
    assert "Öppet möte" in page and "Medlemsmöte" not in page


def test_past_events_are_listed_separately(login, make, make_event, group, organiser, db):
    make_event(group, organiser, title="Gammal träff", start=dt.datetime(2025, 5, 5, 10, 0))
    make_event(group, organiser, title="Ny träff")
    client = login(make.user())
    upcoming = client.get("/evenemang/").get_data(as_text=True)
    past = client.get("/evenemang/?visa=tidigare").get_data(as_text=True)
    assert "Ny träff" in upcoming and "Gammal träff" not in upcoming
    assert "Gammal träff" in past and "Ny träff" not in past


def test_filter_by_group_and_type(login, make, make_event, group, organiser):
    other = make.group(facilitators=[organiser])
    make_event(group, organiser, title="Träff A")
    make_event(other, organiser, title="Webbinarium B", type="webbinarium")
    client = login(make.user())
    by_group = client.get(f"/evenemang/?grupp={group.id}").get_data(as_text=True)
    assert "Träff A" in by_group and "Webbinarium B" not in by_group
    by_type = client.get("/evenemang/?typ=webbinarium").get_data(as_text=True)
    assert "Webbinarium B" in by_type and "Träff A" not in by_type


def test_list_is_paginated(login, make, make_event, group, organiser):
    for i in range(23):
        make_event(group, organiser, title=f"Träff nummer {i:02d}", start=dt.datetime(2027, 2, 1 + i, 10, 0))
    client = login(make.user())
    first = client.get("/evenemang/").get_data(as_text=True)
    second = client.get("/evenemang/?page=2").get_data(as_text=True)
    assert "Träff nummer 00" in first and "Träff nummer 22" not in first
    assert "Träff nummer 22" in second


def test_month_view_is_a_table_with_headers_and_navigation(login, make, make_event, group, organiser):
    make_event(group, organiser, title="Januarimötet")
    page = login(make.user()).get("/evenemang/manad/2027/1").get_data(as_text=True)
    assert "<table" in page and '<th scope="col">måndag</th>' in page
    assert "Januarimötet" in page
    assert "/evenemang/manad/2026/12" in page and "/evenemang/manad/2027/2" in page


def test_month_view_rejects_impossible_months(client):
    assert client.get("/evenemang/manad/2027/13").status_code == 404


def test_event_page_hides_place_until_registered(login, make, make_event, group, organiser):
    event = make_event(group, organiser, place="Stadshuset, sal 4", online_url="https://meet.example/x")
    person = make.user()
    client = login(person)
    page = client.get(f"/evenemang/{event.id}").get_data(as_text=True)
    assert "Stadshuset" not in page and "meet.example" not in page
    assert "visas för anmälda" in page
    assert client.post(f"/evenemang/{event.id}/anmalan", data={"needs": ""}).status_code == 302
    page = client.get(f"/evenemang/{event.id}").get_data(as_text=True)
    assert "Stadshuset" in page and "meet.example/x" in page


def test_event_page_offers_webcal_and_instructions(client, make, make_event, organiser, db):
    public_group = make.group(visibility="public", facilitators=[organiser])
    event = make_event(public_group, organiser, visibility="public")
    db.session.commit()
    page = client.get(f"/evenemang/{event.id}").get_data(as_text=True)
    assert "webcal://localhost/evenemang/kalender/offentlig.ics" in page
    assert f"webcal://localhost/evenemang/kalender/grupp/{public_group.id}.ics" in page
    assert "Outlook" in page and "Google" in page and "Apple" in page


def test_private_event_page_is_404_for_outsiders(login, make, make_event, organiser):
    closed = make.group(visibility="closed", facilitators=[organiser])
    event = make_event(closed, organiser, visibility="group")
    assert login(make.user()).get(f"/evenemang/{event.id}").status_code == 404
    assert login(make.user()).get(f"/evenemang/{event.id}.ics").status_code == 404


def test_ics_download(login, make, make_event, group, organiser):
    event = make_event(group, organiser)
    response = login(make.user()).get(f"/evenemang/{event.id}.ics")
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    assert f"UID:event-{event.id}@localhost".encode() in response.data


def test_facilitator_creates_an_event(login, organiser, group, db):
    response = post_form(login(organiser), group)
    assert response.status_code == 302
    event = db.session.scalar(db.select(Event))
    assert event.title == "Workshop om lägesbilder"
    assert "<strong>lägesbilden</strong>" in event.description_html
    assert [(a.time, a.title, a.speaker) for a in event.agenda] == [
        ("09:00", "Inledning", "Anna"), ("10:00", "Grupparbete", "")]
    assert event.start_at == dt.datetime(2027, 2, 10, 8, 0, tzinfo=dt.UTC)


def test_members_cannot_create_events(login, make, group):
    client = login(make.user())
    assert client.get("/evenemang/nytt").status_code == 403
    assert post_form(client, group).status_code == 403


def test_facilitator_cannot_create_in_someone_elses_group(login, make, organiser, db):
    other = make.group()
    make.group(facilitators=[organiser])
    response = post_form(login(organiser), other)
    assert response.status_code == 400
    assert db.session.scalar(db.select(Event)) is None


@pytest.mark.parametrize("changes,message", [
    ({"end_time": "08:00"}, "Slutet måste komma efter början"),
    ({"start_date": "2027-03-28", "end_date": "2027-03-28", "start_time": "02:30", "end_time": "04:00"},
     "finns inte den 28 mars 2027"),
    ({"start_date": "2027-10-31", "end_date": "2027-10-31", "start_time": "02:30", "end_time": "04:00"},
     "inträffar två gånger den 31 oktober 2027"),
    ({"capacity": "-5"}, "Antalet platser kan inte vara negativt"),
    ({"repeat": "weekly"}, "Ange ett slutdatum eller ett antal tillfällen"),
    ({"repeat": "weekly", "repeat_count": "500"}, "högst 200 tillfällen"),
    ({"repeat": "monthly_weekday", "repeat_until": "2031-01-01"}, "högst två år"),
    ({"repeat": "weekly", "repeat_count": "3", "repeat_until": "2027-04-01"}, "inte båda"),
    ({"agenda": "25:00 | Fel tid"}, "ogiltig tid"),
    ({"deadline_date": "2027-03-01"}, "före evenemanget"),
    ({"start_time": ""}, "markera evenemanget som heldag"),
])
def test_bad_input_gets_a_clear_message_and_saves_nothing(login, organiser, group, db, changes, message):
    response = post_form(login(organiser), group, **changes)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Event)) is None


def test_series_whose_time_hits_the_dst_gap_is_refused(login, organiser, group, db):
    # Sundays 02:30: the 28 March 2027 occurrence does not exist.
    response = post_form(login(organiser), group, start_date="2027-03-07", end_date="2027-03-07",
                         start_time="02:30", end_time="03:45", repeat="weekly", repeat_count="6")
    assert response.status_code == 400
    assert "finns inte den 28 mars 2027" in response.get_data(as_text=True)


def test_creating_a_monthly_series(login, organiser, group, db):
    response = post_form(login(organiser), group, start_date="2027-01-20", end_date="2027-01-20",
                         repeat="monthly_weekday", repeat_count="12")
    assert response.status_code == 302
    series = db.session.scalar(db.select(EventSeries))
    assert series.rrule == "FREQ=MONTHLY;BYDAY=+3WE;COUNT=12"
    assert len(series.occurrences) == 12
    page = login(organiser).get(f"/evenemang/serie/{series.id}").get_data(as_text=True)
    assert "tredje onsdag varje månad" in page


def test_all_day_event(login, organiser, group, db):
    response = post_form(login(organiser), group, all_day="y", start_time="", end_time="",
                         end_date="2027-02-11")
    assert response.status_code == 302
    event = db.session.scalar(db.select(Event))
    assert event.all_day and event.last_local_date == dt.date(2027, 2, 11)


def test_edit_moves_an_occurrence_without_touching_the_others(login, organiser, group, make_event, db):
    from network.events.timeutil import Rule

    first = make_event(group, organiser, rule=Rule("weekly", count=4))
    second = first.series.occurrences[1]
    before = [o.start_at for o in first.series.occurrences]
    response = login(organiser).post(f"/evenemang/{second.id}/redigera", data={
        **FORM, "group_id": str(group.id), "start_date": "2027-01-28", "end_date": "2027-01-28",
        "start_time": "13:00", "end_time": "15:00"})
    assert response.status_code == 302
    db.session.refresh(second)
    assert second.is_exception and second.sequence == 1
    after = [o.start_at for o in first.series.occurrences]
    assert after[1] != before[1] and after[0] == before[0] and after[2:] == before[2:]


def test_edit_form_is_prefilled_and_members_cannot_edit(login, make, organiser, group, make_event):
    event = make_event(group, organiser, agenda=[services.AgendaLine("09:00", "Start", "Eva")])
    page = login(organiser).get(f"/evenemang/{event.id}/redigera").get_data(as_text=True)
    assert "09:00 | Start | Eva" in page and 'value="2027-01-20"' in page
    assert login(make.user()).get(f"/evenemang/{event.id}/redigera").status_code == 403


def test_cancel_marks_the_event_and_tells_participants(login, make, organiser, group, make_event, db):
    event = make_event(group, organiser)
    person = make.user()
    registrations.register(person, event)
    assert login(make.user()).post(f"/evenemang/{event.id}/stall-in").status_code == 403
    assert login(organiser).post(f"/evenemang/{event.id}/stall-in").status_code == 302
    db.session.refresh(event)
    assert event.cancelled
    page = login(person).get(f"/evenemang/{event.id}").get_data(as_text=True)
    assert "Evenemanget är inställt" in page


def test_full_event_offers_the_waitlist(login, make, organiser, group, make_event):
    event = make_event(group, organiser, capacity=1)
    registrations.register(make.user(), event)
    client = login(make.user())
    assert "väntelistan" in client.get(f"/evenemang/{event.id}").get_data(as_text=True)
    client.post(f"/evenemang/{event.id}/anmalan", data={})
    assert "Du står på väntelistan" in client.get(f"/evenemang/{event.id}").get_data(as_text=True)


def test_double_registration_over_http_keeps_one(login, make, organiser, group, make_event, db):
    event = make_event(group, organiser)
    client = login(make.user())
    client.post(f"/evenemang/{event.id}/anmalan", data={})
    client.post(f"/evenemang/{event.id}/anmalan", data={})
    assert db.session.scalar(db.select(db.func.count(Registration.id))) == 1


def test_unregister(login, make, organiser, group, make_event, db):
    event = make_event(group, organiser)
    person = make.user()
    client = login(person)
    client.post(f"/evenemang/{event.id}/anmalan", data={})
    client.post(f"/evenemang/{event.id}/avanmalan")
    assert db.session.scalar(db.select(db.func.count(Registration.id))) == 0


def test_registration_after_deadline_is_refused_with_a_message(login, make, organiser, group, make_event):
    event = make_event(group, organiser, start=dt.datetime(2027, 1, 20, 10, 0))
    event.registration_deadline = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    client = login(make.user())
    response = client.post(f"/evenemang/{event.id}/anmalan", data={}, follow_redirects=True)
    assert "Sista anmälningsdag har passerat" in response.get_data(as_text=True)


def test_organiser_sees_and_exports_attendees(login, make, organiser, group, make_event):
    event = make_event(group, organiser)
    registrations.register(make.user(name="=Farlig Formel"), event, "Glutenfri")
    client = login(organiser)
    page = client.get(f"/evenemang/{event.id}/deltagare").get_data(as_text=True)
    assert "Glutenfri" in page
    response = client.get(f"/evenemang/{event.id}/deltagare.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Namn" and rows[1][0] == "'=Farlig Formel" and rows[1][-1] == "Glutenfri"


def test_members_cannot_see_attendees(login, make, organiser, group, make_event):
    event = make_event(group, organiser)
    client = login(make.user())
    assert client.get(f"/evenemang/{event.id}/deltagare").status_code == 403
    assert client.get(f"/evenemang/{event.id}/deltagare.csv").status_code == 403


def test_subscription_page_creates_shows_once_and_revokes(login, make, db):
    from network.events.models import CalendarToken

    user = make.user()
    client = login(user)
    assert "ingen kalenderadress" in client.get("/evenemang/kalenderprenumeration").get_data(as_text=True)
    response = client.post("/evenemang/kalenderprenumeration/ny")
    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert "webcal://localhost/evenemang/kalender/" in page and "/min.ics" in page
    token = page.split("webcal://localhost/evenemang/kalender/")[1].split("/")[0]
    assert client.get(f"/evenemang/kalender/{token}/min.ics").status_code == 200
    assert token not in client.get("/evenemang/kalenderprenumeration").get_data(as_text=True)
    client.post("/evenemang/kalenderprenumeration/aterkalla")
    assert db.session.scalar(db.select(CalendarToken)) is None
    assert client.get(f"/evenemang/kalender/{token}/min.ics").status_code == 404


def test_start_page_panel_shows_my_registrations(login, make, organiser, group, make_event):
    event = make_event(group, organiser, title="Min anmälda träff")
    person = make.user()
    registrations.register(person, event)
    page = login(person).get("/").get_data(as_text=True)
    assert "Mina evenemang" in page and "Min anmälda träff" in page


def test_event_page_query_count_is_bounded(login, make, organiser, group, make_event, assert_max_queries):
    event = make_event(group, organiser, agenda=[services.AgendaLine("", f"Punkt {i}") for i in range(10)])
    for _ in range(5):
        registrations.register(make.user(), event)
    client = login(organiser)
    with assert_max_queries(15):
        client.get(f"/evenemang/{event.id}/deltagare")
    with assert_max_queries(15):
        client.get(f"/evenemang/{event.id}")


def test_events_are_searchable_with_access_respected(make_event, group, organiser, make, db):
    from network import fulltext

    event = make_event(group, organiser, title="Workshop om trygghetsvandringar")
    closed = make.group(visibility="closed", facilitators=[organiser])
    make_event(closed, organiser, title="Sluten trygghetsvandringar", visibility="group")
    db.session.commit()
    results = fulltext.search(make.user(), "trygghetsvandringar", kinds=["event"])
    assert [hit.entry.object_id for hit in results.hits] == [event.id]
    assert results.hits[0].entry.url == f"/evenemang/{event.id}"
    assert fulltext.search(None, "trygghetsvandringar", kinds=["event"]).total == 0


def test_event_pages_in_english(client, make, make_event, organiser, db):
    group = make.group(visibility="public", facilitators=[organiser])
    event = make_event(group, organiser, visibility="public")
    db.session.commit()
    client.post("/sprak", data={"lang": "en"})
    assert "Upcoming events" in client.get("/evenemang/").get_data(as_text=True)
    page = client.get(f"/evenemang/{event.id}").get_data(as_text=True)
    assert "How to subscribe in your calendar" in page and "Network meeting" in page


def test_series_edit_changes_upcoming_occurrences_but_not_exceptions(login, make, organiser, group,
                                                                     make_event, db):
    from network.events.timeutil import Rule

    first = make_event(group, organiser, rule=Rule("weekly", count=4), place="Gamla stället")
    occurrences = first.series.occurrences
    person = make.user()
    registrations.register(person, occurrences[0])
    services.update_event(organiser, occurrences[1], services.EventData(
        type=occurrences[1].type, group=group, title="Specialträff",
        start=dt.datetime(2027, 1, 27, 13, 0), end=dt.datetime(2027, 1, 27, 15, 0)))
    sequence = first.series.sequence
    client = login(organiser)
    assert "Nätverksträff om trygghet" in client.get(f"/evenemang/serie/{first.series_id}/redigera").get_data(
        as_text=True)
    response = client.post(f"/evenemang/serie/{first.series_id}/redigera", data={
        "title": "Veckoträff", "type": "workshop", "description": "Ny text", "place": "Nya stället",
        "online_url": "", "capacity": "", "agenda": ""})
    assert response.status_code == 302
    titles = [o.title for o in occurrences]
    assert titles == ["Veckoträff", "Specialträff", "Veckoträff", "Veckoträff"]
    assert occurrences[0].place == "Nya stället" and occurrences[0].sequence == 1
    assert first.series.sequence == sequence + 1
    assert login(make.user()).get(f"/evenemang/serie/{first.series_id}/redigera").status_code == 403


def test_every_events_post_route_requires_a_csrf_token(app_config, make_event, group, organiser, db):
    from network import create_app

    event = make_event(group, organiser)
    db.session.commit()
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    key = organiser.get_id()  # opens a server-side session
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = key
    posts = [rule.rule for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith("events") and "POST" in rule.methods]
    assert len(posts) >= 8
    for rule in posts:
        url = re.sub(r"<int:\w+>", "1", rule.replace("<int:event_id>", str(event.id)))
        assert client.post(url, data={}).status_code == 400, url


def test_the_organiser_is_named_with_a_link_to_their_profile_for_members(
        db, make, login, client, group, organiser, make_event):
    event = make_event(group, organiser, visibility="public", title="Öppen träff")
    db.session.commit()
    link = f'href="/medlemmar/{organiser.id}"'
    member_page = login(make.user()).get(f"/evenemang/{event.id}").get_data(as_text=True)
    assert "Arrangör" in member_page and link in member_page
    visitor_page = client.get(f"/evenemang/{event.id}").get_data(as_text=True)
    assert "Olle Arrangör" in visitor_page and link not in visitor_page


def test_the_start_page_panel_shows_a_registration_at_once_and_is_each_member_s_own(
        app, login, make, organiser, group, make_event, db):
    from network.accounts.services import add_member

    app.config["PAGE_CACHE"] = False
    event = make_event(group, organiser, title="Träff om trygghetsvandringar")
    anna, bo = make.user(), make.user()
    for person in (anna, bo):
        add_member(None, group, person)
    db.session.commit()
    anna_client, bo_client = login(anna), login(bo)
    assert "Anmälningar" not in anna_client.get("/").get_data(as_text=True)
    registrations.register(anna, event)
    db.session.commit()
    page = anna_client.get("/").get_data(as_text=True)
    assert "Anmälningar" in page and "Träff om trygghetsvandringar" in page
    assert "Anmälningar" not in bo_client.get("/").get_data(as_text=True)
