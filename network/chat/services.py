"""Workshop rooms: the only code that changes them.

Services take plain arguments and the acting user, change the session and flush; the caller (a
socket handler, a view, a CLI command) commits once. Anything clients must see is queued with
``broadcast.queue_emit`` and sent after that commit: persist first, then emit.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from network import permissions
from network.accounts import members_profile_url
from network.accounts.models import Group, User
from network.accounts.services import audit
from network.chat import broadcast
from network.chat import permissions as chat_permissions  # noqa: F401  (registers the chat actions)
from network.chat.mentions import notify_mentions
from network.chat.models import (
    MAX_MESSAGE_LENGTH,
    MAX_POLL_OPTION_LENGTH,
    MAX_POLL_OPTIONS,
    MAX_POLL_QUESTION_LENGTH,
    MAX_PROMPT_LENGTH,
    ChatMessage,
    ChatPoll,
    ChatPollOption,
    ChatPollVote,
    ChatRaisedHand,
    ChatRoom,
    JoinRule,
    MessageKind,
    RoomStatus,
)
from network.db import utcnow
from network.extensions import db
from network.i18n import gettext as _
from network.permissions import check_access

HISTORY_LIMIT = 100
REPLAY_LIMIT = 500
MAX_TITLE_LENGTH = 200


class ChatError(ValueError):
    """A request that cannot be carried out. ``code`` is for programs, the message for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# Control characters other than tab and newline have no place in a chat line (and PostgreSQL
# refuses NUL); carriage returns are folded into newlines.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(value: Any, max_length: int, *, what: str) -> str:
    if not isinstance(value, str):
        raise ChatError("invalid", _("%(what)s måste vara text.", what=what))
    text = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        raise ChatError("empty", _("%(what)s får inte vara tomt.", what=what))
    if len(text) > max_length:
        raise ChatError("too_long", _("%(what)s får vara högst %(n)s tecken.", what=what, n=max_length))
    return text


def parse_client_uuid(value: Any) -> str:
    try:
        return str(uuid.UUID(value)) if isinstance(value, str) and len(value) <= 36 else _bad_uuid()
    except ValueError:
        return _bad_uuid()


def _bad_uuid() -> str:
    raise ChatError("invalid", _("Meddelandet saknar ett giltigt id. Ladda om sidan."))


# -- rooms -------------------------------------------------------------------------------------


def get_room(room_id: Any) -> ChatRoom | None:
    if not isinstance(room_id, int) or isinstance(room_id, bool) or not 0 < room_id < 2**31:
        return None
    # Joined, not a second query: every socket event loads its room.
    return db.session.get(ChatRoom, room_id, options=[joinedload(ChatRoom.group)])


def create_room(actor: User, group: Group, title: str,
                join_rule: JoinRule = JoinRule.GROUP, occurrence: Any = None) -> ChatRoom:
    """A room of ``group``; with ``occurrence`` it is that event occurrence's workshop room.

    The "registered" rule only makes sense for a room tied to an occurrence.
    """
    check_access("chat.create_room", actor, group, occurrence)
    if occurrence is None and join_rule == JoinRule.REGISTERED:
        raise ChatError("bad_join_rule", _("Bara rum för ett evenemang kan begränsas till anmälda."))
    room = ChatRoom(group=group, title=clean_text(title, MAX_TITLE_LENGTH, what=_("Namnet")),
                    join_rule=join_rule, created_by_id=actor.id if actor else None,
                    occurrence=occurrence)
    db.session.add(room)
    db.session.flush()
    audit(actor, "chat.room.create", room, title=room.title, group_id=group.id,
          occurrence_id=room.occurrence_id)
    return room


def set_room_status(actor: User, room: ChatRoom, status: RoomStatus) -> None:
    check_access("chat.set_room_status", actor, room)
    if room.status == status:
        return
    room.status = status
    room.closed_at = utcnow() if status == RoomStatus.CLOSED else None
    db.session.flush()
    audit(actor, "chat.room.open" if status == RoomStatus.OPEN else "chat.room.close", room)
    if status == RoomStatus.CLOSED:
        db.session.execute(delete(ChatRaisedHand).where(ChatRaisedHand.room_id == room.id))
        _queue_hands(room)
    broadcast.queue_emit(db.session, "room_status", {"room_id": room.id, "status": str(status)}, room.id)


