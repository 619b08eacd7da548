"""The resource library: documents, versions, safe downloads, a public catalogue.

Other features attach resources to their things through ``network.resources.services``
(``attach``, ``resources_for``, ``register_link_kind``, ``create_generated_resource``); see
that module's docstring.
"""

from __future__ import annotations

from flask import Flask


def _resource_visible(user, subject_id):
    """Notification subject filter (SQL): ``permissions.can_view_resource`` on the subject."""
    from sqlalchemy import select

    from network.resources.models import Resource
    from network.resources.permissions import visible_resources_filter

    return select(Resource.id).where(Resource.id == subject_id, visible_resources_filter(user))


def init_app(app: Flask) -> None:
    from flask import render_template

    from network.accounts import register_expertise_themes
    from network.accounts.demo import register_seed
    from network.accounts.privacy import register_personal_data
    from network.cache import access_scope, register_access, register_neutral
    from network.fragments import shared
    from network.i18n import lazy_gettext as _l
    from network.notifications.services import register_subject_filter
    from network.resources import cli, demo, indexing, personal_data, storage, views
    from network.resources.listing import listing_scope
    from network.resources.models import THEMES, Resource, ResourceDownload
    from network.resources.services import newest
    from network.views import register_nav, register_panel

    register_neutral(ResourceDownload)  # a download changes no cached page
    register_expertise_themes(app, THEMES)  # experts are marked with the library's themes
    storage.install_session_hooks()
    app.request_class = storage.spooling_request_class(app.request_class)
    app.register_blueprint(views.bp)
    cli.init_app(app)
    indexing.init_app(app)
    register_nav(app, "resources.index", _l("Bibliotek"), order=30, members_only=False)

    def newest_panel(user):
        """The same for every reader of one listing scope: rendered once for all of them."""
        scope = listing_scope(user)

        def render() -> str:
            items = newest(user, limit=5, scope=scope)
            return render_template("resources/_panel.html", panel={"resources": items}) \
                if items else ""

        return shared("resources:newest", scope, ("resources",), render) or None

    register_panel(app, newest_panel, order=30)
    # Who may see a resource: its effective visibility and group (a deleted resource is gone).
    access = access_scope("resources")
    register_access(Resource, access, "effective_visibility", "group_id")
    register_subject_filter(app, "resource", _resource_visible, scopes=(access,))
    register_seed(app, demo.seed_resources)
    register_personal_data(app, "library", personal_data.export_personal_data,
                           personal_data.keep_on_erasure)
