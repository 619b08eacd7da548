"""In-app notifications, email notices and daily digests (mail goes through network/outbox.py)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from network.cache import register_personal
    from network.notifications import cli, models, services, views
    from network.views import register_unread_counter

    # A notification is shown to its member alone, in their badge (filled into each response)
    # and their list (never cached): their cached pages stay when one comes or is read.
    register_personal(models.Notification, "user_id", services.SCOPE, pages=False)
    app.register_blueprint(views.bp)
    register_unread_counter(app, services.unread_count_of)
    from network.accounts.privacy import register_personal_data

    register_personal_data(app, "notifications", services.export_personal_data,
                           services.erase_personal_data)
    cli.init_app(app)
