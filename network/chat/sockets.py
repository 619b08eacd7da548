"""The chat's one Socket.IO namespace.

Every event goes through ``_run``: it checks the payload's shape, loads the room, asks
``network.chat.permissions`` again (a person removed from the group is disconnected on the next
thing they try), calls a service, commits, and answers through the acknowledgement. Failures
come back as ``{"ok": False, "code": ..., "message": ...}`` and as a ``chat_error`` event with a
message in the user's language; nothing a client sends can raise past this module.

Client → server events and their payloads (every one carries ``room_id``):
    join {last_id?}, leave, history {before_id, limit?}, catch_up {after_id},
    send {client_uuid, body}, remove {message_id}, pin {text}, poll_create {question, options},
    poll_vote {poll_id, option_id}, poll_close {poll_id}, hand {raised}, hand_lower {user_id},
    presence_ping
Server → client events: message, removed, prompt, poll, hands, presence, room_status, chat_error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import current_app, g, request
from flask_babel import refresh
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, Namespace, disconnect, emit, join_room, leave_room, rooms

from network import permissions
from network.accounts.sessions import SessionStoreUnavailable
from network.chat import permissions as chat_permissions
from network.chat import services
from network.chat.broadcast import NAMESPACE, room_channel
from network.chat.models import ChatRoom
from network.chat.services import ChatError
from network.extensions import db
from network.i18n import gettext as _

log = logging.getLogger(__name__)

MAX_PAGE = services.HISTORY_LIMIT


def _unavailable_message() -> str:
    return _("Tjänsten är tillfälligt otillgänglig. Försök igen om en stund.")


def _state() -> dict:
    return current_app.extensions["chat"]


def _fresh_user() -> Any:
    """Forget what this context cached about the user: rights are read again for every event."""
    g.pop("_login_user", None)
    for key in [k for k in g if k.startswith("_group_roles_")]:
        g.pop(key, None)
    refresh()  # the language, too: errors are answered in the user's current choice
    return current_user


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63:
        return value
    return None


def _error(code: str, message: str, room_id: Any = None) -> dict:
    answer = {"ok": False, "code": code, "message": message}
    if _int_or_none(room_id) is not None:
        answer["room_id"] = room_id
    emit("chat_error", answer)
    return answer


def _joined_room_ids() -> set[int]:
    ids = set()
    for name in rooms(namespace=NAMESPACE):
        prefix, _sep, rest = name.partition("-")
        if prefix == "chat" and rest.isdigit():
            ids.add(int(rest))
    return ids


def _track(method: str, *args: Any) -> None:
    """Keep the registry of who has which sockets in which rooms (network/chat/revocation.py)."""
    try:
        getattr(_state()["sockets"], method)(*args)
    except Exception:  # noqa: BLE001 - like presence: the chat goes on; events re-check anyway
        log.exception("chat: socket registry unavailable")


def _user_dict(user: Any) -> dict:
    return {"id": user.id, "name": user.display_name}


class ChatNamespace(Namespace):
    # -- connection ------------------------------------------------------------------------

    def on_connect(self, auth: Any = None) -> None:
        try:
            user = _fresh_user()
            member = permissions.is_member(user)
        except SessionStoreUnavailable:
            raise ConnectionRefusedError(_unavailable_message()) from None
        if not member:
            raise ConnectionRefusedError(_("Logga in för att delta i chatten."))
        _track("connect", user.id, request.sid)

    def on_disconnect(self, reason: Any = None) -> None:
        for room_id in _joined_room_ids():
            self._left(room_id)
        _track("disconnect", request.sid)

    def _left(self, room_id: int) -> None:
        try:
            _state()["presence"].remove(room_id, request.sid)
        except Exception:  # noqa: BLE001 - presence is best effort; the chat goes on without it
            log.exception("chat: presence store unavailable")
            return
        _state()["announcer"].announce(room_id)

    # -- the common path -------------------------------------------------------------------

    def _run(self, data: Any, check: Callable[[Any, ChatRoom], bool],
             action: Callable[[Any, ChatRoom, dict], dict]) -> dict:
        if not isinstance(data, dict):
            return _error("invalid", _("Felaktig begäran."))
        room_id = data.get("room_id")
        try:
            user = _fresh_user()
            member = permissions.is_member(user)
        except SessionStoreUnavailable:  # whose socket this is cannot be checked just now
            return _error("unavailable", _unavailable_message(), room_id)
        if not member:
            disconnect()
            return _error("unauthorized", _("Du är inte längre inloggad. Logga in igen."), room_id)
        room = services.get_room(room_id)
        if room is None:
            return _error("not_found", _("Rummet finns inte eller så saknar du behörighet."), room_id)
        if not chat_permissions.can_view_room(user, room):
            return self._lost_access(room, room_id)
        if not check(user, room):
            return _error("forbidden", self._forbidden_message(room), room_id)
        try:
            answer = action(user, room, data)
            db.session.commit()
        except ChatError as exc:
            db.session.rollback()
            return _error(exc.code, exc.message, room_id)
        except Exception:  # noqa: BLE001 - a bad event must never take the connection down
            db.session.rollback()
            log.exception("chat: event %s failed", request.event.get("message"))
            return _error("server_error", _("Något gick fel. Försök igen om en stund."), room_id)
        return {"ok": True, **answer}

    def _lost_access(self, room: ChatRoom, room_id: Any) -> dict:
        """Someone in the room who may no longer be there is let go, not just refused."""
        if room.id in _joined_room_ids():
            leave_room(room_channel(room.id))
            self._left(room.id)
            _track("left", current_user.id, request.sid, room.id)
            answer = _error("removed", _("Du har inte längre tillgång till det här rummet."), room_id)
            disconnect()
            return answer
        return _error("not_found", _("Rummet finns inte eller så saknar du behörighet."), room_id)

    @staticmethod
    def _forbidden_message(room: ChatRoom) -> str:
        if not room.is_open:
            return _("Rummet är stängt. Du kan läsa men inte skriva.")
        return _("Bara samtalsledaren kan göra det.")

    # -- joining and reading ---------------------------------------------------------------

    def on_join(self, data: Any = None, *_extra: Any) -> dict:
        return self._run(data, chat_permissions.can_join_room, self._join)

    def _join(self, user: Any, room: ChatRoom, data: dict) -> dict:
        # Join before reading so nothing sent in between is missed (the client drops duplicates).
        join_room(room_channel(room.id))
        _track("joined", user.id, request.sid, room.id)
        last_id = _int_or_none(data.get("last_id"))
        if last_id is None:
            messages = services.history(room)
            removed: list[int] = []
            more_before = len(messages) == services.HISTORY_LIMIT
            more_after = False
        else:
            newer = services.messages_after(room, last_id)
            messages = services.late_commits(room, last_id) + newer
            removed = services.removed_ids_after(room, 0, last_id)[-1000:]
            more_before = False
            more_after = len(newer) == services.REPLAY_LIMIT
        presence = _state()["presence"]
        try:
            presence.add(room.id, request.sid, _user_dict(user))
            users = presence.users(room.id)
        except Exception:  # noqa: BLE001
            log.exception("chat: presence store unavailable")
            users = []
        else:
            _state()["announcer"].announce(room.id)
        poll = services.current_poll(room)
        return {
            "room": services.room_dict(room),
            "me": {**_user_dict(user), "can_manage": chat_permissions.can_manage_room(user, room)},
            "messages": [services.message_dict(m) for m in messages],
            "removed_ids": removed,
            "more_before": more_before,
            "more_after": more_after,
            "poll": services.poll_dict(poll),
            "my_vote": services.my_vote(user, poll),
            "hands": services.hands(room),
            "presence": users,
        }

    def on_leave(self, data: Any = None, *_extra: Any) -> dict:
        def leave(user: Any, room: ChatRoom, data: dict) -> dict:
            leave_room(room_channel(room.id))
            self._left(room.id)
            _track("left", user.id, request.sid, room.id)
            return {}

        return self._run(data, lambda user, room: True, leave)

    def on_history(self, data: Any = None, *_extra: Any) -> dict:
        def older(user: Any, room: ChatRoom, data: dict) -> dict:
            before = _int_or_none(data.get("before_id"))
            limit = _int_or_none(data.get("limit")) or MAX_PAGE
            if before is None:
                raise ChatError("invalid", _("Felaktig begäran."))
            messages = services.history(room, before_id=before, limit=min(limit, MAX_PAGE))
            return {"messages": [services.message_dict(m) for m in messages],
                    "more_before": len(messages) == min(limit, MAX_PAGE)}

        return self._run(data, chat_permissions.can_read_history, older)

    def on_catch_up(self, data: Any = None, *_extra: Any) -> dict:
        def newer(user: Any, room: ChatRoom, data: dict) -> dict:
            after = _int_or_none(data.get("after_id"))
            if after is None:
                raise ChatError("invalid", _("Felaktig begäran."))
            newer = services.messages_after(room, after)
            messages = services.late_commits(room, after) + newer
            return {"messages": [services.message_dict(m) for m in messages],
                    "more_after": len(newer) == services.REPLAY_LIMIT}

        return self._run(data, chat_permissions.can_read_history, newer)

    def on_presence_ping(self, data: Any = None, *_extra: Any) -> dict:
        def touch(user: Any, room: ChatRoom, data: dict) -> dict:
            if room.id in _joined_room_ids():
                _state()["presence"].touch(room.id, request.sid)
            return {}

        return self._run(data, chat_permissions.can_join_room, touch)

    # -- writing ---------------------------------------------------------------------------

    def on_send(self, data: Any = None, *_extra: Any) -> dict:
        return self._run(data, chat_permissions.can_read_history, self._send)

    def _send(self, user: Any, room: ChatRoom, data: dict) -> dict:
        client_uuid = services.parse_client_uuid(data.get("client_uuid"))
        # A retried send that was stored already is answered with its id, whatever changed since
        # (the same id with another text is refused).
        existing = services.find_sent(user, room, client_uuid, data.get("body"))
        if existing is not None:
            return {"id": existing.id, "duplicate": True}
        if not chat_permissions.can_post_message(user, room):
            raise ChatError("forbidden", self._forbidden_message(room))
        if room.id not in _joined_room_ids():
            raise ChatError("not_joined", _("Gå med i rummet innan du skriver."))
        if not _state()["rate_limiter"].hit(user.id):
            raise ChatError("rate_limited", _("Du skickar meddelanden för snabbt. Vänta några "
                                              "sekunder och försök igen."))
        message, created = services.store_message(user, room, data.get("body"), client_uuid)
        return {"id": message.id, "duplicate": not created}

    def on_remove(self, data: Any = None, *_extra: Any) -> dict:
        def remove(user: Any, room: ChatRoom, data: dict) -> dict:
            message = services.remove_message(user, room, data.get("message_id"))
            return {"id": message.id}

        return self._run(data, chat_permissions.can_remove_message, remove)

    def on_pin(self, data: Any = None, *_extra: Any) -> dict:
        def pin(user: Any, room: ChatRoom, data: dict) -> dict:
            services.set_prompt(user, room, data.get("text"))
            return {}

        return self._run(data, chat_permissions.can_pin_prompt, pin)

    def on_poll_create(self, data: Any = None, *_extra: Any) -> dict:
        def create(user: Any, room: ChatRoom, data: dict) -> dict:
            poll = services.create_poll(user, room, data.get("question"), data.get("options"))
            return {"poll_id": poll.id}

        return self._run(data, chat_permissions.can_run_poll, create)

    def on_poll_vote(self, data: Any = None, *_extra: Any) -> dict:
        def vote(user: Any, room: ChatRoom, data: dict) -> dict:
            services.vote(user, room, data.get("poll_id"), data.get("option_id"))
            return {"option_id": data.get("option_id")}

        return self._run(data, chat_permissions.can_vote, vote)

    def on_poll_close(self, data: Any = None, *_extra: Any) -> dict:
        def close(user: Any, room: ChatRoom, data: dict) -> dict:
            services.close_poll(user, room, data.get("poll_id"))
            return {}

        return self._run(data, chat_permissions.can_manage_room, close)

    def on_hand(self, data: Any = None, *_extra: Any) -> dict:
        def hand(user: Any, room: ChatRoom, data: dict) -> dict:
            raised = data.get("raised")
            if not isinstance(raised, bool):
                raise ChatError("invalid", _("Felaktig begäran."))
            services.set_hand(user, room, raised)
            return {"raised": raised}

        # Lowering one's own hand stays possible in a closed room.
        return self._run(data, lambda user, room: (chat_permissions.can_raise_hand(user, room)
                                                   or data.get("raised") is False), hand)

    def on_hand_lower(self, data: Any = None, *_extra: Any) -> dict:
        def lower(user: Any, room: ChatRoom, data: dict) -> dict:
            services.lower_hand_of(user, room, data.get("user_id"))
            return {}

        return self._run(data, chat_permissions.can_lower_others_hand, lower)
