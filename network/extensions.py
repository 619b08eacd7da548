"""Extension objects, created once here and bound to an app in ``create_app``."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from network.db import Base


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
