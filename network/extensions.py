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
    """Flask-Limiter where every limit sits on its own route (the login form, token feeds).

    Flask-Limiter also checks every request before routing, for default, application, meta and
    blueprint limits; the platform sets none, so that check found nothing and cost about a fifth
    of a cached page. It runs again as soon as any such limit is configured.
    """

    def init_app(self, app) -> None:
        # One limiter serves every app a process builds (tests build many): each app's own
        # RATELIMIT_KEY_PREFIX, not the first app's, which Flask-Limiter would otherwise keep.
        self._key_prefix = ""
        super().init_app(app)

    def _check_request_limit(self, callable_name: str | None = None,
                             in_middleware: bool = True) -> None:
        manager = self.limit_manager
        if in_middleware and not (manager.default_limits or manager.application_limits
                                  or manager._blueprint_limits or self._meta_limits):
            return
        super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = RouteLimiter(key_func=get_remote_address, default_limits=[])
socketio = SocketIO()
