"""The public calendar feed of a network with 1,000 events, served from the feed cache.

Setup also times the cold generation of that feed and prints it (target: at most 300 ms): the
whole request in-process with an empty feed cache, so loading the 1,000 events from the
database, building the calendar and gzipping it (median and worst of five).
Feature target: a cached feed at >= 50 % of hello-world req/s (``events_feed_304``: >= 80 %).
"""

from __future__ import annotations

import gzip
import time
from pathlib import Path

from bench import harness

EVENTS = 1000
PATH = "/evenemang/kalender/offentlig.ics"
CLIENT_HEADERS = {"Accept-Encoding": "gzip"}


def setup(instance_dir: Path, base_url: str) -> harness.Target:
    with harness.app_context(instance_dir):
        create_events()
        median, worst = time_cold_feed()
        print(f"events_feed: cold feed of {EVENTS} events: median {median:.0f} ms, worst "
              f"{worst:.0f} ms (target <= 300 ms)", flush=True)
    # Calendar clients (Outlook, Google, Apple) ask for gzip; so does this benchmark.
    return harness.Target(paths=[PATH], headers=CLIENT_HEADERS)


def create_events(count: int = EVENTS) -> None:
    import datetime as dt

    from network.accounts import services as accounts
    from network.accounts.models import GroupKind, GroupRole, GroupVisibility
    from network.events import services
    from network.events.models import EventType
    from network.extensions import db

    organiser = accounts.create_user("bench.events@example.se", None, "Eva Evenemang")
    group = accounts.create_group(None, "Nationella nätverket", GroupKind.THEMATIC,
                                  visibility=GroupVisibility.PUBLIC)
    accounts.add_member(None, group, organiser, GroupRole.FACILITATOR)
    types = list(EventType)
    start = dt.datetime(2027, 1, 4, 9, 0)
    for n in range(count):
        begin = start + dt.timedelta(days=n // 3, hours=3 * (n % 3))
        services.create_event(organiser, services.EventData(
            type=types[n % len(types)], group=group, title=f"Nätverksträff {n + 1}: lägesbild och åtgärder",
            start=begin, end=begin + dt.timedelta(hours=2), visibility="public",
            description="Vi går igenom **lägesbilden** och delar erfarenheter av åtgärder i utsatta områden.",
            place="Stadshuset, sal 3", agenda=[services.AgendaLine("09:00", "Inledning", "Samordnaren")],
        ))
    db.session.commit()


def time_cold_feed() -> tuple[float, float]:
    """Milliseconds for a whole feed request with nothing cached (median, worst of five)."""
    import statistics

    from flask import current_app

    from network.cache import cache

    app = current_app._get_current_object()
    client = app.test_client()
    times = []
    for _ in range(5):
        cache().clear()  # empty: bodies and meta
        started = time.perf_counter()
        response = client.get(PATH, headers=CLIENT_HEADERS, base_url="https://localhost")
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"cold feed answered {response.status_code}")
        events = gzip.decompress(response.data).count(b"BEGIN:VEVENT")
        if events < EVENTS:
            raise RuntimeError(f"cold feed held {events} events, not {EVENTS}")
    return statistics.median(times), max(times)
