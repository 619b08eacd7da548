"""One search over everything: forums, resources, events, experience reports and measures.

It reads only ``network.fulltext`` (the shared index every feature writes to), so every hit and
every facet count passes the same access filter inside the query, on both database backends.
"""

from __future__ import annotations

import click
from flask import Flask

from network.i18n import lazy_gettext as _l


@click.command("search-reindex")
def reindex_command() -> None:
    """Recompute every search entry's tokens (after the word rules or compound parts changed)."""
    from network import fulltext
    from network.extensions import db

    count = fulltext.retokenise_all()
    db.session.commit()
    click.echo(f"{count} search entries retokenised")


def init_app(app: Flask) -> None:
    from network.search import views
    from network.views import register_nav

    app.register_blueprint(views.bp)
    app.cli.add_command(reindex_command)
    register_nav(app, "search.index", _l("Sök"), order=90)
