"""Events: meetings, workshops and webinars, recurring series, registration, calendar feeds."""

from __future__ import annotations

import click
from flask import Flask

from network.i18n import lazy_gettext as _l


def register_event_extra(app: Flask, fn) -> None:
    """Let a feature above events add a section to the event page without events importing it.

    ``fn(user, event) -> (template_name, data) | None``; the template reads ``extra``.
    """
    app.extensions.setdefault("events_extras", []).append(fn)


def init_app(app: Flask) -> None:
    from network.accounts.demo import register_seed
    from network.accounts.privacy import register_personal_data
    from network.cache import (
        access_scope,
        member_scope,
        personal_scope,
        register_access,
        register_scopes,
    )
    from network.events import (  # noqa: F401
        attendance,
        attendance_views,
        demo,
        feeds,
        models,
        registrations,
        subscription_views,
        views,
    )
    from network.notifications.services import SCOPE as NOTIFICATIONS
    from network.notifications.services import register_subject_filter
    from network.views import register_nav, register_panel

    app.extensions.setdefault("events_extras", [])
    app.register_blueprint(views.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(attendance_views.bp)
    register_event_extra(app, attendance_views.event_section)
    register_nav(app, "events.index", _l("Evenemang"), order=30, members_only=False)
    register_panel(app, _panel, order=30)
    # Who may see an event: its visibility and group.
    access = access_scope("events")
    register_access(models.Event, access, "visibility", "group_id")
    register_subject_filter(app, "event", _can_see_subject, scopes=(access,))
    # A registration changes the calendar's listings (counts), not who may see an event. It
    # opens a workshop's registered room (network/chat) to its member alone: their pages and
    # their badge are renewed, nobody else's.
    register_scopes(models.Registration, lambda registration: (
        "events", member_scope(registration.user_id),
        personal_scope(NOTIFICATIONS, registration.user_id)))
    register_personal_data(app, "event_registrations", registrations.export_personal_data,
                           registrations.erase_personal_data)
    from network.resources.services import register_link_kind

    register_link_kind(app, "event", _resource_link)
    register_link_kind(app, "event_series", _series_resource_link)
    register_seed(app, demo.seed_events)
    from network.events.replies import handle_message
    from network.notifications.inbound import register_inbound_handler

    register_inbound_handler(app, handle_message)
    register_seed(app, attendance.seed_attendance)
    app.cli.add_command(send_reminders_command)
    from network import jobs as background
    from network.events import jobs as event_jobs

    background.register(app, "events.reminders", lambda: event_jobs.send_reminders())
    background.register(app, "events.purge_needs", lambda: event_jobs.purge_needs())
    app.cli.add_command(purge_needs_command)


def _can_see_subject(user, subject_id):
    """Notification subject filter (SQL): ``permissions.can_view_event`` on the subject."""
    from sqlalchemy import select

    from network import permissions
    from network.events.models import Event

    return (
        select(Event.id)
        .where(Event.id == subject_id,
               permissions.visible_filter(user, Event.visibility, Event.group_id))
    )


def _resource_link(user, event_id: int):
    """Where a library resource is used: (title, url) of the event, if ``user`` may see it."""
    from network.events.models import Event
    from network.events.permissions import can_view_event
    from network.events.services import event_path
    from network.extensions import db

    event = db.session.get(Event, event_id)
    if event is None or not can_view_event(user, event):
        return None
    return event.title, event_path(event)


def _series_resource_link(user, series_id: int):
    from network.events.models import EventSeries
    from network.events.permissions import can_view_event
    from network.events.services import series_path
    from network.extensions import db

    series = db.session.get(EventSeries, series_id)
    if series is None or not series.occurrences or not can_view_event(user, series.occurrences[0]):
        return None
    return series.occurrences[0].title, series_path(series)


def _panel(user):
    """Start page: the member's registrations and their groups' coming events. Kept for the
    member while the calendar holds (every write to it, registrations included, raises
    ``events``; memberships are structural), and for a minute at most: what is "coming" changes
    with the clock. Their reading elsewhere (their own scope) leaves it in place."""
    from flask import render_template

    from network.events.services import upcoming_for
    from network.fragments import shared

    if not user.is_authenticated:
        return None
    return shared("events:mine", user.id, ("events",), lambda: render_template(
        "events/panel.html", panel=upcoming_for(user)))


@click.command("events-send-reminders")
def send_reminders_command() -> None:
    """Email registered participants about events that start tomorrow. Safe to run twice."""
    from network import jobs
    from network.events.jobs import send_reminders
    from network.extensions import db

    if jobs.queue_instead("events.reminders"):
        click.echo("queued for the job worker")
        return

    sent = send_reminders()
    db.session.commit()
    click.echo(f"{sent} reminders queued")


@click.command("events-purge-needs")
def purge_needs_command() -> None:
    """Delete participants' free-text needs 30 days after their event. Safe to run twice."""
    from network import jobs
    from network.events.jobs import purge_needs
    from network.extensions import db

    if jobs.queue_instead("events.purge_needs"):
        click.echo("queued for the job worker")
        return

    purged = purge_needs()
    db.session.commit()
    click.echo(f"{purged} registrations cleared")
