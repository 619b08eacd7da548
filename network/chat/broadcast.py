"""Persist first, then emit: socket events queued by services go out only after the commit.

Services flush and the caller commits (a socket handler, a view, a CLI command). A service that
changes what clients see queues the event on the session; a listener sends the queued events
when the transaction commits and drops them when it rolls back, so a client is never told about
a message that is not in the database.

The emitter is the app's ``socketio`` (which publishes through Redis to every process when
``REDIS_URL`` is set). A process without a Socket.IO server of its own, such as a CLI command,
swaps in a write-only emitter with ``use_write_only_emitter``.

Presence lists are not stored; ``PresenceAnnouncer`` bunches them instead (see there).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import Any

import socketio
from flask import current_app
from flask_socketio import SocketIO
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

NAMESPACE = "/chat"
_PENDING = "chat_pending_emits"


def room_channel(room_id: int) -> str:
    return f"chat-{room_id}"


def queue_emit(session: Session, event_name: str, payload: dict, room_id: int) -> None:
    session.info.setdefault(_PENDING, []).append((event_name, payload, room_id))


def _emitter() -> Any:
    return current_app.extensions["chat"]["emitter"]


def _send_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    emitter = _emitter()
    for event_name, payload, room_id in pending:
        try:
            emitter.emit(event_name, payload, namespace=NAMESPACE, to=room_channel(room_id))
        except Exception:  # noqa: BLE001 - the data is stored; clients catch up on reconnect
            log.exception("chat: could not emit %s to room %s", event_name, room_id)


def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


_listening = False


def listen() -> None:
    """Attach the commit/rollback listeners once per process (the Session class is shared)."""
    global _listening
    if _listening:
        return
    event.listen(Session, "after_commit", _send_pending)
    event.listen(Session, "after_rollback", _drop_pending)
    _listening = True


def use_write_only_emitter(app: Any) -> None:
    """For processes that run no Socket.IO server: publish straight to the Redis queue."""
    url = app.config.get("REDIS_URL")
    if not url:
        return
    app.extensions["chat"]["emitter"] = SocketIO(
        message_queue=url, channel=app.config["SOCKETIO_CHANNEL"]
    )


class PresenceAnnouncer:
    """Tells a room who is in it: at once after a quiet spell, else ``interval`` after the last.

    Everyone who joins or leaves changes the list everyone in the room gets, so 500 people
    arriving within a minute would cost 500 lists to 500 clients each (250 000 messages, each
    list naming up to 500 people). Bunched, a room gets at most one list per ``interval`` from
    each process, and the last one always reflects the latest change. The joiner gets the list
    in its join answer anyway. ``interval`` 0 sends every change at once.
    """

    def __init__(self, socketio: Any, interval: float) -> None:
        self.socketio, self.interval = socketio, interval
        self._lock = threading.Lock()
        self._last: dict[int, float] = {}
        self._pending: set[int] = set()

    def announce(self, room_id: int) -> None:
        """Call inside an app context, after the presence store has changed."""
        with self._lock:
            if room_id in self._pending:
                return  # the list already due goes out with this change in it
            now = time.monotonic()
            wait = self._last.get(room_id, -math.inf) + self.interval - now
            if wait > 0:
                self._pending.add(room_id)
            else:
                self._last[room_id] = now
        if wait > 0:
            app = current_app._get_current_object()  # type: ignore[attr-defined]
            self.socketio.start_background_task(self._later, app, room_id, wait)
        else:
            self._send(room_id)

    def _later(self, app: Any, room_id: int, wait: float) -> None:
        self.socketio.sleep(wait)
        with self._lock:
            self._pending.discard(room_id)
            self._last[room_id] = time.monotonic()
        with app.app_context():
            self._send(room_id)

    def _send(self, room_id: int) -> None:
        try:
            users = current_app.extensions["chat"]["presence"].users(room_id)
            self.socketio.emit("presence", {"room_id": room_id, "users": users}, namespace=NAMESPACE,
                               to=room_channel(room_id))
        except Exception:  # noqa: BLE001 - presence is best effort; the chat goes on without it
            log.exception("chat: could not announce presence in room %s", room_id)


class ChatRedisManager(socketio.RedisManager):
    """Socket.IO's Redis manager that lets this process's clients catch up after Redis restarts.

    What is published while Redis is away, or before this process has subscribed again, never
    reaches the clients connected here (the messages themselves are stored). So when the
    subscription comes back, their connections are closed: each client reconnects, as after any
    dropped connection, and joins again with the last message id it has, which answers with
    everything after it (``on_join``).
    """

    _subscriptions = 0

    def _redis_connect(self) -> None:
        super()._redis_connect()
        subscribe = self.pubsub.subscribe  # only the listener subscribes

        def subscribe_and_catch_up(*args: Any, **kwargs: Any) -> Any:
            answer = subscribe(*args, **kwargs)
            self._subscriptions += 1
            if self._subscriptions > 1:
                self.server.start_background_task(self.drop_connections)
            return answer

        self.pubsub.subscribe = subscribe_and_catch_up

    def drop_connections(self) -> None:
        """Close the transport of every chat client connected to this process (no clean close:
        a client told to close would not reconnect)."""
        eio_sids = {eio_sid for _sid, eio_sid in self.get_participants(NAMESPACE, None)}
        log.warning("chat: subscribed to Redis again; closing %d connections so that their "
                    "clients catch up", len(eio_sids))
        for eio_sid in eio_sids:
            connection = self.server.eio.sockets.get(eio_sid)
            if connection is not None:
                connection.close(wait=False, abort=True)
