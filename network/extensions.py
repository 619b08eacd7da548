"""Extension objects, created once here and bound to an app in ``create_app``."""

from __future__ import annotations

import time

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from limits.storage import MemoryStorage

from network.db import Base


class SweepingMemoryStorage(MemoryStorage):
    """The ``limits`` library's memory storage (``network-memory://``) without its timer thread.

    ``MemoryStorage`` drops expired counters from a ``threading.Timer`` that it starts again on
    any hit arriving more than 10 ms after the previous sweep: under steady traffic that is an OS
    thread started for most rate-limited requests, a large share of an API call's cost. Expiry
    itself does not need the sweep (a counter past its expiry reads as zero, and moving-window
    entries are compared by time), only memory does; so this storage sweeps in the calling
    thread, at most once every ``SWEEP_SECONDS``. Counting is the parent's, unchanged.
    """

    STORAGE_SCHEME = ["network-memory"]
    SWEEP_SECONDS = 1.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()  # the parent's first sweep: nothing to expire yet
        self._next_sweep = time.monotonic() + self.SWEEP_SECONDS

    def _MemoryStorage__schedule_expiry(self) -> None:
        # Replaces the parent's private hook (called before every hit); tests/test_extensions.py
        # proves hits start no thread and that expired counters are still dropped.
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + self.SWEEP_SECONDS
            self._MemoryStorage__expire_events()


class RouteLimiter(Limiter):
    """Flask-Limiter whose limits are checked only on the routes that carry one.

    The platform's limits all sit on their own routes (the login form, token feeds, the API,
    check-in codes). With Flask-Limiter's automatic check every request would first be searched
    for default, application and blueprint limits, which the platform does not set; that search
    cost about a fifth of a cached page. So the limiter runs with ``auto_check=False``, ``limit``
    marks each view it decorates, and ``check_rate_limits`` calls the documented
    ``Limiter.check()`` for marked views only (or for every view once default or application
    limits are configured).
    """

    def limit(self, *args, **kwargs):
        decorate = super().limit(*args, **kwargs)

        def mark(view):
            limited_view = decorate(view)
            limited_view.rate_limited = True
            return limited_view

        return mark


def rate_limited(*args, **kwargs):
    """A route's own rate limit: ``@rate_limited("10 per hour", methods=["POST"])``."""
    return limiter.limit(*args, **kwargs)


def check_rate_limits() -> None:
    """A before-request hook: the limiter's documented explicit check, where limits apply."""
    from flask import current_app, request

    view = current_app.view_functions.get(request.endpoint or "")
    config = current_app.config
    if (getattr(view, "rate_limited", False) or config.get("RATELIMIT_DEFAULT")
            or config.get("RATELIMIT_APPLICATION")):
        limiter.check()


def installation_key(key: str) -> str:
    """A rate-limit key with the installation's ``RATELIMIT_KEY_PREFIX`` in it.

    The prefix goes into the key itself: Flask-Limiter reads its own key prefix from the first
    app a process builds only, and installations (or test apps) sharing one Redis must not count
    each other's requests.
    """
    from flask import current_app

    return f"{current_app.config['RATELIMIT_KEY_PREFIX']}:{key}"


def remote_address_key() -> str:
    return installation_key(get_remote_address())


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = RouteLimiter(key_func=remote_address_key, default_limits=[], auto_check=False,
                  key_prefix="network")
socketio = SocketIO()
