"""The mixed workload's members, its request mix and its form encoding."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from bench import mixed
from bench._mixed_data import PASSWORD, build_members


def _content(make, db):
    from network.events import services as events
    from network.events.models import EventType
    from network.forums import services as forums
    from network.resources import services as resources

    admin = make.admin()
    group = make.group(name="Lokal samverkansgrupp Ronna")
    make.group(name="Grovt våld")
    category = forums.create_category(admin, "Trygghet i centrum")
    forums.create_topic(admin, category, "Trygghetsvandringar", "Första inlägget")
    resources.create_resource(admin, title="Metodstöd", type="metodstod", visibility="members",
                              external_url="https://example.se/")
    start = dt.datetime(2027, 1, 20, 10, 0)
    events.create_event(admin, events.EventData(
        type=EventType.NETWORK_MEETING, group=group, title="Nätverksträff", start=start,
        end=start + dt.timedelta(hours=2), all_day=False, visibility="members"), None)
    db.session.commit()


def test_members_are_built_with_groups_and_notifications_and_log_in_through_the_form(
        make, db, client):
    from network.accounts.models import Membership, User
    from network.notifications.models import Notification

    _content(make, db)
    emails, ids = build_members(30, seed=1)
    assert len(emails) == 30 and all(ids.values())
    members = db.session.scalars(select(User.id).where(User.email.in_(emails))).all()
    assert len(members) == 30
    in_groups = db.session.scalar(select(func.count(func.distinct(Membership.user_id)))
                                  .where(Membership.user_id.in_(members)))
    assert 20 <= in_groups <= 30  # nearly everyone is in a group
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id.in_(members))) > 0
    response = client.post("/logga-in", data={"email": emails[0], "password": PASSWORD})
    assert response.status_code == 302


def test_the_mix_asks_for_pages_and_writes_of_every_kind():
    ids = {"topics": [1, 2, 3], "categories": [4], "resources": [5], "events": [6]}
    mix = mixed.Mix(ids, writes=0.05, seed=3)
    pages = {mix.page() for _ in range(500)}
    assert {"/", "/forum/", "/bibliotek/", "/evenemang/", "/erfarenhetsbank", "/forum/k/4",
            "/bibliotek/5", "/evenemang/6"} <= pages
    member = mixed.Member("a@example.se", 80, csrf="token")
    writes = {mix.write(member)[1].rsplit("/", 1)[-1] for _ in range(200)}
    assert writes == {"svara", "anmalan", "ny", "las-alla"}


def test_the_upload_is_a_well_formed_multipart_body():
    from email.parser import BytesParser
    from email.policy import HTTP

    body, content_type = mixed._multipart({"csrf_token": "t", "title": "Anteckningar"}, "files",
                                          "a.txt", "Lägesbild\n".encode())
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    parts = {part.get_param("name", header="content-disposition"): part
             for part in message.iter_parts()}
    assert parts["title"].get_content() == "Anteckningar"
    assert parts["files"].get_filename() == "a.txt"
    assert parts["files"].get_payload(decode=True) == "Lägesbild\n".encode()


def test_server_cpu_is_read_when_the_measured_window_opens_not_before_the_warmup():
    """CPU per request divides the window's CPU by the window's requests: the warm-up's CPU
    (cold caches) must not be in it. Members here point at a closed port: every request fails
    at once, and only the timing of the hook is checked."""
    import socket
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends
    opened = []
    began = time.perf_counter()
    tally, elapsed = mixed.drive(
        [mixed.Member(f"m{n}@example.se", port) for n in range(4)],
        {"categories": [1], "topics": [1], "resources": [1], "events": [1]},
        duration=0.3, warmup=0.4, writes=0.0, connections=2,
        on_measure=lambda: opened.append(time.perf_counter() - began))
    assert len(opened) == 1 and opened[0] >= 0.4
    assert 0.25 <= elapsed < 2 and tally.errors == len(tally.latencies) > 0
    assert sum(map(len, tally.by_kind.values())) == len(tally.latencies)  # each under its kind
    assert set(tally.by_kind) <= {kind for kind, _weight in mixed.PAGE_WEIGHTS}


def test_the_ratios_are_to_the_mean_of_hello_world_before_and_after_the_run():
    """One hello-world measurement may catch a noisy moment of the machine: the mixed run is
    compared with the mean of one taken before it and one after."""
    import argparse

    from bench import loadgen

    args = argparse.Namespace(backend="sqlite", members=100, writes=0.05)
    tally = mixed.Tally(latencies=[10.0] * 99 + [50.0], by_kind={"start": [10.0] * 100})
    hellos = [loadgen.LoadResult("python", 1000, 1.0, rps, 1.0, p99, 0, server_cpu_ms=0.2)
              for rps, p99 in ((2000.0, 4.0), (4000.0, 6.0))]
    result = mixed._result(args, tally, 1.0, 0.5, 10, *hellos)
    assert result["hello"]["rps"] == 3000.0 and result["hello"]["p99_ms"] == 5.0
    assert result["rps_ratio"] == 100 / 3000.0
    assert [h["rps"] for h in result["hello_runs"]] == [2000.0, 4000.0]
    text = mixed.format_result(result)
    assert "hello before" in text and "hello after" in text and "hello (mean)" in text
