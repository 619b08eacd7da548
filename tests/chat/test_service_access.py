"""Every chat action asks ``permissions.check_access`` itself, so a caller that skips the socket
handler's checks (a view, a CLI command, an API) is refused the same way and nothing changes."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from network.chat import services
from network.chat.models import ChatMessage, ChatPoll, ChatRaisedHand, ChatRoom, RoomStatus
from network.permissions import AccessDenied


def _snapshot(db):
    counts = tuple(db.session.scalar(select(func.count()).select_from(m))
                   for m in (ChatRoom, ChatMessage, ChatPoll, ChatRaisedHand))
    rooms = tuple(db.session.execute(select(ChatRoom.id, ChatRoom.status, ChatRoom.pinned_prompt)).all())
    removed = tuple(db.session.scalars(select(ChatMessage.removed_at)))
    return counts, rooms, removed


def test_outsiders_and_plain_members_are_refused_and_nothing_changes(db, make, make_room):
    fac, member, outsider = make.user(), make.user(), make.user()
    group = make.group(facilitators=[fac], members=[member])
    room = make_room(group=group, facilitator=fac)
    message, _ = services.post_message(member, room, "Hej", str(uuid.uuid4()))
    poll = services.create_poll(fac, room, "Först?", ["Ljus", "Vakter"])
    db.session.commit()
    before = _snapshot(db)
    refusals = [
        lambda: services.create_room(member, group, "Eget rum"),
        lambda: services.set_room_status(member, room, RoomStatus.CLOSED),
        lambda: services.post_message(outsider, room, "Smyg", str(uuid.uuid4())),
        lambda: services.remove_message(member, room, message.id),
        lambda: services.set_prompt(member, room, "Min fråga"),
        lambda: services.create_poll(member, room, "Fråga?", ["A", "B"]),
        lambda: services.vote(outsider, room, poll.id, poll.options[0].id),
        lambda: services.close_poll(member, room, poll.id),
        lambda: services.set_hand(outsider, room, True),
        lambda: services.lower_hand_of(member, room, fac.id),
        lambda: services.save_transcript(member, room),
    ]
    for number, call in enumerate(refusals):
        with pytest.raises(AccessDenied):
            call()
        db.session.rollback()
        assert _snapshot(db) == before, number


def test_a_closed_room_takes_no_messages_but_a_hand_can_still_be_lowered(db, make, make_room):
    fac, member = make.user(), make.user()
    group = make.group(facilitators=[fac], members=[member])
    room = make_room(group=group, facilitator=fac)
    services.set_hand(member, room, True)
    services.set_room_status(fac, room, RoomStatus.CLOSED)
    with pytest.raises(AccessDenied):
        services.post_message(member, room, "Sent", str(uuid.uuid4()))
    with pytest.raises(AccessDenied):
        services.set_hand(member, room, True)
    services.set_hand(member, room, False)
