"""Every feature notifies people through these functions: in the app, and by email (through
the core outbox, ``network/outbox.py``) as each member prefers."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, delete, func, or_, select, union_all, update
from sqlalchemy.orm import aliased

from network import cache, permissions
from network.accounts.models import User
from network.db import utcnow
from network.extensions import db
from network.notifications import emails
from network.notifications.models import Notification
from network.outbox import queue_email

log = logging.getLogger(__name__)


# Features register, per subject type, the rule that re-checks notifications for access when
# they are listed or counted, as SQL: (user, subject_id column) -> the statement selecting that
# subject's id where the user may see it (empty when they may not). The badge and the list ask
# it once per notification inside one query however many notifications there are. Registered in
# each feature's init_app; a subject type nobody registers is never shown (closed by default).
SubjectFilter = Callable[[User, ColumnElement], Select]


def register_subject_filter(app, subject_type: str, sql_filter: SubjectFilter,
                            scopes: tuple[str, ...]) -> None:
    """``scopes``: the access scopes (``cache.register_access``) raised by every write that may
    change who can see such a subject; with them the header badge is counted once per change,
    not per page, and every member's cached pages (which show it) are renewed with it."""
    app.extensions.setdefault("notification_filters", {})[subject_type] = sql_filter
    cache.register_member_scopes(app, scopes)


def notify(user: User, kind: str, title: str, *, url: str = "", body: str = "",
           subject_type: str = "", subject_id: int | None = None,
           already_emailed: bool = False) -> Notification | None:
    """Give ``user`` an in-app notification, and email it now if they asked for that.

    ``already_emailed``: the caller has just mailed the same news (e.g. a calendar update), so
    neither an immediate email nor the digest repeats it.
    Callers must only notify people who can see the subject; listing re-checks it anyway.
    """
    if user.deleted_at is not None or not user.active:
        return None
    row = Notification(user_id=user.id, kind=kind, title=title, url=url, body=body,
                       subject_type=subject_type, subject_id=subject_id, created_at=utcnow())
    db.session.add(row)
    if already_emailed:
        row.emailed_at = utcnow()
    elif user.email and user.email_notifications == "immediately":
        subject, text, html = emails.notification_email(user, row)
        queue_email(user.email, subject, text, body_html=html)
        row.emailed_at = utcnow()
    # Not flushed here: a reply's many notifications are written together at the caller's
    # commit (one batched INSERT instead of a flush per watcher).
    return row


def visible_notifications(user: User, *conditions: ColumnElement[bool], limit: int | None = None,
                          columns: tuple | None = None):
    """The user's notifications matching ``conditions`` that they may still see, as a subquery
    with the table's columns: no subject, or a subject of a registered type the user may see.

    One branch per subject type, joined by UNION ALL (the branches exclude each other): each
    reads the member's notifications through their index and asks its type's check as a scalar
    subquery, a primary-key lookup per notification. An OR of EXISTS checks (and even one EXISTS,
    as a semi join) let PostgreSQL hash every visible topic or resource instead (issue 22).
    ``limit``: the newest ``limit`` of each branch, enough for a list or a count capped there.
    ``columns``: only these of the table's columns (a count needs the id alone; every column
    of every branch costs more to build than the query takes to run)."""
    subject_type, subject_id = Notification.subject_type, Notification.subject_id
    filters = current_app.extensions.get("notification_filters", {})
    wheres = [or_(subject_type == "", subject_id.is_(None))]
    wheres += [and_(subject_type == kind, subject_id.is_not(None),
                    sql_filter(user, subject_id).limit(1).scalar_subquery().is_not(None))
               for kind, sql_filter in sorted(filters.items())]
    branches = []
    for where in wheres:
        branch = select(*(columns or (Notification,))).where(
            Notification.user_id == user.id, *conditions, where)
        if limit is not None:
            branch = branch.order_by(Notification.created_at.desc(),
                                     Notification.id.desc()).limit(limit)
        branches.append(select(*branch.subquery().c))
    return union_all(*branches).subquery("visible_notifications")


LIST_LIMIT = 50
SCOPE = "notifications"  # a member's notifications: cache.personal_scope(SCOPE, user_id)
# The header badge counts at most this many (and shows "99+" beyond): its cost stays bounded
# for a member with thousands of unread notifications.
UNREAD_COUNT_LIMIT = 99


def get_notification(user: User, notification_id: int) -> Notification | None:
    """The user's own notification, or None (someone else's is treated as missing)."""
    row = db.session.get(Notification, notification_id)
    return row if row is not None and row.user_id == user.id else None


