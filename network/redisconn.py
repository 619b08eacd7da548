"""The one place that opens Redis connections for the app's own use.

The cache's data generation and the chat's presence lists share one client (and so one
connection pool) per URL and process, with the same timeouts everywhere. Rate limits go through
Flask-Limiter's storage (``limits``) and the Socket.IO message queue through python-socketio's
manager; both libraries own their connections.
"""

from __future__ import annotations

import threading
from typing import Any

SOCKET_TIMEOUT_SECONDS = 2
_clients: dict[str, Any] = {}
_lock = threading.Lock()


def client(url: str) -> Any:
    """A shared ``redis.Redis`` for ``url`` (thread-safe: redis-py pools its connections)."""
    with _lock:
        found = _clients.get(url)
        if found is None:
            import redis

            found = redis.Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT_SECONDS,
                                         socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
                                         health_check_interval=30)
            _clients[url] = found
        return found
