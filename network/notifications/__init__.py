"""In-app notifications and the email outbox."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from network.notifications import cli, models, services, views  # noqa: F401 - models: their tables
    from network.views import register_unread_counter

    app.register_blueprint(views.bp)
    register_unread_counter(app, services.unread_count)
    cli.init_app(app)
