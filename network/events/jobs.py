"""Scheduled jobs (run from cron through the CLI): reminders and the deletion of old needs."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from network.db import utcnow
from network.events.common import event_path, when_text
from network.events.models import (
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from network.events.permissions import can_view_event
from network.events.timeutil import local_date_to_utc, to_local
from network.extensions import db
from network.i18n import gettext as _
from network.outbox import queue_email

NEEDS_KEPT = dt.timedelta(days=30)


def send_reminders(now: dt.datetime | None = None) -> int:
    """Remind registered people of events starting before the end of tomorrow. Safe to repeat."""
    now = now or utcnow()
    tomorrow = to_local(now).date() + dt.timedelta(days=1)
    horizon = local_date_to_utc(tomorrow + dt.timedelta(days=1))
    rows = db.session.scalars(
        select(Registration).join(Registration.event)
        .where(Registration.status == RegistrationStatus.REGISTERED,
               Registration.reminder_sent_at.is_(None),
               Event.status == EventStatus.SCHEDULED,
               Event.start_at > now, Event.start_at < horizon)
        .options(selectinload(Registration.user), selectinload(Registration.event))
    ).all()
    base = current_app.config["PUBLIC_BASE_URL"]
    sent = 0
    for row in rows:
        row.reminder_sent_at = now
        user, event = row.user, row.event
        if not user.email or not user.is_active or not can_view_event(user, event):
            continue
        with force_locale(user.locale or "sv"):
            lines = [_("Påminnelse: %(title)s börjar %(when)s.", title=event.title, when=when_text(event))]
            if event.place:
                lines.append(_("Plats: %(place)s", place=event.place))
            if event.online_url:
                lines.append(_("Möteslänk: %(url)s", url=event.online_url))
            lines.append(base + event_path(event))
            queue_email(user.email, _("Påminnelse: %(title)s", title=event.title),
                        "\n\n".join(lines) + "\n")
        sent += 1
    db.session.flush()
    return sent


def purge_needs(now: dt.datetime | None = None) -> int:
    """Delete free-text needs 30 days after the event ended. Safe to repeat."""
    cutoff = (now or utcnow()) - NEEDS_KEPT
    ids = select(Event.id).where(Event.end_at < cutoff)
    result = db.session.execute(
        Registration.__table__.update()
        .where(Registration.event_id.in_(ids), Registration.needs != "")
        .values(needs="")
    )
    return result.rowcount or 0
