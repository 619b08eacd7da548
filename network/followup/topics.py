"""Forum topics linked to a measure (issue 8: "linked resources and forum topics").

The link table lives here; whether a viewer may see a topic is always asked of the forums
feature, so a topic in a closed group shows only to those who can read it there.
"""

from __future__ import annotations

import re
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import selectinload

from network.extensions import db
from network.followup import permissions as followup_permissions
from network.followup.models import Measure, measure_topics
from network.followup.views import bp, load_measure
from network.forums.models import Category, Topic
from network.forums.permissions import can_view_topic
from network.forums.services import topic_path
from network.i18n import gettext as _

_TOPIC_URL = re.compile(r"/forum/t/(\d+)")


def parse_topic_ref(text: str) -> int | None:
    """A topic id from ``123`` or a topic address such as ``https://…/forum/t/123#svar``."""
    text = (text or "").strip()
    if text.isdigit():
        return int(text)
    match = _TOPIC_URL.search(text)
    return int(match.group(1)) if match else None


def visible_topic(user: Any, topic_id: int | None) -> Topic | None:
    topic = db.session.get(Topic, topic_id) if topic_id else None
    return topic if topic is not None and can_view_topic(user, topic) else None


def linked_topics(user: Any, measure_id: int) -> list[Topic]:
    """The measure's linked topics that ``user`` may see, newest first."""
    topics = db.session.scalars(
        select(Topic).join(measure_topics, measure_topics.c.topic_id == Topic.id)
        .where(measure_topics.c.measure_id == measure_id)
        .options(selectinload(Topic.category).selectinload(Category.group))
        .order_by(Topic.created_at.desc()))
    return [topic for topic in topics if can_view_topic(user, topic)]


def link_topic(measure: Measure, topic: Topic) -> bool:
    """Link once; False when it was already linked."""
    exists = db.session.execute(select(measure_topics).where(
        measure_topics.c.measure_id == measure.id, measure_topics.c.topic_id == topic.id)).first()
    if exists:
        return False
    db.session.execute(insert(measure_topics).values(measure_id=measure.id, topic_id=topic.id))
    db.session.flush()
    return True


def unlink_topic(measure: Measure, topic_id: int) -> None:
    db.session.execute(delete(measure_topics).where(
        measure_topics.c.measure_id == measure.id, measure_topics.c.topic_id == topic_id))
    db.session.flush()


def _editable_measure(measure_id: int) -> Measure:
    measure = load_measure(measure_id)
    if not followup_permissions.can_edit_municipality(current_user, measure.municipality_code):
        abort(403)
    return measure


@bp.post("/uppfoljning/atgard/<int:measure_id>/forumtradar")
@login_required
def topic_link(measure_id: int):
    measure = _editable_measure(measure_id)
    back = url_for(".measure", measure_id=measure.id) + "#forumtradar"
    topic = visible_topic(current_user, parse_topic_ref(request.form.get("topic", "")))
    if topic is None:
        flash(_("Ange adressen eller numret till en forumtråd som du kan läsa."), "error")
        return redirect(back)
    if link_topic(measure, topic):
        db.session.commit()
        flash(_("Forumtråden är länkad till åtgärden."), "success")
    else:
        flash(_("Forumtråden är redan länkad."), "info")
    return redirect(back)


@bp.post("/uppfoljning/atgard/<int:measure_id>/forumtradar/<int:topic_id>/ta-bort")
@login_required
def topic_unlink(measure_id: int, topic_id: int):
    measure = _editable_measure(measure_id)
    unlink_topic(measure, topic_id)
    db.session.commit()
    flash(_("Länken till forumtråden är borttagen."), "success")
    return redirect(url_for(".measure", measure_id=measure.id) + "#forumtradar")


__all__ = ["linked_topics", "link_topic", "parse_topic_ref", "topic_path", "unlink_topic", "visible_topic"]
