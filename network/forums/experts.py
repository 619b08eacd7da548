"""Ask the expert: questions reach the experts on their category's theme, programme staff see
the questions nobody has answered, and answers by experts carry a badge.

A category may carry one of the library's themes (the themes members are marked as experts on,
``accounts.directory``). A new topic in a question-and-answer category with a theme notifies
every active expert on that theme who may read the category — in-app, and by email as each of
them chose (``notifications.notify``); nobody who cannot read the question is told about it.

The badge, in question-and-answer categories (where posts are answers): a post by someone who
is an expert on the category's theme says "Expert på <tema>"; in a Q&A category without a theme,
any expert's posts say "Expert". An expert on schools answering in a category about housing gets
no badge there, so the badge tells the reader the answer comes from someone the programme vouches
for *on this subject*. It is text, not colour. Ordinary discussions show no badge: there it
would rank one voice above the others, and their pages keep their query count (the badge costs
one query per page, for the page's authors).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from network import permissions
from network.accounts.directory import expertise_of, experts_on, theme_labels
from network.accounts.models import User
from network.db import utcnow
from network.extensions import db
from network.forums import permissions as forums_permissions
from network.forums.models import Category, Post, Topic
from network.i18n import gettext

KIND_EXPERT_QUESTION = "forum_expert_question"
STALE_PER_PAGE = 30


def theme_label(theme: str | None) -> str:
    if not theme:
        return ""
    return str(theme_labels().get(theme, theme))


def notify_experts(actor: User, post: Post, sent: set[int]) -> None:
    """Tell the experts on the category's theme about a new question (``sent``: already told,
    grows with everyone notified here)."""
    from network.forums.services import _send, viewer_conditions

    topic = post.topic
    category = topic.category
    if not (category.is_qa and category.theme):
        return
    recipients = db.session.scalars(
        select(User).where(User.id.in_(experts_on(category.theme)), User.id.not_in(sent),
                           *viewer_conditions(category)).order_by(User.id))
    for user in recipients:
        # The SQL mirrors the read rule; the rule itself has the last word.
        if not forums_permissions.can_view_topic(user, topic):
            continue
        sent.add(user.id)
        _send(user, KIND_EXPERT_QUESTION, topic, post,
              lambda: gettext("Fråga till experterna på %(theme)s: %(title)s",
                              theme=theme_label(category.theme), title=topic.title))


def badges(category: Category, posts: list[Post | None]) -> dict[int, str]:
    """{author id: badge text} for the authors of ``posts`` who get an expert badge here."""
    if not category.is_qa:
        return {}
    themes = expertise_of(p.author_id for p in posts if p is not None)
    if category.theme:
        label = gettext("Expert på %(theme)s", theme=theme_label(category.theme))
        return {uid: label for uid, mine in themes.items() if category.theme in mine}
    return {uid: gettext("Expert") for uid in themes}


def unanswered_days() -> int:
    return current_app.config["EXPERT_UNANSWERED_DAYS"]


def stale_questions(viewer: Any, page: int = 1, *, days: int | None = None,
                    now: dt.datetime | None = None):
    """Questions (Q&A categories) without a marked answer, asked more than ``days`` ago, that
    ``viewer`` may read; oldest first."""
    from network.forums.queries import Page

    permissions.check_access("forums.stale_questions", viewer)
    days = unanswered_days() if days is None else days
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    conditions = [Category.is_qa.is_(True), Category.archived.is_(False),
                  Topic.answer_post_id.is_(None), Topic.deleted_at.is_(None),
                  Topic.locked.is_(False), Topic.created_at <= cutoff,
                  forums_permissions.visible_categories_filter(viewer)]
    base = select(Topic).join(Category, Category.id == Topic.category_id).where(*conditions)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    topics = db.session.scalars(
        base.options(contains_eager(Topic.category), selectinload(Topic.author))
        .order_by(Topic.created_at, Topic.id)
        .limit(STALE_PER_PAGE).offset((page - 1) * STALE_PER_PAGE)).all()
    return Page(list(topics), page, STALE_PER_PAGE, total)


def may_see_stale_questions(user: Any, *_objects: Any) -> bool:
    """Programme staff (and administrators) follow up questions nobody answers."""
    return permissions.is_programme_staff(user)


permissions.register_auth({"forums.stale_questions": may_see_stale_questions})
