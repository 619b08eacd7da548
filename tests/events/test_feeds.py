"""Feeds over HTTP: access, tokens, caching headers, 304, HEAD, rate limiting."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import recurring_ical_events
import vobject
from icalendar import Calendar

from network.accounts import services as accounts
from network.events import registrations, services, tokens
from network.events.timeutil import Rule
from tests.conftest import namespaced


def summaries(response):
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.data)
    # The independent parser must accept every feed too.
    list(recurring_ical_events.of(cal).between(dt.date(2026, 1, 1), dt.date(2029, 1, 1)))
    return {str(c["SUMMARY"]) for c in cal.walk("VEVENT")}


@pytest.fixture
def world(make, make_event, organiser, db):
    """A public, a members-only and a closed-group event, and people inside and outside."""
    insider, outsider = make.user(name="Inne"), make.user(name="Ute")
    open_group = make.group(visibility="public", facilitators=[organiser])
    closed = make.group(visibility="closed", facilitators=[organiser], members=[insider])
    make_event(open_group, organiser, title="Öppen träff", visibility="public")
    make_event(open_group, organiser, title="Medlemsträff", visibility="members")
    make_event(closed, organiser, title="Sluten workshop", visibility="group", place="Hemlig adress 1")
    db.session.commit()
    return {"insider": insider, "outsider": outsider, "open": open_group, "closed": closed}


def test_public_feed_has_only_public_events(client, world):
    assert summaries(client.get("/evenemang/kalender/offentlig.ics")) == {"Öppen träff"}


def test_public_feed_gives_the_public_place_but_never_the_meeting_link(client, world, make_event,
                                                                        organiser, db):
    make_event(world["open"], organiser, title="Med adress", visibility="public", place="Storgatan 1",
               online_url="https://meet.example.se/hemlig")
    db.session.commit()
    body = client.get("/evenemang/kalender/offentlig.ics").data
    for parsed in (Calendar.from_ical(body), vobject.readOne(body.decode())):
        locations = ([str(c["LOCATION"]) for c in parsed.walk("VEVENT") if c.get("SUMMARY") == "Med adress"]
                     if isinstance(parsed, Calendar)
                     else [v.location.value for v in parsed.vevent_list if v.summary.value == "Med adress"])
        assert locations == ["Storgatan 1"]
    assert b"hemlig" not in body


def test_group_feed_without_token_only_for_public_groups(client, world):
    ok = client.get(f"/evenemang/kalender/grupp/{world['open'].id}.ics")
    assert summaries(ok) == {"Öppen träff"}
    assert client.get(f"/evenemang/kalender/grupp/{world['closed'].id}.ics").status_code == 404


def test_closed_group_feed_only_for_members(client, world, db):
    insider_token = tokens.regenerate_calendar_token(world["insider"])
    outsider_token = tokens.regenerate_calendar_token(world["outsider"])
    db.session.commit()
    gid = world["closed"].id
    feed = client.get(f"/evenemang/kalender/{insider_token}/grupp/{gid}.ics")
    assert summaries(feed) == {"Sluten workshop"}
    assert client.get(f"/evenemang/kalender/{outsider_token}/grupp/{gid}.ics").status_code == 404


def test_personal_feed_has_my_groups_and_my_registrations(client, world, db, make_event, organiser):
    other = make_event(world["open"], organiser, title="Anmäld publik träff", visibility="public")
    registrations.register(world["insider"], other)
    token = tokens.regenerate_calendar_token(world["insider"])
    db.session.commit()
    assert summaries(client.get(f"/evenemang/kalender/{token}/min.ics")) == {
        "Sluten workshop", "Anmäld publik träff"}


def test_outsiders_personal_feed_never_has_closed_group_events(client, world, db):
    token = tokens.regenerate_calendar_token(world["outsider"])
    db.session.commit()
    assert "Sluten workshop" not in summaries(client.get(f"/evenemang/kalender/{token}/min.ics"))


def test_leaving_a_group_removes_its_events_from_the_personal_feed(client, world, db):
    token = tokens.regenerate_calendar_token(world["insider"])
    db.session.commit()
    url = f"/evenemang/kalender/{token}/min.ics"
    assert "Sluten workshop" in summaries(client.get(url))
    accounts.remove_member(None, world["closed"], world["insider"])
    db.session.commit()
    assert "Sluten workshop" not in summaries(client.get(url))


def test_registered_participants_see_the_place_in_their_feed(client, world, db):
    closed_event = db.session.scalar(
        db.select(services.Event).where(services.Event.title == "Sluten workshop"))
    token = tokens.regenerate_calendar_token(world["insider"])
    db.session.commit()
    url = f"/evenemang/kalender/{token}/min.ics"
    assert b"Hemlig adress" not in client.get(url).data
    registrations.register(world["insider"], closed_event)
    db.session.commit()
    assert b"Hemlig adress" in client.get(url).data


@pytest.mark.parametrize("which", ["wrong", "revoked", "old"])
def test_wrong_revoked_or_old_token_gives_404(client, world, db, which):
    token = tokens.regenerate_calendar_token(world["insider"])
    if which == "wrong":
        token = token[:-4] + "AAAA"
    elif which == "revoked":
        tokens.revoke_calendar_token(world["insider"])
    else:
        tokens.regenerate_calendar_token(world["insider"])
    db.session.commit()
    assert client.get(f"/evenemang/kalender/{token}/min.ics").status_code == 404
    assert client.get(f"/evenemang/kalender/{token}/grupp/{world['closed'].id}.ics").status_code == 404


def test_deactivated_user_token_gives_404(client, world, db):
    token = tokens.regenerate_calendar_token(world["insider"])
    world["insider"].active = False
    db.session.commit()
    assert client.get(f"/evenemang/kalender/{token}/min.ics").status_code == 404


def test_repeated_guessing_is_rate_limited(app, client, world, db):
    app.config["EVENTS_FEED_RATE_LIMIT"] = "5/minute"
    good = tokens.regenerate_calendar_token(world["insider"])
    db.session.commit()
    codes = [client.get(f"/evenemang/kalender/guess{i}/min.ics").status_code for i in range(7)]
    assert codes[:5] == [404] * 5
    assert codes[5:] == [429, 429]
    assert client.get(f"/evenemang/kalender/{good}/min.ics").status_code == 429


def test_good_token_refreshes_are_not_rate_limited(app, client, world, db):
    app.config["EVENTS_FEED_RATE_LIMIT"] = "3/minute"
    token = tokens.regenerate_calendar_token(world["insider"])
    db.session.commit()
    assert {client.get(f"/evenemang/kalender/{token}/min.ics").status_code for _ in range(6)} == {200}


def test_etag_and_last_modified_give_304(client, world):
    first = client.get("/evenemang/kalender/offentlig.ics")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag and modified
    again = client.get("/evenemang/kalender/offentlig.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = client.get("/evenemang/kalender/offentlig.ics", headers={"If-Modified-Since": modified})
    assert since.status_code == 304


def test_a_change_gives_a_new_etag(client, world, db):
    etag = client.get("/evenemang/kalender/offentlig.ics").headers["ETag"]
    event = db.session.scalar(db.select(services.Event).where(services.Event.title == "Öppen träff"))
    services.cancel_event(world["open"].memberships[0].user, event)
    db.session.commit()
    response = client.get("/evenemang/kalender/offentlig.ics", headers={"If-None-Match": etag})
    assert response.status_code == 200 and response.headers["ETag"] != etag
    assert b"STATUS:CANCELLED" in response.data


def test_head_works_without_a_body(client, world):
    response = client.head("/evenemang/kalender/offentlig.ics")
    assert response.status_code == 200 and response.data == b""
    assert response.headers["ETag"]


def test_feed_bytes_are_cached(app, client, world, monkeypatch):
    from network.events import ical

    calls = []
    original = ical.build_calendar
    monkeypatch.setattr(ical, "build_calendar", lambda *a, **k: calls.append(1) or original(*a, **k))
    first = client.get("/evenemang/kalender/offentlig.ics").data
    second = client.get("/evenemang/kalender/offentlig.ics").data
    assert first == second and len(calls) == 1


def test_feed_meta_is_not_used_after_a_write_in_another_process(app_config, redis_url, tmp_path):
    """With Redis the data generation is shared: a write anywhere makes every process rebuild."""
    from network import create_app
    from network.cache import cache, generation

    config = {**app_config, "REDIS_URL": redis_url,
              "CACHE_KEY_PREFIX": namespaced(f"feeds-{uuid.uuid4().hex[:8]}")}
    first, second = create_app(config), create_app(config)
    with first.app_context():
        client = first.test_client()
        assert client.get("/evenemang/kalender/offentlig.ics").status_code == 200
        made_at = generation()
        assert cache().get(("events-feed-meta", "public"), made_at) is not None
    with second.app_context():
        cache().generation.bump()  # what a commit in the other process does
    with first.app_context():
        assert cache().get(("events-feed-meta", "public"), generation()) is None


def test_series_feed_over_http_expands_with_exceptions(client, make_event, organiser, make, db):
    group = make.group(visibility="public", facilitators=[organiser])
    first = make_event(group, organiser, title="Månadsträff", visibility="public",
                       rule=Rule("monthly_weekday", count=12))
    services.cancel_event(organiser, first.series.occurrences[2])
    db.session.commit()
    cal = Calendar.from_ical(client.get("/evenemang/kalender/offentlig.ics").data)
    expanded = list(recurring_ical_events.of(cal).between(dt.date(2027, 1, 1), dt.date(2028, 1, 1)))
    assert len(expanded) == 11


def test_fresh_feed_answers_without_database_queries(client, world, count_queries):
    etag = client.get("/evenemang/kalender/offentlig.ics").headers["ETag"]
    with count_queries() as q:
        assert client.get("/evenemang/kalender/offentlig.ics").status_code == 200
        assert client.get("/evenemang/kalender/offentlig.ics",
                          headers={"If-None-Match": etag}).status_code == 304
    assert q.count == 0


def test_any_change_to_events_invalidates_the_fresh_feed_at_once(client, world, make_event, organiser, db):
    etag = client.get("/evenemang/kalender/offentlig.ics").headers["ETag"]
    make_event(world["open"], organiser, title="Helt ny träff", visibility="public")
    db.session.commit()
    response = client.get("/evenemang/kalender/offentlig.ics", headers={"If-None-Match": etag})
    assert response.status_code == 200 and "Helt ny träff" in summaries(response)


def test_stale_meta_is_rechecked_against_the_database(app, client, world, count_queries):
    app.config["EVENTS_FEED_FRESH_SECONDS"] = 0
    client.get("/evenemang/kalender/offentlig.ics")
    with count_queries() as q:
        client.get("/evenemang/kalender/offentlig.ics")
    assert q.count >= 1


def test_calendar_clients_asking_for_gzip_get_it(client, world):
    import gzip

    plain = client.get("/evenemang/kalender/offentlig.ics")
    packed = client.get("/evenemang/kalender/offentlig.ics", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert "Accept-Encoding" in packed.headers["Vary"]
    again = client.get("/evenemang/kalender/offentlig.ics",
                       headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304


def test_a_revoked_token_ends_even_a_repeated_304(client, world, db, count_queries):
    token = tokens.regenerate_calendar_token(world["insider"])
    db.session.commit()
    url = f"/evenemang/kalender/{token}/min.ics"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    with count_queries() as counter:
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert counter.count == 0  # answered in front of Flask (network/httpcache.py)
    tokens.revoke_calendar_token(world["insider"])
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 404