def rooms_for_user(user: Any) -> list[ChatRoom]:
    """Rooms the user may join, open ones first, newest first."""
    if not permissions.is_member(user):
        return []
    query = select(ChatRoom).join(Group, Group.id == ChatRoom.group_id).options(
        selectinload(ChatRoom.group))
    if not permissions.is_admin(user):
        # Group rooms of the user's groups, rooms of occurrences the user has a seat at, and
        # every room of a group the user facilitates.
        from network.events.registrations import my_registered_event_ids

        member_rooms = and_(ChatRoom.group_id.in_(permissions.group_ids(user)),
                            Group.archived.is_(False), ChatRoom.join_rule == JoinRule.GROUP)
        registered_rooms = and_(ChatRoom.occurrence_id.in_(my_registered_event_ids(user)),
                                Group.archived.is_(False), ChatRoom.join_rule == JoinRule.REGISTERED)
        facilitated = permissions.facilitated_group_ids(user)
        query = query.where(or_(member_rooms, registered_rooms, ChatRoom.group_id.in_(facilitated)))
    query = query.order_by((ChatRoom.status == RoomStatus.OPEN).desc(), ChatRoom.id.desc())
    return list(db.session.scalars(query))


def rooms_of_occurrence(occurrence: Any) -> list[ChatRoom]:
    return list(db.session.scalars(
        select(ChatRoom).where(ChatRoom.occurrence_id == occurrence.id)
        .options(selectinload(ChatRoom.group)).order_by(ChatRoom.id)))


# -- messages ----------------------------------------------------------------------------------


def message_dict(message: ChatMessage) -> dict:
    """What clients get. A removed message keeps its place but never its text."""
    removed = message.is_removed
    author = message.author
    return {
        "id": message.id,
        "room_id": message.room_id,
        "kind": str(message.kind),
        "body": "" if removed else message.body,
        "author": None if author is None else _author_dict(author),
        "created_at": message.created_at.isoformat(),
        "removed": removed,
        # Lets the sender match the broadcast to the line it shows as "sending".
        "client_uuid": message.client_uuid,
    }


def _author_dict(author: User) -> dict:
    """Who wrote it; ``profile_url`` when members may open the author's profile. Only members
    ever receive a message (network/chat/sockets.py refuses other connections), so whether a
    member may open it is whether every receiver may."""
    found = {"id": author.id, "name": author.display_name}
    url = members_profile_url(author)
    if url is not None:
        found["profile_url"] = url
    return found


def post_message(user: User, room: ChatRoom, body: Any, client_uuid: Any) -> tuple[ChatMessage, bool]:
    """Store a message once per client UUID. Returns (message, created)."""
    check_access("chat.post_message", user, room)
    client_uuid = parse_client_uuid(client_uuid)
    existing = find_sent(user, room, client_uuid, body)
    if existing is not None:
        return existing, False
    return store_message(user, room, body, client_uuid)


def store_message(user: User, room: ChatRoom, body: Any, client_uuid: str) -> tuple[ChatMessage, bool]:
    """The second half of ``post_message``, for a caller that has just asked ``find_sent`` and
    ``check_access("chat.post_message", ...)`` itself (the socket handler, which answers a
    retried send before asking for access): one query less per message. A copy that another process
    stored in between is still caught by the unique (room, client UUID) constraint."""
    text = clean_text(body, MAX_MESSAGE_LENGTH, what=_("Meddelandet"))
    message = ChatMessage(room_id=room.id, author_id=user.id, kind=MessageKind.TEXT, body=text,
                          client_uuid=client_uuid)
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        # The same send arrived twice at once (two processes); the other one stored it.
        existing = _by_client_uuid(room, client_uuid)
        if existing is None:
            raise
        return _same_send(existing, user, text), False
    message.author = user
    broadcast.queue_emit(db.session, "message", message_dict(message), room.id)
    if "@" in text:
        notify_mentions(user, room, message)
    return message, True


def find_sent(user: User, room: ChatRoom, client_uuid: str, body: Any) -> ChatMessage | None:
    """The message this user already sent with this UUID and this text, if any (a retry).

    The same UUID with another text is not a retry but a client that reuses its ids (or a
    forgery): refused, so the second text is neither lost silently nor stored."""
    existing = _by_client_uuid(room, client_uuid)
    if existing is None:
        return None
    return _same_send(existing, user, clean_text(body, MAX_MESSAGE_LENGTH, what=_("Meddelandet")))


def _by_client_uuid(room: ChatRoom, client_uuid: str) -> ChatMessage | None:
    return db.session.scalar(select(ChatMessage).where(
        ChatMessage.room_id == room.id, ChatMessage.client_uuid == client_uuid))


