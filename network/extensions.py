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


def rate_limited(*args, **kwargs):
    """``limiter.limit(...)`` for a route, marked so that ``check_rate_limits`` checks it.

    The platform's limits all sit on their own routes (the login form, token feeds). With
    Flask-Limiter's automatic check every request would first be searched for default,
    application and blueprint limits, which the platform does not set; that search cost about a
    fifth of a cached page. So the limiter runs with ``auto_check=False`` and the documented
    ``Limiter.check()`` is called only for marked routes, or for every route once default or
    application limits are configured.
    """
    decorate = limiter.limit(*args, **kwargs)

    def mark(view):
        limited_view = decorate(view)
        limited_view.rate_limited = True
        return limited_view

    return mark


def check_rate_limits() -> None:
    """A before-request hook: the limiter's documented explicit check, where limits apply."""
    from flask import current_app, request

    view = current_app.view_functions.get(request.endpoint or "")
    config = current_app.config
    if (getattr(view, "rate_limited", False) or config.get("RATELIMIT_DEFAULT")
            or config.get("RATELIMIT_APPLICATION")):
        limiter.check()


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[], auto_check=False)
socketio = SocketIO()
