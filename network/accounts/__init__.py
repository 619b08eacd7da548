"""Accounts, organisations, municipalities, areas and groups."""

from __future__ import annotations

from typing import Any

from flask import Flask
from markupsafe import Markup

from network.i18n import lazy_gettext as _l


def my_groups_panel(user: Any) -> Markup | None:
    """Start page: the member's own groups, with links. Kept for the member while nothing
    structural changes (memberships and groups are structural), so other features' writes, which
    renew the start page, do not render it again."""
    from flask import render_template

    from network import permissions
    from network.accounts.services import user_memberships
    from network.fragments import shared

    if not permissions.is_member(user):
        return None
    return shared("accounts:my_groups", user.id, (), lambda: render_template(
        "accounts/panel_my_groups.html", panel={"memberships": user_memberships(user)}), ttl=300)


def admin_panel(user: Any) -> tuple[str, dict] | None:
    from network import permissions

    if not permissions.can_administer(user):
        return None
    return "accounts/panel_admin.html", {}


def register_expertise_themes(app: Flask, themes: dict) -> None:
    """The themes experts are marked with: the library's (``network.resources`` registers them)."""
    app.extensions["expertise_themes"] = dict(themes)


def init_app(app: Flask) -> None:
    from network import fulltext, permissions
    from network.accounts import (
        cli,
        models,
        models_sso,
        privacy,
        services,
        sessions,
        sso_client,
        views,
        views_admin,
        views_directory,
        views_groups,
        views_members,
        views_places,
        views_requests,
        views_sessions,
        views_sso,
    )
    from network.accounts import permissions as accounts_permissions
    from network.cache import register_neutral
    from network.extensions import login_manager
    from network.views import register_nav, register_panel

    # Imported for their routes on views.bp, and for the actions they register.
    del (views_admin, views_directory, views_groups, views_members, views_places, views_requests,
         views_sessions, views_sso, accounts_permissions, models_sso)
    sessions.init_app(app)
    login_manager.user_loader(sessions.load_user)
    # Opening a session and noting last-seen change no cached page; ending one does. The audit
    # log is read only by the admin's member pages, never cached: an audited change raises
    # the scopes of what it changed, the log entry itself nothing.
    register_neutral(models.UserSession, models.AuditLog)
    app.after_request(views.touch_session)
    permissions.set_group_roles_loader(app, services.group_roles_of)
    fulltext.set_places(app, services.SearchPlaces())
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    app.register_blueprint(views.bp)
    cli.init_app(app)
    privacy.init_app(app)
    sso_client.init_app(app)
    register_nav(app, "accounts.groups", _l("Grupper"), order=10)
    register_nav(app, "accounts.directory_list", _l("Medlemmar"), order=70, members_only=True)
    register_nav(app, "accounts.municipalities", _l("Kommuner"), order=80)
    register_nav(app, "accounts.admin", _l("Administration"), order=90, members_only=True,
                 when=permissions.can_administer)
    register_panel(app, my_groups_panel, order=10)
    register_panel(app, admin_panel, order=90)
    _template_helpers(app)


def _template_helpers(app: Flask) -> None:
    from network.accounts.audit_labels import audit_label
    from network.accounts.models import ClassificationLevel
    from network.accounts.passwords import MIN_LENGTH
    from network.accounts.sso import provider_name

    app.jinja_env.globals.update(
        level_label=lambda level: ClassificationLevel(level).label if level else "",
        min_password_length=MIN_LENGTH, audit_label=audit_label, profile_url=profile_url,
        sso_provider_name=provider_name)


def members_profile_url(user: Any) -> str | None:
    """The profile link for what only signed-in members receive (the chat's socket payloads,
    which a connection refused to visitors and re-checked on every event delivers): the same
    rule as ``profile_url``, with a member as the reader."""
    from flask import current_app, has_request_context, url_for

    from network.accounts.directory import profile_open_to_members

    if not profile_open_to_members(user):
        return None
    if has_request_context():
        return url_for("accounts.member_profile", user_id=user.id)
    # A message posted outside a request (a CLI command, a job): the same path.
    adapter = current_app.url_map.bind("localhost", script_name=current_app.config["APPLICATION_ROOT"])
    return adapter.build("accounts.member_profile", {"user_id": user.id})


def profile_url(user: Any) -> str | None:
    """Where a name links to (``macros.person``): the profile, for readers who may open it."""
    from flask import url_for
    from flask_login import current_user

    from network import permissions

    if user is None or not permissions.allowed("accounts.directory.profile", current_user, user):
        return None
    return url_for("accounts.member_profile", user_id=user.id)
