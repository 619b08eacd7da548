"""Event factories: ``make_event(group, organiser, ...)`` creates through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from network.events import services
from network.events.models import EventType
from network.events.timeutil import Rule

FUTURE = dt.datetime(2027, 1, 20, 10, 0)  # a Wednesday, local Stockholm time


@pytest.fixture
def make_event(db):
    def _make(group, organiser, *, start=FUTURE, hours=2, title="Nätverksträff om trygghet",
              visibility="members", rule: Rule | None = None, all_day=False, days=1, **kw):
        end = start + (dt.timedelta(days=days - 1) if all_day else dt.timedelta(hours=hours))
        data = services.EventData(type=kw.pop("type", EventType.NETWORK_MEETING), group=group,
                                  title=title, start=start, end=end, all_day=all_day,
                                  visibility=visibility, **kw)
        event = services.create_event(organiser, data, rule)
        db.session.flush()
        return event

    return _make


@pytest.fixture
def organiser(make):
    return make.user(name="Olle Arrangör")


@pytest.fixture
def group(make, organiser):
    return make.group(name="Trygghetsnätverket", facilitators=[organiser])

