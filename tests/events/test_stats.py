"""events.stats: meetings held and attendance by organisation type, for the programme report."""

from __future__ import annotations

import datetime as dt

from network.accounts.models import OrganisationType
from network.events import registrations, services

UTC = dt.UTC
SINCE, UNTIL = dt.datetime(2027, 1, 1, tzinfo=UTC), dt.datetime(2027, 3, 31, tzinfo=UTC)


def test_stats_count_meetings_and_registered_attendance_inside_the_period(make, make_event, group,
                                                                          organiser, db):
    inside = make_event(group, organiser, start=dt.datetime(2027, 1, 20, 10, 0), capacity=2)
    make_event(group, organiser, start=dt.datetime(2027, 6, 1, 10, 0))  # outside
    cancelled = make_event(group, organiser, start=dt.datetime(2027, 2, 1, 10, 0))
    services.cancel_event(organiser, cancelled)
    police = make.user(organisation=make.organisation(type=OrganisationType.POLIS))
    municipal = make.user(organisation=make.organisation(type=OrganisationType.KOMMUN))
    waiting = make.user()
    for user in (police, municipal, waiting):
        registrations.register(user, inside, now=dt.datetime(2027, 1, 1, tzinfo=UTC))
    db.session.flush()

    figures = services.stats(SINCE, UNTIL)

    assert figures["meetings_held"] == 1
    assert figures["attended"] == 2  # the third is waitlisted (capacity 2)
    assert figures["attended_polis"] == 1 and figures["attended_kommun"] == 1
    assert services.stats(dt.datetime(2028, 1, 1, tzinfo=UTC), None) == {"meetings_held": 0, "attended": 0}