def notifications_for(user: User, limit: int = LIST_LIMIT) -> list[Notification]:
    """The newest notifications the user may still see; access filtered inside the query."""
    visible = aliased(Notification, visible_notifications(user, limit=limit))
    return list(db.session.scalars(
        select(visible).order_by(visible.created_at.desc(), visible.id.desc()).limit(limit)))


def unread_count(user: User) -> int:
    """Unread notifications the user may still see (the badge must not hint at hidden ones),
    counted in one query up to ``UNREAD_COUNT_LIMIT + 1``, and kept while nothing it depends on
    changed (``cache.member_scopes``): the member's notifications (their ``notifications``
    scope), memberships and groups (``structural``), and who may see a subject (the access
    scopes). Posts, replies, registrations, uploads and the member's own reading (their read
    positions) leave it in place."""
    return unread_count_of(user.id, lambda: user)


def unread_count_of(user_id: int, load_user: Callable[[], User]) -> int:
    """``unread_count`` for the member ``user_id``; ``load_user()`` only when it is not kept."""
    stamp = cache.cache().generation.scope_values(cache.member_scopes(user_id, SCOPE))
    key = ("unread_notifications", user_id)
    known = cache.cache().get(key, stamp)
    if known is None:
        known = _count_unread(load_user())
        cache.cache().set(key, known, stamp, UNREAD_TTL)
    return known


# Notifications are not removed by time, only by writes; the TTL bounds what a missed write
# (none known) could cost.
UNREAD_TTL = 600


# Count statements kept per process and app, by the reader's access state: a badge renewed after
# new notifications reuses its statement (building it, and walking it for SQLAlchemy's cache key,
# cost several times more than running it).
_COUNT_STATEMENTS = "notifications_count_statements"
COUNT_STATEMENTS_KEPT = 512
_count_lock = threading.Lock()


def _count_unread(user: User) -> int:
    return db.session.execute(_count_statement(user)).scalar() or 0


def _count_statement(user: User) -> Select:
    kept: OrderedDict = current_app.extensions.setdefault(_COUNT_STATEMENTS, OrderedDict())
    # The registered subject types too: a type registered later gets statements of its own.
    state = (permissions.access_state(user),
             tuple(current_app.extensions.get("notification_filters", {})))
    with _count_lock:
        statement = kept.get(state)
    if statement is None:
        visible = visible_notifications(user, Notification.read_at.is_(None),
                                        limit=UNREAD_COUNT_LIMIT + 1, columns=(Notification.id,))
        unread = select(visible.c.id).limit(UNREAD_COUNT_LIMIT + 1).subquery()
        statement = select(func.count()).select_from(unread)
        with _count_lock:
            kept[state] = statement
            while len(kept) > COUNT_STATEMENTS_KEPT:
                kept.popitem(last=False)
    return statement


def mark_read(user: User, notification_id: int | None = None) -> None:
    stmt = update(Notification).where(Notification.user_id == user.id,
                                      Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    # Only the member sees their notifications, and no cached page holds them: their badge is
    # renewed, and nobody's pages.
    db.session.execute(stmt.values(read_at=utcnow()).execution_options(
        cache_personal=user.id, cache_pages=False,
        cache_scopes=(cache.personal_scope(SCOPE, user.id),)))


def send_daily_digests(now: dt.datetime | None = None) -> int:
    """One email per 'daily' user with what they have not been mailed yet. Safe to run twice."""
    now = now or utcnow()
    users = db.session.scalars(
        select(User).where(User.email_notifications == "daily", User.deleted_at.is_(None),
                           User.email.is_not(None))
    ).all()
    count = 0
    for user in users:
        visible = aliased(Notification, visible_notifications(
            user, Notification.emailed_at.is_(None), Notification.read_at.is_(None)))
        pending = db.session.scalars(
            select(visible).order_by(visible.created_at, visible.id)).all()
        if not pending:
            continue
        subject, text, html = emails.digest_email(user, pending)
        queue_email(user.email, subject, text, body_html=html)
        for row in pending:
            row.emailed_at = now
        count += 1
    db.session.flush()
    return count


# -- personal data -------------------------------------------------------------------------------


def export_personal_data(user: User) -> list[dict]:
    rows = db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.created_at)).all()
    return [{"title": n.title, "body": n.body, "url": n.url, "created_at": n.created_at,
             "read_at": n.read_at} for n in rows]


def erase_personal_data(user: User) -> None:
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
