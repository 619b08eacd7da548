"""Every feature notifies people and sends mail through these functions.

Mail is never sent inside a request: ``queue_email`` writes a row that commits with the rest of
the request, and ``deliver_outbox`` (the ``flask send-mail`` command, or the worker) sends what is
due, retrying with back-off so a failing SMTP server loses nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from collections.abc import Callable, Iterable
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import ColumnElement, and_, false, func, or_, select, update

from network import cache
from network.accounts.models import User
from network.db import utcnow
from network.extensions import db
from network.notifications import emails
from network.notifications.models import Notification, OutboxEmail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8

# Features register, per subject type, the rule that re-checks notifications for access when
# they are listed or counted, as SQL: (user, subject_id column) -> condition. The badge and the
# list filter inside one query however many notifications there are. Registered in each
# feature's init_app; a subject type nobody registers is never shown (closed by default).
SubjectFilter = Callable[[User, ColumnElement], ColumnElement[bool]]


def register_subject_filter(app, subject_type: str, sql_filter: SubjectFilter,
                            scopes: tuple[str, ...]) -> None:
    """``scopes``: the cache scopes (``network/cache.py``) whose writes may change who can see
    such a subject; with them the header badge is counted once per change, not per page."""
    app.extensions.setdefault("notification_filters", {})[subject_type] = sql_filter
    app.extensions.setdefault("notification_scopes", set()).update(scopes)


def queue_email(to_addr: str, subject: str, body_text: str, *, body_html: str | None = None,
                attachments: Iterable[tuple[str, str, bytes]] = (),
                calendar: tuple[str, bytes] | None = None) -> OutboxEmail:
    """Put a message in the outbox. ``attachments`` are (filename, content_type, data).

    ``calendar`` is (method, iCalendar bytes) for an invitation (iMIP, RFC 6047): it goes out as
    a ``text/calendar; method=...`` alternative beside the text and HTML bodies, which is where
    Outlook, Google, Apple and Thunderbird look for a meeting to put in the calendar.
    """
    items = [
        {"filename": name, "content_type": ctype, "data_b64": base64.b64encode(data).decode()}
        for name, ctype, data in attachments
    ]
    if calendar is not None:
        method, data = calendar
        items.append({"alternative": True, "content_type": f"text/calendar; method={method}",
                      "data_b64": base64.b64encode(data).decode()})
    row = OutboxEmail(to_addr=to_addr, subject=subject, body_text=body_text, body_html=body_html,
                      attachments=items)
    db.session.add(row)
    db.session.flush()
    return row


def build_message(row: OutboxEmail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_addr
    message["Subject"] = row.subject
    message["Message-ID"] = make_msgid(idstring=f"outbox{row.id}")
    message.set_content(row.body_text)
    items = row.attachments or []
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
    for item in items:
        if item.get("alternative"):
            _add_calendar_alternative(message, item["content_type"], base64.b64decode(item["data_b64"]))
    for item in items:
        if not item.get("alternative"):
            _attach(message, item["filename"], item["content_type"], base64.b64decode(item["data_b64"]))
    return message


def _add_calendar_alternative(message: EmailMessage, content_type: str, data: bytes) -> None:
    """The invitation as the last alternative (the richest one, RFC 2046 §5.1.4): the UTF-8
    bytes as written, CRLF line ends and folding kept, in base64 so no mail server rewraps them."""
    _mime, *params = [part.strip() for part in content_type.split(";")]
    extra = {key.strip(): value.strip() for key, _, value in (p.partition("=") for p in params)}
    data.decode("utf-8")  # refuse anything that is not UTF-8 text
    message.add_alternative(data, maintype="text", subtype="calendar", cte="base64",
                            params={"charset": "utf-8", **extra})


def _attach(message: EmailMessage, filename: str, content_type: str, data: bytes) -> None:
    """Text parts (e.g. ``text/calendar`` invitations) go out as UTF-8 text with ``charset=utf-8``,
    so calendar programs read å, ä and ö right; everything else as bytes."""
    mime, *params = [part.strip() for part in content_type.split(";")]
    maintype, _, subtype = mime.partition("/")
    subtype = subtype or "octet-stream"
    try:
        text = data.decode("utf-8") if maintype == "text" else None
    except UnicodeDecodeError:
        text = None
    if text is None:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
        return
    message.add_attachment(text, subtype=subtype, charset="utf-8", filename=filename)
    part = message.get_payload()[-1]
    for param in params:  # e.g. "method=REQUEST" for calendar invitations
        key, _, value = param.partition("=")
        if key.strip() and key.strip().lower() != "charset":
            part.set_param(key.strip(), value.strip().strip('"'))


def get_transport():
    app = current_app._get_current_object()
    if "mail_transport" not in app.extensions:
        from network.notifications.mail import transport_from_config

        app.extensions["mail_transport"] = transport_from_config(app.config)
    return app.extensions["mail_transport"]


# A claimed message is not due again for this long: another run skips it meanwhile, and if the
# sender crashed mid-send it is retried after the lease (a send never takes this long).
CLAIM_LEASE = dt.timedelta(minutes=15)


def _due(now: dt.datetime) -> tuple:
    return (OutboxEmail.sent_at.is_(None), OutboxEmail.next_attempt_at <= now,
            OutboxEmail.attempts < MAX_ATTEMPTS)


def claim_next(now: dt.datetime, after_id: int = 0) -> OutboxEmail | None:
    """Take the next due message for this run alone, committed before anything is sent.

    The claim counts the attempt and moves ``next_attempt_at`` past a lease in one conditional
    UPDATE (it matches only while the row is still due with the attempts we saw), so two runs at
    once never send one message twice. PostgreSQL also locks the candidate with ``FOR UPDATE SKIP
    LOCKED`` so the runs pass each other instead of queueing; SQLite ends its read before the
    UPDATE, which then waits for the file's write lock and re-checks the row.
    """
    postgres = db.engine.dialect.name == "postgresql"
    while True:
        query = (select(OutboxEmail.id, OutboxEmail.attempts)
                 .where(*_due(now), OutboxEmail.id > after_id)
                 .order_by(OutboxEmail.id).limit(1))
        if postgres:
            query = query.with_for_update(skip_locked=True)
        candidate = db.session.execute(query).first()
        if candidate is None:
            db.session.commit()
            return None
        if not postgres:
            db.session.commit()
        claimed = db.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id == candidate.id, OutboxEmail.attempts == candidate.attempts,
                   *_due(now))
            .values(attempts=OutboxEmail.attempts + 1, next_attempt_at=now + CLAIM_LEASE)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if claimed == 1:
            return db.session.get(OutboxEmail, candidate.id, populate_existing=True)
        after_id = candidate.id  # another run took it first


def deliver_outbox(limit: int = 100, now: dt.datetime | None = None) -> tuple[int, int]:
    """Send due messages; returns (sent, failed). Each is claimed first and committed after."""
    now = now or utcnow()
    transport = get_transport()
    sender = current_app.config["MAIL_FROM"]
    sent = failed = 0
    last_id = 0
    for _ in range(limit):
        row = claim_next(now, last_id)
        if row is None:
            break
        last_id = row.id
        try:
            transport.send(build_message(row, sender))
        except Exception as exc:  # noqa: BLE001 - any transport failure is retried later
            failed += 1
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            row.next_attempt_at = now + dt.timedelta(minutes=2 ** row.attempts)
            log.warning("Could not send mail %s (attempt %s): %s", row.id, row.attempts, exc)
        else:
            sent += 1
            row.sent_at = now
            row.last_error = ""
        db.session.commit()
    return sent, failed


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
                       subject_type=subject_type, subject_id=subject_id)
    db.session.add(row)
    if already_emailed:
        row.emailed_at = utcnow()
    elif user.email and user.email_notifications == "immediately":
        subject, text, html = emails.notification_email(user, row)
        queue_email(user.email, subject, text, body_html=html)
        row.emailed_at = utcnow()
    db.session.flush()
    return row


def visible_notifications_filter(user: User) -> ColumnElement[bool]:
    """``_visible`` as SQL: no subject, or a subject of a registered type the user may see."""
    subject_type, subject_id = Notification.subject_type, Notification.subject_id
    filters = current_app.extensions.get("notification_filters", {})
    return or_(
        subject_type == "", subject_id.is_(None),
        *(and_(subject_type == kind, sql_filter(user, subject_id))
          for kind, sql_filter in sorted(filters.items())),
    ) if filters else or_(subject_type == "", subject_id.is_(None), false())


LIST_LIMIT = 50
# The header badge counts at most this many (and shows "99+" beyond): its cost stays bounded
# for a member with thousands of unread notifications.
UNREAD_COUNT_LIMIT = 99


def get_notification(user: User, notification_id: int) -> Notification | None:
    """The user's own notification, or None (someone else's is treated as missing)."""
    row = db.session.get(Notification, notification_id)
    return row if row is not None and row.user_id == user.id else None


def notifications_for(user: User, limit: int = LIST_LIMIT) -> list[Notification]:
    """The newest notifications the user may still see; access filtered inside the query."""
    return list(db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id, visible_notifications_filter(user))
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    ))


def unread_count(user: User) -> int:
    """Unread notifications the user may still see (the badge must not hint at hidden ones),
    counted in one query up to ``UNREAD_COUNT_LIMIT + 1``, and kept while nothing it depends on
    changed: the member's own notifications (their scope), memberships and groups
    (``structural``), and what may change who sees a subject (each subject type's scopes)."""
    scopes = (cache.STRUCTURAL, f"member:{user.id}",
              *sorted(current_app.extensions.get("notification_scopes", ())))
    stamp = cache.cache().generation.scope_values(scopes)
    key = ("unread_notifications", user.id)
    known = cache.cache().get(key, stamp)
    if known is None:
        known = _count_unread(user)
        cache.cache().set(key, known, stamp, UNREAD_TTL)
    return known


# Notifications are not removed by time, only by writes; the TTL bounds what a missed write
# (none known) could cost.
UNREAD_TTL = 600


def _count_unread(user: User) -> int:
    unread = (
        select(Notification.id)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None),
               visible_notifications_filter(user))
        .limit(UNREAD_COUNT_LIMIT + 1)
        .subquery()
    )
    return db.session.execute(select(func.count()).select_from(unread)).scalar() or 0


def mark_read(user: User, notification_id: int | None = None) -> None:
    stmt = update(Notification).where(Notification.user_id == user.id,
                                      Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    # Only the member sees their notifications: their own pages are renewed, nobody else's.
    db.session.execute(stmt.values(read_at=utcnow()).execution_options(cache_personal=user.id))


def send_daily_digests(now: dt.datetime | None = None) -> int:
    """One email per 'daily' user with what they have not been mailed yet. Safe to run twice."""
    now = now or utcnow()
    users = db.session.scalars(
        select(User).where(User.email_notifications == "daily", User.deleted_at.is_(None),
                           User.email.is_not(None))
    ).all()
    count = 0
    for user in users:
        pending = db.session.scalars(
            select(Notification).where(Notification.user_id == user.id,
                                       Notification.emailed_at.is_(None),
                                       Notification.read_at.is_(None),
                                       visible_notifications_filter(user))
            .order_by(Notification.created_at)
        ).all()
        if not pending:
            continue
        subject, text, html = emails.digest_email(user, pending)
        queue_email(user.email, subject, text, body_html=html)
        for row in pending:
            row.emailed_at = now
        count += 1
    db.session.flush()
    return count
