"""chat.stats: rooms used, messages and distinct participants in a period."""

from __future__ import annotations

import datetime as dt
import uuid

from network.chat import services

UTC = dt.UTC


def test_stats_count_rooms_messages_and_participants_in_the_period(make_room, make, db):
    facilitator = make.user()
    group = make.group(facilitators=[facilitator])
    used = make_room(group=group, facilitator=facilitator)
    quiet = make_room(group=group, facilitator=facilitator, title="Tyst rum")
    services.post_message(facilitator, used, "Välkomna", str(uuid.uuid4()))
    services.post_message(facilitator, used, "Första frågan", str(uuid.uuid4()))
    old, _ = services.post_message(facilitator, quiet, "Förra året", str(uuid.uuid4()))
    old.created_at = dt.datetime(2020, 1, 1, tzinfo=UTC)
    db.session.flush()

    assert services.stats(dt.datetime(2024, 1, 1, tzinfo=UTC), None) == {
        "rooms": 1, "messages": 2, "participants": 1}
    assert services.stats(None, None)["rooms"] == 2
