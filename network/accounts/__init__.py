"""Accounts, organisations, municipalities, areas and groups."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from network.accounts import cli, services, views
    from network.extensions import login_manager

    login_manager.user_loader(services.load_user_from_cookie)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    app.register_blueprint(views.bp)
    cli.init_app(app)
