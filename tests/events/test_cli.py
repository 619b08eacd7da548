"""The scheduled jobs as cron runs them."""

from __future__ import annotations

import datetime as dt

from network.events import jobs, registrations
from network.events.models import Registration


def test_send_reminders_command_is_idempotent(runner, make_event, group, organiser, make, db, monkeypatch):
    event = make_event(group, organiser)
    registrations.register(make.user(), event)
    db.session.commit()
    monkeypatch.setattr(jobs, "utcnow", lambda: event.start_at - dt.timedelta(hours=12))
    first = runner.invoke(args=["events-send-reminders"])
    second = runner.invoke(args=["events-send-reminders"])
    assert first.exit_code == 0 and "1 reminders queued" in first.output
    assert "0 reminders queued" in second.output


def test_purge_needs_command(runner, make_event, group, organiser, make, db, monkeypatch):
    event = make_event(group, organiser)
    registrations.register(make.user(), event, "Teckenspråkstolk")
    db.session.commit()
    monkeypatch.setattr(jobs, "utcnow", lambda: event.end_at + dt.timedelta(days=40))
    result = runner.invoke(args=["events-purge-needs"])
    assert result.exit_code == 0 and "1 registrations cleared" in result.output
    assert db.session.scalar(db.select(Registration.needs)) == ""
    assert "0 registrations cleared" in runner.invoke(args=["events-purge-needs"]).output


def test_notifications_about_events_are_rechecked_for_access(app, make_event, make, organiser, db):
    from network.notifications.services import notifications_for, notify, unread_count

    closed = make.group(visibility="closed", facilitators=[organiser])
    event = make_event(closed, organiser, visibility="group")
    outsider = make.user()
    for user in (organiser, outsider):
        notify(user, "event.changed", "Ändrat", subject_type="event", subject_id=event.id)
    notify(organiser, "event.changed", "Borttaget", subject_type="event", subject_id=999999)
    db.session.commit()
    assert [row.title for row in notifications_for(organiser)] == ["Ändrat"]
    assert unread_count(organiser) == 1
    assert notifications_for(outsider) == [] and unread_count(outsider) == 0
