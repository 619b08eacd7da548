"""``@handle`` in a workshop chat message notifies the people named, if they may see the room.

Handles are the forum's (``network.forums.mentions``: derived from display names). Only the
room's audience is looked up, and each person found is checked with ``can_view_room``, so a
mention never tells anyone about a room they cannot enter.
"""

from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import select

from network.accounts.models import Membership, User
from network.chat.models import ChatMessage, ChatRoom
from network.chat.permissions import can_view_room
from network.forums.mentions import MAX_MENTIONS, MENTION, handle_of, resolve
from network.i18n import gettext as _
from network.notifications.emails import recipient_locale
from network.notifications.services import notify

SUBJECT_TYPE = "chat_room"


def room_path(room: ChatRoom) -> str:
    return f"/workshoppar/{room.id}"


def handles_in(text: str) -> set[str]:
    found: list[str] = []
    for match in MENTION.finditer(text or ""):
        handle = match.group(1).lower().rstrip(".-")
        if handle and handle not in found:
            found.append(handle)
    return set(found[:MAX_MENTIONS])


def notify_mentions(author: User, room: ChatRoom, message: ChatMessage) -> list[User]:
    """Notify the room's audience named in ``message``; returns who was notified."""
    if "@" not in (message.body or ""):
        return []
    handles = handles_in(message.body)
    if not handles or handle_of(author.name) in handles and len(handles) == 1:
        return []
    audience = select(Membership.user_id).where(Membership.group_id == room.group_id)
    notified = []
    for user in resolve(handles, [User.id.in_(audience), User.deleted_at.is_(None)]):
        if user.id == author.id or not can_view_room(user, room):
            continue
        with force_locale(recipient_locale(user)):
            title = _("%(name)s nämnde dig i %(room)s", name=author.display_name, room=room.title)
        notify(user, "chat.mention", title[:300], url=room_path(room), body=message.body[:300],
               subject_type=SUBJECT_TYPE, subject_id=room.id)
        notified.append(user)
    return notified
