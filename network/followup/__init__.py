"""Follow-up: situation pictures, action plans, measures, indicators, support and the
experience bank. See ``permissions.py`` for who sees what."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from network.followup import (  # noqa: F401 - routes on views.bp
        bank,
        cli,
        county,
        duty_views,
        links,
        programme,
        report_views,
        review_views,
        topics,
        views,
    )
    from network.views import register_nav

    app.register_blueprint(views.bp)
    register_nav(app, "followup.index", _l("Uppföljning"), order=60, members_only=True)
    register_nav(app, "followup.bank", _l("Erfarenhetsbank"), order=65)
    cli.init_app(app)
    links.init_app(app)