def _same_send(message: ChatMessage, user: User, text: str) -> ChatMessage:
    """``message`` when it is ``user``'s own with the (cleaned) ``text``; refused otherwise."""
    if message.author_id != user.id:
        raise ChatError("invalid", _("Meddelandet saknar ett giltigt id. Ladda om sidan."))
    if message.body != text:
        raise ChatError("reused_id", _("Meddelandets id har redan använts för en annan text. "
                                       "Ladda om sidan och skicka igen."))
    return message


def post_system_message(room: ChatRoom, text: str) -> ChatMessage:
    """A notice from the platform itself (an event cancelled, a facilitator's CLI command)."""
    message = ChatMessage(room_id=room.id, author_id=None, kind=MessageKind.SYSTEM,
                          body=clean_text(text, MAX_MESSAGE_LENGTH, what=_("Meddelandet")))
    db.session.add(message)
    db.session.flush()
    broadcast.queue_emit(db.session, "message", message_dict(message), room.id)
    return message


def _messages(query) -> list[ChatMessage]:
    return list(db.session.scalars(query.options(selectinload(ChatMessage.author))))


def history(room: ChatRoom, before_id: int | None = None, limit: int = HISTORY_LIMIT) -> list[ChatMessage]:
    """The latest ``limit`` messages (before ``before_id`` when scrolling back), oldest first."""
    query = select(ChatMessage).where(ChatMessage.room_id == room.id)
    if before_id is not None:
        query = query.where(ChatMessage.id < before_id)
    rows = _messages(query.order_by(ChatMessage.id.desc()).limit(limit))
    return rows[::-1]


def messages_after(room: ChatRoom, after_id: int, limit: int = REPLAY_LIMIT) -> list[ChatMessage]:
    """What a reconnecting client missed, oldest first; it asks again while ``limit`` came back."""
    query = select(ChatMessage).where(ChatMessage.room_id == room.id, ChatMessage.id > after_id)
    return _messages(query.order_by(ChatMessage.id).limit(limit))


# Ids are taken when a message is inserted but become visible when its transaction commits; with
# several server processes on PostgreSQL a message can therefore commit just after one with a
# higher id. A reconnecting client gets, besides everything after its last id, the messages
# stored shortly before that one; it drops the ones it has by id.
LATE_COMMIT_WINDOW = dt.timedelta(seconds=5)


def late_commits(room: ChatRoom, last_id: int) -> list[ChatMessage]:
    anchor = db.session.scalar(select(ChatMessage.created_at).where(
        ChatMessage.room_id == room.id, ChatMessage.id <= last_id).order_by(ChatMessage.id.desc()).limit(1))
    if anchor is None:
        return []
    return _messages(select(ChatMessage).where(
        ChatMessage.room_id == room.id, ChatMessage.id <= last_id,
        ChatMessage.created_at >= anchor - LATE_COMMIT_WINDOW).order_by(ChatMessage.id).limit(REPLAY_LIMIT))


def removed_ids_after(room: ChatRoom, since_id: int, last_id: int) -> list[int]:
    """Messages up to ``last_id`` a client saw but a facilitator has since removed."""
    return list(db.session.scalars(select(ChatMessage.id).where(
        ChatMessage.room_id == room.id, ChatMessage.id > since_id, ChatMessage.id <= last_id,
        ChatMessage.removed_at.is_not(None))))


def remove_message(actor: User, room: ChatRoom, message_id: Any) -> ChatMessage:
    check_access("chat.remove_message", actor, room)
    message = db.session.get(ChatMessage, message_id) if _is_id(message_id) else None
    if message is None or message.room_id != room.id:
        raise ChatError("not_found", _("Meddelandet finns inte."))
    if not message.is_removed:
        message.removed_at = utcnow()
        message.removed_by_id = actor.id
        db.session.flush()
        audit(actor, "chat.message.remove", message, room_id=room.id, author_id=message.author_id)
        broadcast.queue_emit(db.session, "removed", {"room_id": room.id, "id": message.id}, room.id)
    return message


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


# -- facilitator's prompt ----------------------------------------------------------------------


def set_prompt(actor: User, room: ChatRoom, text: Any) -> None:
    """Pin a question above the conversation; an empty text unpins it."""
    check_access("chat.set_prompt", actor, room)
    if text is None or (isinstance(text, str) and not text.strip()):
        room.pinned_prompt = ""
    else:
        room.pinned_prompt = clean_text(text, MAX_PROMPT_LENGTH, what=_("Frågan"))
    db.session.flush()
    broadcast.queue_emit(db.session, "prompt", {"room_id": room.id, "text": room.pinned_prompt}, room.id)


# -- polls -------------------------------------------------------------------------------------


def current_poll(room: ChatRoom) -> ChatPoll | None:
    return db.session.scalar(select(ChatPoll).where(ChatPoll.room_id == room.id)
                             .options(selectinload(ChatPoll.options))
                             .order_by(ChatPoll.id.desc()).limit(1))


