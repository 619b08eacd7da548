"""Chat actions mapped onto ``network.permissions``: one function per action.

A room's audience is its group's members (or, for a room tied to an event occurrence with the
"registered" rule, the people registered for it); facilitators of the group and network admins
always belong. Every socket event asks one of these again, so removal from the group takes
effect on the next thing the person tries.
"""

from __future__ import annotations

from typing import Any

from network import permissions
from network.chat.models import ChatRoom, JoinRule


def can_manage_room(user: Any, room: ChatRoom) -> bool:
    """Facilitators of the room's group (and admins) open, close, pin, poll and moderate."""
    return permissions.is_member(user) and permissions.can_manage_group(user, room.group)


def _organises_occurrence(user: Any, room: ChatRoom) -> bool:
    from network.events.permissions import can_manage_event

    return room.occurrence is not None and can_manage_event(user, room.occurrence)


def _in_audience(user: Any, room: ChatRoom) -> bool:
    if not permissions.is_member(user):
        return False
    if can_manage_room(user, room) or _organises_occurrence(user, room):
        return True
    if room.group.archived:
        return False
    if room.join_rule == JoinRule.REGISTERED:
        return _is_registered(user, room)
    return permissions.is_group_member(user, room.group_id)


def _is_registered(user: Any, room: ChatRoom) -> bool:
    """Registered (not waitlisted) for the room's event occurrence, asked afresh every time."""
    from network.events import registrations as events

    if room.occurrence is None:
        return False
    return events.is_registered(user, room.occurrence)


def can_create_room_for(user: Any, occurrence: Any) -> bool:
    """Organisers of an occurrence open its workshop rooms (in the organising group)."""
    from network.events.permissions import can_manage_event

    return (permissions.is_member(user) and can_manage_event(user, occurrence)
            and can_create_room(user, occurrence.group))


def can_view_room(user: Any, room: ChatRoom) -> bool:
    """See the room, join it, read its history and its transcript."""
    return _in_audience(user, room)


def can_join_room(user: Any, room: ChatRoom) -> bool:
    return _in_audience(user, room)


def can_read_history(user: Any, room: ChatRoom) -> bool:
    return _in_audience(user, room)


def can_post_message(user: Any, room: ChatRoom) -> bool:
    """Closed rooms are read-only for everyone, facilitators included."""
    return room.is_open and _in_audience(user, room)


def can_vote(user: Any, room: ChatRoom) -> bool:
    return room.is_open and _in_audience(user, room)


def can_raise_hand(user: Any, room: ChatRoom) -> bool:
    return room.is_open and _in_audience(user, room)


def can_remove_message(user: Any, room: ChatRoom) -> bool:
    return can_manage_room(user, room)


def can_pin_prompt(user: Any, room: ChatRoom) -> bool:
    return room.is_open and can_manage_room(user, room)


def can_run_poll(user: Any, room: ChatRoom) -> bool:
    return room.is_open and can_manage_room(user, room)


def can_lower_others_hand(user: Any, room: ChatRoom) -> bool:
    return can_manage_room(user, room)


def can_open_close_room(user: Any, room: ChatRoom) -> bool:
    return can_manage_room(user, room)


def can_save_transcript(user: Any, room: ChatRoom) -> bool:
    return can_manage_room(user, room)


def can_create_room(user: Any, group: Any) -> bool:
    return permissions.is_member(user) and permissions.can_manage_group(user, group)


def can_create_room_in(user: Any, group: Any, occurrence: Any = None) -> bool:
    """A room in ``group``, or the workshop room of ``occurrence`` (its organisers may open it)."""
    return can_create_room_for(user, occurrence) if occurrence is not None else can_create_room(user, group)


def can_set_hand(user: Any, room: ChatRoom, raised: bool) -> bool:
    """Raise a hand in an open room; lowering one's own stays possible when the room has closed."""
    return can_raise_hand(user, room) or (raised is False and _in_audience(user, room))


permissions.register_auth({
    "chat.create_room": can_create_room_in,
    "chat.set_room_status": can_open_close_room,
    "chat.post_message": can_post_message,
    "chat.remove_message": can_remove_message,
    "chat.set_prompt": can_pin_prompt,
    "chat.create_poll": can_run_poll,
    "chat.vote": can_vote,
    "chat.close_poll": can_manage_room,
    "chat.set_hand": can_set_hand,
    "chat.lower_hand_of": can_lower_others_hand,
    "chat.save_transcript": can_save_transcript,
})
