"""A versioned JSON API (``/api/v1``) over every feature, with the pages' own access rules;
personal access tokens; the OpenAPI document and its page; the DCAT-AP-SE catalogue.

It sits on top, like search: it reads other features only through their services, queries and
permission modules, and changes things only through their service actions.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from network.api import permissions as _permissions  # noqa: F401 - registers api.* actions
    from network.api import (  # noqa: F401 - each module registers its endpoints
        views_dcat,
        views_events,
        views_followup,
        views_forums,
        views_library,
        views_pages,
        views_places,
        views_search,
    )
    from network.api.blueprint import bp
    from network.extensions import csrf

    # Writes need a bearer token, which a cross-site form cannot send: no CSRF token needed.
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.register_blueprint(views_pages.pages)