def create_poll(actor: User, room: ChatRoom, question: Any, options: Any) -> ChatPoll:
    check_access("chat.create_poll", actor, room)
    question = clean_text(question, MAX_POLL_QUESTION_LENGTH, what=_("Frågan"))
    if not isinstance(options, list):
        raise ChatError("invalid", _("Ange svarsalternativen som en lista."))
    labels = [clean_text(o, MAX_POLL_OPTION_LENGTH, what=_("Svarsalternativet")) for o in options
              if not (isinstance(o, str) and not o.strip())]
    if not 2 <= len(labels) <= MAX_POLL_OPTIONS:
        raise ChatError("invalid", _("En omröstning behöver mellan 2 och %(n)s svarsalternativ.",
                                     n=MAX_POLL_OPTIONS))
    previous = current_poll(room)
    if previous is not None and previous.closed_at is None:
        previous.closed_at = utcnow()
    poll = ChatPoll(room_id=room.id, question=question, created_by_id=actor.id,
                    options=[ChatPollOption(position=i, label=label) for i, label in enumerate(labels)])
    db.session.add(poll)
    db.session.flush()
    _queue_poll(room, poll)
    return poll


def _poll_for(room: ChatRoom, poll_id: Any) -> ChatPoll:
    poll = db.session.get(ChatPoll, poll_id) if _is_id(poll_id) else None
    if poll is None or poll.room_id != room.id:
        raise ChatError("not_found", _("Omröstningen finns inte."))
    return poll


def vote(user: User, room: ChatRoom, poll_id: Any, option_id: Any) -> ChatPoll:
    check_access("chat.vote", user, room)
    poll = _poll_for(room, poll_id)
    if poll.closed_at is not None:
        raise ChatError("closed", _("Omröstningen är avslutad."))
    if not _is_id(option_id) or option_id not in {o.id for o in poll.options}:
        raise ChatError("invalid", _("Välj ett av svarsalternativen."))
    row = db.session.get(ChatPollVote, (poll.id, user.id))
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(ChatPollVote(poll_id=poll.id, user_id=user.id, option_id=option_id))
        except IntegrityError:
            row = db.session.get(ChatPollVote, (poll.id, user.id))
    if row is not None:
        row.option_id = option_id
    db.session.flush()
    _queue_poll(room, poll)
    return poll


def close_poll(actor: User, room: ChatRoom, poll_id: Any) -> ChatPoll:
    check_access("chat.close_poll", actor, room)
    poll = _poll_for(room, poll_id)
    if poll.closed_at is None:
        poll.closed_at = utcnow()
        db.session.flush()
    _queue_poll(room, poll)
    return poll


def poll_dict(poll: ChatPoll | None) -> dict | None:
    if poll is None:
        return None
    counts = dict(db.session.execute(
        select(ChatPollVote.option_id, func.count()).where(ChatPollVote.poll_id == poll.id)
        .group_by(ChatPollVote.option_id)).all())
    options = [{"id": o.id, "label": o.label, "votes": counts.get(o.id, 0)} for o in poll.options]
    return {"id": poll.id, "room_id": poll.room_id, "question": poll.question,
            "closed": poll.closed_at is not None, "options": options,
            "total": sum(o["votes"] for o in options)}


def my_vote(user: User, poll: ChatPoll | None) -> int | None:
    if poll is None:
        return None
    row = db.session.get(ChatPollVote, (poll.id, user.id))
    return row.option_id if row else None


def _queue_poll(room: ChatRoom, poll: ChatPoll) -> None:
    broadcast.queue_emit(db.session, "poll", poll_dict(poll), room.id)


# -- raised hands ------------------------------------------------------------------------------


def hands(room: ChatRoom) -> list[dict]:
    rows = db.session.scalars(select(ChatRaisedHand).where(ChatRaisedHand.room_id == room.id)
                              .options(selectinload(ChatRaisedHand.user))
                              .order_by(ChatRaisedHand.raised_at, ChatRaisedHand.user_id))
    return [{"user_id": r.user_id, "name": r.user.display_name, "raised_at": r.raised_at.isoformat()}
            for r in rows]


def set_hand(user: User, room: ChatRoom, raised: bool) -> None:
    check_access("chat.set_hand", user, room, raised)
    row = db.session.get(ChatRaisedHand, (room.id, user.id))
    if raised and row is None:
        try:
            with db.session.begin_nested():
                db.session.add(ChatRaisedHand(room_id=room.id, user_id=user.id))
        except IntegrityError:
            pass  # raised twice at once: it is raised
    elif not raised and row is not None:
        db.session.delete(row)
    db.session.flush()
    _queue_hands(room)


