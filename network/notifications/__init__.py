"""In-app notifications and the email outbox."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from network.cache import register_neutral, register_personal
    from network.notifications import cli, models, services, views
    from network.views import register_unread_counter

    # A notification is shown to its member alone; the outbox on no page at all.
    register_personal(models.Notification, "user_id")
    register_neutral(models.OutboxEmail)
    app.register_blueprint(views.bp)
    register_unread_counter(app, services.unread_count)
    cli.init_app(app)
