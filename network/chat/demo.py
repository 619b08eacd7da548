"""Demo content for ``flask seed-demo``: the coming workshop's room, with a few messages.

Runs after the events hook, which leaves the workshop in ``ctx.shared["events.workshop"]``.
Only registered participants (and the organisers) may join, as for a real workshop.
"""

from __future__ import annotations

import uuid
from typing import Any

from network.chat import services
from network.chat.models import ChatRoom, JoinRule

MESSAGES = (
    ("admin", "Välkomna! Rummet är öppet redan nu för frågor inför workshoppen."),
    ("malmo_polis", "Hej! Jag tar med kartan från vandringen i Rosengård i höstas."),
    ("goteborg_samordnare", "Bra. Vi i Göteborg vill gärna höra hur ni fick med bostadsbolaget."),
    ("civil", "Finns det plats för en ungdomsledare från oss i övningen?"),
    ("admin", "Ja, ta med hen. Skicka namnet till mig så lägger jag till det."),
)


def seed_chat(ctx: Any) -> ChatRoom | None:
    workshop = ctx.shared.get("events.workshop")
    if workshop is None:
        return None
    organiser = ctx.users["admin"]
    room = services.create_room(organiser, workshop.group, workshop.title,
                                join_rule=JoinRule.REGISTERED, occurrence=workshop)
    services.set_prompt(organiser, room, "Vilken är den svåraste delen av en trygghetsvandring "
                                         "efter en skjutning?")
    for key, text in MESSAGES:
        services.post_message(ctx.users[key], room, text, str(uuid.uuid4()))
    ctx.shared["chat.workshop_room"] = room
    return room
