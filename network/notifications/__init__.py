"""In-app notifications and the email outbox."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from network.notifications import cli, models  # noqa: F401 - models: their tables

    cli.init_app(app)
