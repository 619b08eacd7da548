"""Follow-up: situation pictures, action plans, measures, indicators, support and the
experience bank. See ``permissions.py`` for who sees what."""

from __future__ import annotations

from flask import Flask

from network.i18n import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from network.accounts.privacy import register_personal_data
    from network.followup import (  # noqa: F401 - routes on views.bp
        bank,
        cli,
        county,
        duty_views,
        links,
        personal_data,
        programme,
        report_views,
        review_views,
        topics,
        views,
    )
    from network.views import register_nav

    app.register_blueprint(views.bp)
    register_personal_data(app, "followup_written", personal_data.export_personal_data,
                           personal_data.keep_on_erasure)
    register_nav(app, "followup.index", _l("Uppföljning"), order=60, members_only=True)
    register_nav(app, "followup.bank", _l("Erfarenhetsbank"), order=65)
    cli.init_app(app)
    links.init_app(app)
