"""In-app notifications and the email outbox."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from network.notifications import cli, models, views  # noqa: F401 - models: their tables

    app.register_blueprint(views.bp)
    cli.init_app(app)
