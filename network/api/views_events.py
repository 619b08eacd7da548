"""Events and their occurrences (public and member), and registering for one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort
from marshmallow import RAISE, Schema, fields, validate

from network.api import paging
from network.api.blueprint import api_operation
from network.api.problems import Problem
from network.api.routing import PageArgs
from network.api.schemas import EventOut, RegistrationOut
from network.events import permissions as events_permissions
from network.events import registrations
from network.events import services as events
from network.events.models import Event, EventStatus, EventType
from network.extensions import db
from network.loaders import MAX_ID


class EventArgs(PageArgs):
    start = fields.Date(data_key="from", metadata={"description": "Events ending on or after this day."})
    end = fields.Date(data_key="to", metadata={"description": "Events starting before the end of this day."})
    group_id = fields.Integer(validate=validate.Range(1, MAX_ID))
    series_id = fields.Integer(validate=validate.Range(1, MAX_ID),
                               metadata={"description": "The occurrences of one recurring event."})
    type = fields.String(validate=validate.OneOf([t.value for t in EventType]))
    include_cancelled = fields.Boolean(load_default=False)


def _utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


@api_operation("/events", summary="Events and occurrences the caller may see", tag="events",
               query=EventArgs, response=EventOut, paginated=True, statuses=(400,))
def event_list(caller, args: dict) -> Any:
    """Ordered by start. Public events for visitors; members' and their groups' events for members
    (the events feature's own ``visible_events`` filter)."""
    stmt = events.visible_events(caller.user)
    if "start" in args:
        stmt = stmt.where(Event.end_at >= _utc(args["start"]))
    if "end" in args:
        stmt = stmt.where(Event.start_at < _utc(args["end"] + dt.timedelta(days=1)))
    if "group_id" in args:
        stmt = stmt.where(Event.group_id == args["group_id"])
    if "series_id" in args:
        stmt = stmt.where(Event.series_id == args["series_id"])
    if "type" in args:
        stmt = stmt.where(Event.type == args["type"])
    if not args["include_cancelled"]:
        stmt = stmt.where(Event.status == EventStatus.SCHEDULED.value)
    return paging.by_time(stmt, Event.start_at, Event.id, args)


def _event(caller, event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not events_permissions.can_view_event(caller.user, event):
        abort(404)
    return event


@api_operation("/events/<int:event_id>", summary="One event", tag="events", response=EventOut,
               statuses=(404,))
def event_detail(caller, args: dict, event_id: int) -> Any:
    return _event(caller, event_id)


class RegistrationIn(Schema):
    class Meta:
        unknown = RAISE

    needs = fields.String(load_default="", validate=validate.Length(max=1000),
                          metadata={"description": "Special needs (kept until after the event)."})


@api_operation("/events/<int:event_id>/registration", "POST", summary="Register the token's owner",
               tag="events", scope="write", body=RegistrationIn, response=RegistrationOut, status=201,
               statuses=(400, 401, 403, 404, 409, 415))
def event_register(caller, args: dict, event_id: int, body: dict) -> Any:
    """Registers, or joins the waitlist when the event is full; registering again keeps one."""
    event = _event(caller, event_id)
    try:
        row = registrations.register(caller.user, event, body["needs"])
    except events.EventError as error:
        raise Problem("conflict", str(error)) from None
    db.session.commit()
    return row
