"""The email outbox: every email the platform sends goes through here.

Mail is never sent inside a request: ``queue_email`` writes a row that commits with the rest of
the request (and, when scaled, asks the job worker to deliver right after that commit), and
``deliver_outbox`` (``flask send-mail``, run every minute, or that job) sends what is due,
claiming each row first so overlapping runs never send a message twice, and retrying with
back-off so a failing SMTP server loses nothing.

A core module (like the search index), below every feature: accounts (invitations, password
resets), notifications (notices and digests) and events (invitations) all queue mail here, and
it knows none of them.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import make_msgid

import click
from flask import Flask, current_app
from sqlalchemy import JSON, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from network import jobs
from network.db import UTCDateTime, dialect_name, utcnow
from network.extensions import db

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
DELIVER_JOB = "outbox.deliver"


class OutboxEmail(db.Model):
    """A message waiting to be sent. Rows stay after sending as a short delivery log."""

    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # [{"filename": ..., "content_type": "text/calendar", "data_b64": ...}]
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)


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
    now = utcnow()  # due from now, not from the caller's commit (when the row is written)
    row = OutboxEmail(to_addr=to_addr, subject=subject, body_text=body_text, body_html=body_html,
                      attachments=items, created_at=now, next_attempt_at=now)
    db.session.add(row)  # written with the caller's commit, batched with its other mail
    jobs.enqueue(DELIVER_JOB)  # scaled: sent by the worker within seconds of the commit
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
        from network.mailtransport import transport_from_config

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
    postgres = dialect_name() == "postgresql"
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


def init_app(app: Flask) -> None:
    from network.cache import register_neutral

    # The outbox is shown on no page: queuing mail leaves every cached page as it was.
    register_neutral(OutboxEmail)
    # Without Redis, `flask send-mail` (every minute) is the only sender.
    jobs.register(app, DELIVER_JOB, lambda: deliver_outbox(), embedded=False)

    @app.cli.command("send-mail")
    @click.option("--limit", default=100, show_default=True)
    def send_mail(limit: int) -> None:
        """Send what is due in the email outbox (run every minute from cron or a timer)."""
        sent, failed = deliver_outbox(limit=limit)
        click.echo(f"{sent} skickade, {failed} misslyckade.")
