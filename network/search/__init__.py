"""One search over everything: forums, resources, events, experience reports and measures.

It reads only ``network.fulltext`` (the shared index every feature writes to), so every hit and
every facet count passes the same access filter inside the query, on both database backends.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from network.search import views
    from network.views import register_nav

    app.register_blueprint(views.bp)
    register_nav(app, "search.index", _l("Sök"), order=90)
