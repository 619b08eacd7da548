"""network: a collaboration platform for crime prevention in Swedish municipalities."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from flask import Flask

from config import Config, load_config

PACKAGE_DIR = Path(__file__).resolve().parent


def socketio_async_mode() -> str:
    """``gevent`` inside a gevent worker (``gunicorn -k gevent``, the scaled setup), else threads.

    The gevent worker patches the standard library before it imports the app; Socket.IO must
    then use gevent's queues and events too. Everywhere else (``flask run``, ``python -m
    network``, tests) it is threading mode with simple-websocket.
    """
    monkey = sys.modules.get("gevent.monkey")
    return "gevent" if monkey is not None and monkey.is_module_patched("socket") else "threading"


# Engine.IO drops the connection of a client whose packet is larger than this. It is kept well
# above what any event may carry (a chat message is at most 4,000 characters) so that a pasted
# megabyte reaches the app and is answered with an error event ("too long") instead of a dropped
# connection; only far larger packets (memory protection) are cut off by the transport.
SOCKET_MAX_PACKET_BYTES = 4 * 1024 * 1024


def create_app(config: Config | dict[str, Any] | str | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(PACKAGE_DIR.parent / "instance"))
    if isinstance(config, dict):
        base = load_config("testing" if config.get("TESTING") else None)
        app.config.from_object(base)
        app.config.update(config)
    else:
        from network.deploy import doctor_requested

        app.config.from_object(config if isinstance(config, Config)
                               else load_config(config, validate=not doctor_requested()))
    from network.deploy import logs

    logs.configure(app.config.get("LOG_FORMAT", "text"))  # once per process

    from network import (  # noqa: F401 - fulltext: its model
        address,
        cache,
        dates,
        errors,
        fragments,
        fulltext,
        httpcache,
        i18n,
        jobs,
        loaders,
        outbox,
        security,
        views,
    )
    from network.db import init_engine_events, tune_postgresql, tune_sqlite
    from network.extensions import (
        babel,
        check_rate_limits,
        csrf,
        db,
        limiter,
        login_manager,
        migrate,
        socketio,
    )

    loaders.init_app(app)  # before any route: ids beyond an integer column answer 404
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(i18n.translation_directories())
    db.init_app(app)
    init_engine_events()
    with app.app_context():
        tune_sqlite(db.engine, app.config.get("SQLITE_MMAP_SIZE", 0))
        tune_postgresql(db.engine)
    cache.init_app(app)
    fragments.init_app(app)
    # The search index is read by the search page alone: keeping it in step with a post does
    # not renew the pages of other parts (see network/cache.py).
    cache.register_scopes(fulltext.SearchEntry, lambda _entry: ("search",))
    cache.register_scopes(fulltext.SearchTerm, lambda _term: ("search",))
    jobs.init_app(app)
    outbox.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR.parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    dates.init_app(app)
    limiter.init_app(app)
    app.before_request(check_rate_limits)
    # The SocketIO object outlives an app (tests build many): drop the previous app's Redis
    # manager so an app without REDIS_URL never inherits one.
    socketio.server_options.pop("client_manager", None)
    # With Redis, the chat's own manager: it lets clients catch up after Redis restarts.
    queue = {}
    if app.config.get("REDIS_URL"):
        from network.chat.broadcast import ChatRedisManager

        queue["client_manager"] = ChatRedisManager(app.config["REDIS_URL"],
                                                   channel=app.config["SOCKETIO_CHANNEL"])
    socketio.init_app(
        app,
        **queue,
        message_queue=app.config.get("REDIS_URL"),
        cors_allowed_origins=app.config["SOCKETIO_ALLOWED_ORIGINS"],
        async_mode=app.config["SOCKETIO_ASYNC_MODE"] or socketio_async_mode(),
        max_http_buffer_size=SOCKET_MAX_PACKET_BYTES,
        # One connection's events are handled one after another, in the order they arrived on
        # the socket (python-socketio's own option; the default runs each in a task of its own,
        # so back-to-back sends were stored out of order). Different connections still run
        # side by side. The browser client also sends one message at a time (static/js/chat.js).
        async_handlers=False,
    )
    httpcache.init_app(app)  # inside ProxyFix (security), outside Flask-SocketIO's middleware
    app.extensions["network_nav"] = []
    app.extensions["network_panels"] = []

    errors.init_app(app)
    security.init_app(app)
    address.init_app(app)
    views.init_app(app)
    init_features(app)
    return app


def init_features(app: Flask) -> None:
    """The feature packages in layering order (tests/test_layers.py); each ``init_app`` registers
    its blueprint, CLI commands, navigation entries and hooks. Only create_app sees them all."""
    from network import (
        accounts,
        api,
        chat,
        deploy,
        events,
        followup,
        forums,
        notifications,
        resources,
        search,
    )

    for feature in (accounts, notifications, resources, forums, events, chat, followup, search,
                    deploy, api):
        feature.init_app(app)
