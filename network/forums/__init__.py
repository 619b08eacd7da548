"""Forums: categories per group or network-wide, topics and posts, ask-the-expert, mentions,
watching, unread tracking, moderation, search and Atom feeds."""

from __future__ import annotations

from flask import Flask

from network.i18n import lazy_gettext as _l


def _topic_visible(user, subject_id):
    """Notification subject filter (SQL): hide notifications of topics the user can no longer
    see, ``permissions.can_view_topic`` as a condition on the notification's subject."""
    from sqlalchemy import or_, select

    from network.forums import permissions as forums_permissions
    from network.forums.models import Category, Topic

    return (
        select(Topic.id).join(Category, Category.id == Topic.category_id)
        .where(Topic.id == subject_id, forums_permissions.visible_categories_filter(user),
               or_(Topic.deleted_at.is_(None), forums_permissions.moderated_categories_filter(user)))
    )


def _post_link(user, post_id: int):
    """The library's "used in" entry for a post: only for readers of the topic, never a deleted
    post (its attachments are hidden with it)."""
    from network.forums import permissions as forums_permissions
    from network.forums import queries, services
    from network.i18n import gettext

    post = queries.load_post(post_id)
    if post is None or post.deleted_at is not None or post.topic.deleted_at is not None:
        return None
    if not forums_permissions.can_view_topic(user, post.topic):
        return None
    return (gettext("%(title)s, inlägg %(number)s i forumet", title=post.topic.title,
                    number=post.number), services.post_path(post.id))


def _latest_panel(user):
    """Start page: recently active topics the user may read, with what is new for them."""
    from network.forums import queries

    page = queries.latest_topics(user, limit=6, counted=False)
    if not page.items:
        return None
    return "forums/_panel.html", {"rows": page.items}


def init_app(app: Flask) -> None:
    from network.accounts.demo import register_seed
    from network.accounts.privacy import register_personal_data
    from network.forums import (  # noqa: F401 - models: tables; views_experts: routes
        demo,
        fragments,
        models,
        personal_data,
        topic_body,
        views,
        views_experts,
    )
    from network.forums.forms import new_client_key
    from network.forums.services import KIND_POST, register_access_rules, register_cache_scopes
    from network.notifications.services import register_subject_filter
    from network.pagecache import register_fresh_value
    from network.permissions import is_programme_staff
    from network.resources.services import register_link_kind
    from network.views import register_nav, register_panel

    register_cache_scopes()
    fragments.init_app(app)
    topic_body.init_app(app)
    app.register_blueprint(views.bp)
    register_fresh_value(views.CLIENT_KEY, new_client_key)
    register_nav(app, "forums.index", _l("Forum"), order=20, members_only=False)
    register_nav(app, "forums.stale_questions", _l("Expertfrågor"), order=88, members_only=True,
                 when=is_programme_staff)
    register_panel(app, _latest_panel, order=20)
    register_subject_filter(app, "forum_topic", _topic_visible,
                            scopes=(register_access_rules(),))
    register_link_kind(app, KIND_POST, _post_link)
    register_seed(app, demo.seed_forums)
    register_personal_data(app, "forums", personal_data.export_personal_data,
                           personal_data.erase_personal_data)
