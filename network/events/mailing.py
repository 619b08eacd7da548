"""What registered participants are told by email and in-app: confirmations and changes."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from network.db import utcnow
from network.events import ical, invitations
from network.events.common import event_path, feed_host, render_email, series_path, when_text
from network.events.models import (
    Event,
    Registration,
    RegistrationStatus,
)
from network.events.permissions import can_view_event
from network.extensions import db
from network.i18n import get_locale
from network.i18n import gettext as _
from network.notifications.services import notify
from network.outbox import queue_email


def single_event_ics(event: Event, reveal: bool) -> bytes:
    base = current_app.config["PUBLIC_BASE_URL"]
    options = ical.FeedOptions(
        name=event.title, host=feed_host(), now=utcnow(), reveal=lambda e: reveal,
        event_url=lambda e: base + event_path(e), series_url=lambda s: base + series_path(s),
    )
    return ical.build_calendar([event], options)


def confirm_registration(row: Registration) -> None:
    """The invitation, or for people who turned invitations off (and for a waitlist place) the
    plain confirmation, with a PUBLISH calendar file for a seat."""
    user, event = row.user, row.event
    if not user.email:
        return
    if invitations.invite(row):
        return  # the invitation is the confirmation
    registered = row.status == RegistrationStatus.REGISTERED
    with force_locale(user.locale or "sv"):
        if registered:
            subject = _("Anmälan bekräftad: %(title)s", title=event.title)
            attachments = [("evenemang.ics", "text/calendar", single_event_ics(event, True))]
        else:
            subject = _("Du står på väntelistan: %(title)s", title=event.title)
            attachments = []
        context = {"event": event, "registered": registered, "when": when_text(event),
                   "url": current_app.config["PUBLIC_BASE_URL"] + event_path(event),
                   "lang": str(get_locale() or "sv")}
        text = render_email("email/event_confirmation.txt", context)
        html = render_email("email/event_confirmation.html", context)
    queue_email(user.email, subject, text, body_html=html, attachments=attachments)


def tell_participants(event: Event, what: str, *, series_wide: bool = False) -> None:
    """In-app (and by their notification preference), and the calendar update or CANCEL
    (``series_wide``: the caller sends series invitations the whole series afterwards)."""
    rows = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id)
        .options(selectinload(Registration.user))
    ).all()
    # People whose calendar is updated by mail are not mailed the same news again.
    mailed = invitations.fan_out(event, rows, what, series_wide=series_wide)
    for row in rows:
        if not can_view_event(row.user, event):
            continue
        with force_locale(row.user.locale or "sv"):
            if what == "cancelled":
                title = _("Inställt: %(title)s", title=event.title)
                body = _("Evenemanget %(when)s är inställt.", when=when_text(event))
            else:
                title = _("Ändrat: %(title)s", title=event.title)
                body = _("Tid eller plats har ändrats. Ny tid: %(when)s.", when=when_text(event))
            notify(row.user, f"event.{what}", title, url=event_path(event), body=body,
                   subject_type="event", subject_id=event.id, already_emailed=row.user_id in mailed)