def lower_hand_of(actor: User, room: ChatRoom, user_id: Any) -> None:
    check_access("chat.lower_hand_of", actor, room)
    if not _is_id(user_id):
        raise ChatError("invalid", _("Okänd deltagare."))
    db.session.execute(delete(ChatRaisedHand).where(ChatRaisedHand.room_id == room.id,
                                                    ChatRaisedHand.user_id == user_id))
    db.session.flush()
    _queue_hands(room)


def _queue_hands(room: ChatRoom) -> None:
    broadcast.queue_emit(db.session, "hands", {"room_id": room.id, "hands": hands(room)}, room.id)


# -- what a joining client gets ----------------------------------------------------------------


def room_dict(room: ChatRoom) -> dict:
    return {"id": room.id, "title": room.title, "status": str(room.status),
            "prompt": room.pinned_prompt, "group": {"id": room.group.id, "name": room.group.name}}


def transcript(room: ChatRoom) -> dict:
    """Everything said (removed text left out) and every poll with its results, for reading later."""
    messages = _messages(select(ChatMessage).where(ChatMessage.room_id == room.id)
                         .order_by(ChatMessage.id))
    polls = db.session.scalars(select(ChatPoll).where(ChatPoll.room_id == room.id)
                               .options(selectinload(ChatPoll.options)).order_by(ChatPoll.id))
    return {"room": room, "messages": messages, "polls": [poll_dict(p) for p in polls]}


# -- afterwards: the transcript in the resource library ----------------------------------------

LINK_KIND = "chat_room"


def save_transcript(actor: User, room: ChatRoom) -> Any:
    """Store the transcript (with poll results) as a library resource for the room's audience.

    Visible to the room's group only (``group`` visibility), attached to the room so the library
    shows where it came from.
    """
    check_access("chat.save_transcript", actor, room)
    from network.chat.export import transcript_text
    from network.resources import services as resources
    from network.resources.models import ResourceType

    text = transcript_text(transcript(room))
    resource = resources.create_generated_resource(
        actor, title=_("Logg: %(title)s", title=room.title)[:200],
        filename=f"workshop-{room.id}-logg.txt", content=text.encode("utf-8"),
        content_type="text/plain; charset=utf-8", visibility=permissions.Visibility.GROUP.value,
        group_id=room.group_id, type=ResourceType.TRANSKRIPT,
        summary=_("Logg från workshoppen %(title)s i gruppen %(group)s.", title=room.title,
                  group=room.group.name))
    resources.attach(actor, resource, LINK_KIND, room.id)
    if room.occurrence_id is not None:
        # Among the event's minutes and presentations, like material its organisers attach.
        resources.attach(actor, resource, "event", room.occurrence_id)
    audit(actor, "chat.transcript.save", room, resource_id=resource.id)
    return resource


def link_label(user: Any, room_id: int) -> tuple[str, str] | None:
    """For the library's "used in": the room, when the user may see it."""
    from flask import url_for

    from network.chat.permissions import can_view_room

    room = get_room(room_id)
    if room is None or not can_view_room(user, room):
        return None
    return _("Workshop: %(title)s", title=room.title), url_for("chat.room", room_id=room.id)


def stats(since: dt.datetime | None = None, until: dt.datetime | None = None) -> dict[str, int]:
    """Workshop rooms used, messages written and distinct participants in [since, until]."""
    conditions = [ChatMessage.removed_at.is_(None), ChatMessage.author_id.is_not(None)]
    if since is not None:
        conditions.append(ChatMessage.created_at >= since)
    if until is not None:
        conditions.append(ChatMessage.created_at <= until)
    rooms, messages, participants = db.session.execute(
        select(func.count(func.distinct(ChatMessage.room_id)), func.count(ChatMessage.id),
               func.count(func.distinct(ChatMessage.author_id))).where(*conditions)).one()
    return {"rooms": rooms or 0, "messages": messages or 0, "participants": participants or 0}


def export_personal_data(user: User) -> list[dict]:
    """The person's own chat messages, for their data export (network/accounts/privacy.py)."""
    rows = db.session.execute(
        select(ChatMessage, ChatRoom.title).join(ChatRoom, ChatRoom.id == ChatMessage.room_id)
        .where(ChatMessage.author_id == user.id).order_by(ChatMessage.id)).all()
    return [{"room": title, "room_id": message.room_id, "body": message.body,
             "written_at": message.created_at, "removed_at": message.removed_at}
            for message, title in rows]
