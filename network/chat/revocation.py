"""Access changes reach open sockets: whoever loses a room stops hearing it at once.

Sockets keep the rooms they joined; Socket.IO keeps sending a room's messages to every socket in
it, whatever happened to the person's rights since. So when access shrinks (removed from or
leaving a group, a cancelled registration, a deactivated account: ``accounts.signals``), every
open socket of that person is re-checked against every room it joined:

- a room the person may no longer see: the socket gets ``access_revoked`` {room_id, code,
  message} and is taken out of the room's channel (``server.leave_room``);
- an account that no longer signs in: ``access_revoked`` {room_id: null, ...}, then the socket
  is disconnected.

Which sockets a person has, and which rooms each joined, is kept by ``SocketRegistry`` (in Redis
when ``REDIS_URL`` is set, so a change made on one process finds sockets on every other; in
memory otherwise). Leaving and disconnecting go through Flask-SocketIO's server, whose client
manager publishes them on the Redis message queue to the process holding the socket.

The rights are read in ``before_commit`` (the changed data is flushed, the transaction still
open) and acted on in ``after_commit``, so nothing happens for a change that is rolled back.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import defaultdict
from typing import Any

from flask import current_app, g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from network.chat.broadcast import NAMESPACE, room_channel
from network.i18n import gettext as _

log = logging.getLogger(__name__)

_QUEUED = "chat_access_rechecks"  # user ids whose sockets to re-check at commit
_ACTIONS = "chat_access_actions"  # what the re-check decided, done after the commit
REGISTRY_TTL = 24 * 3600  # seconds a socket entry lives without being refreshed (Redis)


class MemorySocketRegistry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: dict[int, dict[str, set[int]]] = defaultdict(dict)
        self._owners: dict[str, int] = {}

    def connect(self, user_id: int, sid: str) -> None:
        with self._lock:
            self._sockets[user_id].setdefault(sid, set())
            self._owners[sid] = user_id

    def joined(self, user_id: int, sid: str, room_id: int) -> None:
        with self._lock:
            self._sockets[user_id].setdefault(sid, set()).add(room_id)
            self._owners[sid] = user_id

    def left(self, user_id: int, sid: str, room_id: int) -> None:
        with self._lock:
            self._sockets.get(user_id, {}).get(sid, set()).discard(room_id)

    def disconnect(self, sid: str) -> None:
        with self._lock:
            user_id = self._owners.pop(sid, None)
            if user_id is not None:
                self._sockets.get(user_id, {}).pop(sid, None)

    def sockets_of(self, user_id: int) -> dict[str, set[int]]:
        with self._lock:
            return {sid: set(rooms) for sid, rooms in self._sockets.get(user_id, {}).items()}


class RedisSocketRegistry:
    """A hash per person: sid -> JSON list of joined room ids; and one hash sid -> person."""

    def __init__(self, client: Any, prefix: str) -> None:
        self.redis, self.prefix = client, prefix

    def _key(self, user_id: int) -> str:
        return f"{self.prefix}:sockets:{user_id}"

    def _owners(self) -> str:
        return f"{self.prefix}:socket-owners"

    def _write(self, user_id: int, sid: str, rooms: set[int]) -> None:
        pipe = self.redis.pipeline()
        pipe.hset(self._key(user_id), sid, json.dumps(sorted(rooms)))
        pipe.expire(self._key(user_id), REGISTRY_TTL)
        pipe.hset(self._owners(), sid, user_id)
        pipe.execute()

    def _rooms(self, user_id: int, sid: str) -> set[int]:
        raw = self.redis.hget(self._key(user_id), sid)
        return set(json.loads(raw)) if raw else set()

    def connect(self, user_id: int, sid: str) -> None:
        self._write(user_id, sid, self._rooms(user_id, sid))

    def joined(self, user_id: int, sid: str, room_id: int) -> None:
        self._write(user_id, sid, self._rooms(user_id, sid) | {room_id})

    def left(self, user_id: int, sid: str, room_id: int) -> None:
        if self.redis.hexists(self._key(user_id), sid):
            self._write(user_id, sid, self._rooms(user_id, sid) - {room_id})

    def disconnect(self, sid: str) -> None:
        owner = self.redis.hget(self._owners(), sid)
        pipe = self.redis.pipeline()
        pipe.hdel(self._owners(), sid)
        if owner is not None:
            pipe.hdel(self._key(int(owner)), sid)
        pipe.execute()

    def sockets_of(self, user_id: int) -> dict[str, set[int]]:
        return {(sid.decode() if isinstance(sid, bytes) else sid): set(json.loads(raw))
                for sid, raw in self.redis.hgetall(self._key(user_id)).items()}


def build_registry(config: Any) -> Any:
    url = config.get("REDIS_URL")
    if url:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        return RedisSocketRegistry(client, config.get("CHAT_REDIS_PREFIX", "network-chat"))
    return MemorySocketRegistry()


def registry() -> Any:
    return current_app.extensions["chat"]["sockets"]


# -- re-checking after a change ----------------------------------------------------------------


def queue_recheck(session: Session, user_id: int) -> None:
    """Re-check ``user_id``'s open sockets when ``session`` commits."""
    session.info.setdefault(_QUEUED, set()).add(user_id)


