"""A versioned JSON API (``/api/v1``) over every feature, with the pages' own access rules;
personal access tokens; the OpenAPI document and its page; the DCAT-AP-SE catalogue.

It sits on top, like search: it reads other features only through their services, queries and
permission modules, and changes things only through their service actions.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    import click

    from network.api import permissions as api_permissions  # noqa: F401 - registers api.* actions
    from network.api import (  # noqa: F401 - each module registers its endpoints
        ratelimit,
        views_dcat,
        views_events,
        views_followup,
        views_forums,
        views_library,
        views_pages,
        views_places,
        views_search,
        views_webhooks,
        webhooks,
    )
    from network.api.blueprint import bp
    from network.extensions import csrf

    # Writes need a bearer token, which a cross-site form cannot send: no CSRF token needed.
    csrf.exempt(bp)
    app.register_blueprint(bp)
    ratelimit.init_app(app)
    app.register_blueprint(views_pages.pages)
    webhooks.listen(app)

    @app.cli.command("api-deliver-webhooks")
    @click.option("--limit", default=100, show_default=True)
    def deliver_webhooks(limit: int) -> None:
        """Send the due webhook deliveries, retrying failures with back-off (run every minute)."""
        counts = webhooks.deliver_due(limit=limit)
        click.echo("{delivered} levererade, {retrying} försöks igen, {failed} misslyckade.".format(**counts))
