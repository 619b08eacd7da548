"""The one place that opens Redis connections for the app's own use.

The cache's data generation and the chat's presence lists share one client (and so one
connection pool) per URL and process, with the same timeouts everywhere. Rate limits go through
Flask-Limiter's storage (``limits``) and the Socket.IO message queue through python-socketio's
manager; both libraries own their connections. The job queue (``network/jobs.py``, RQ) gets
its own blocking client from here.
"""

from __future__ import annotations

import threading
from typing import Any

SOCKET_TIMEOUT_SECONDS = 2
_clients: dict[tuple[str, bool], Any] = {}
_lock = threading.Lock()


def client(url: str, *, blocking: bool = False) -> Any:
    """A shared ``redis.Redis`` for ``url`` (thread-safe: redis-py pools its connections).

    ``blocking``: for the job queue's worker, which waits on the queue for minutes at a time, so
    its reads have no time limit (connecting still has one).
    """
    with _lock:
        found = _clients.get((url, blocking))
        if found is None:
            import redis

            found = redis.Redis.from_url(
                url, socket_timeout=None if blocking else SOCKET_TIMEOUT_SECONDS,
                socket_connect_timeout=SOCKET_TIMEOUT_SECONDS, health_check_interval=30)
            _clients[(url, blocking)] = found
        return found