def _on_access_reduced(_sender: Any, *, user_id: int, everything: bool = False) -> None:
    from network.extensions import db

    queue_recheck(db.session(), user_id)


def _decide(session: Session) -> None:
    """before_commit: with the change flushed, decide which sockets lose which rooms."""
    user_ids = session.info.pop(_QUEUED, None)
    if not user_ids:
        return
    try:
        session.flush()
        actions = [action for user_id in sorted(user_ids) for action in _actions_for(user_id)]
    except Exception:  # noqa: BLE001 - the change itself must commit; sockets re-check on use
        log.exception("chat: could not work out socket revocations")
        return
    if actions:
        session.info.setdefault(_ACTIONS, []).extend(actions)


def _actions_for(user_id: int) -> list[tuple]:
    from network.accounts.models import User
    from network.chat import permissions as chat_permissions
    from network.chat.services import get_room
    from network.extensions import db

    sockets = registry().sockets_of(user_id)
    if not sockets:
        return []
    if has_request_context():
        g.pop(f"_group_roles_{user_id}", None)  # read the memberships as they are now
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        return [("disconnect", user_id, sid, sorted(rooms)) for sid, rooms in sockets.items()]
    lost = []
    for sid, rooms in sockets.items():
        for room_id in sorted(rooms):
            room = get_room(room_id)
            if room is None or not chat_permissions.can_view_room(user, room):
                lost.append(("leave", user_id, sid, [room_id]))
    return lost


def _act(session: Session) -> None:
    """after_commit: tell the sockets and take them out, on whichever process holds them."""
    actions = session.info.pop(_ACTIONS, None)
    if not actions:
        return
    state = current_app.extensions["chat"]
    server = state["emitter"].server
    for kind, user_id, sid, room_ids in actions:
        try:
            _revoke(state, server, kind, user_id, sid, room_ids)
        except Exception:  # noqa: BLE001 - the next event on that socket re-checks anyway
            log.exception("chat: could not revoke socket %s", sid)


def _revoke(state: dict, server: Any, kind: str, user_id: int, sid: str, room_ids: list[int]) -> None:
    if kind == "disconnect":
        server.emit("access_revoked", {"room_id": None, "code": "unauthorized",
                                       "message": _("Du är inte längre inloggad. Logga in igen.")},
                    to=sid, namespace=NAMESPACE)
    for room_id in room_ids:
        if kind == "leave":
            server.emit("access_revoked", {
                "room_id": room_id, "code": "removed",
                "message": _("Du har inte längre tillgång till det här rummet.")},
                to=sid, namespace=NAMESPACE)
        server.leave_room(sid, room_channel(room_id), namespace=NAMESPACE)
        registry().left(user_id, sid, room_id)
        try:
            state["presence"].remove(room_id, sid)
            state["announcer"].announce(room_id)
        except Exception:  # noqa: BLE001 - presence is best effort
            log.exception("chat: presence store unavailable")
    if kind == "disconnect":
        server.disconnect(sid, namespace=NAMESPACE)
        registry().disconnect(sid)


def _drop(session: Session) -> None:
    session.info.pop(_QUEUED, None)
    session.info.pop(_ACTIONS, None)


_listening = False


def listen() -> None:
    """Attach once per process: the accounts signal and the session's commit events."""
    global _listening
    if _listening:
        return
    from network.accounts.signals import access_reduced

    access_reduced.connect(_on_access_reduced)
    event.listen(Session, "before_commit", _decide)
    event.listen(Session, "after_commit", _act)
    event.listen(Session, "after_rollback", _drop)
    _listening = True
