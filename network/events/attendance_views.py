"""Attendance pages: the organiser's checkbox list and check-in code, the participant's check-in.

Its own small blueprint so events' main views stay as they are; the event page links here
through the ``events_extras`` hook.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from network import permissions
from network.events import attendance
from network.events.models import Event
from network.events.views import load_event
from network.extensions import db, installation_key, rate_limited
from network.i18n import gettext as _

bp = Blueprint("events_attendance", __name__, url_prefix="/evenemang", template_folder="templates")

# Wrong codes only count against the limit, per person (a room of people shares one address).
CHECKIN_LIMIT = "10/minute"


def _checkin_key() -> str:
    who = f"user:{current_user.id}" if current_user.is_authenticated else request.remote_addr
    return installation_key(f"checkin:{who}")


def _failed(response) -> bool:
    return response.status_code == 400


def _refused(exc: attendance.AttendanceError) -> None:
    db.session.rollback()
    flash(str(exc), "error")


@bp.route("/<int:event_id>/narvaro", methods=["GET", "POST"])
@login_required
def attendance_page(event_id: int):
    event = load_event(event_id)
    if not permissions.allowed("events.mark_attendance", current_user, event):
        abort(403)
    status = 200
    if request.method == "POST":
        ids = [int(v) for v in request.form.getlist("present") if v.isdigit()]
        try:
            attendance.mark_attendance(current_user, event, ids)
        except attendance.AttendanceError as exc:
            _refused(exc)
            status = 400
        else:
            db.session.commit()
            flash(_("Närvaron är sparad."), "success")
            return redirect(url_for(".attendance_page", event_id=event.id))
    return render_template("events/attendance.html", event=event, people=attendance.attendance_list(event),
                           code=attendance.open_code(event), held=attendance.is_held(event)), status


@bp.post("/<int:event_id>/narvaro/kod")
@login_required
def attendance_code(event_id: int):
    event = load_event(event_id)
    if not permissions.allowed("events.open_checkin", current_user, event):
        abort(403)
    try:
        attendance.open_checkin(current_user, event)
    except attendance.AttendanceError as exc:
        _refused(exc)
    else:
        db.session.commit()
        flash(_("Incheckningen är öppen. Visa koden eller länken för deltagarna."), "success")
    return redirect(url_for(".attendance_page", event_id=event.id))


@bp.route("/<int:event_id>/checka-in", methods=["GET", "POST"])
@login_required
@rate_limited(CHECKIN_LIMIT, key_func=_checkin_key, deduct_when=_failed, methods=["POST"])
def checkin(event_id: int):
    event = load_event(event_id)
    if not permissions.allowed("events.check_in", current_user, event):
        abort(403)
    status = 200
    if request.method == "POST":
        try:
            attendance.check_in(current_user, event, request.form.get("code", ""))
        except attendance.AttendanceError as exc:
            _refused(exc)
            status = 400
        else:
            db.session.commit()
            flash(_("Du är incheckad. Välkommen!"), "success")
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/attendance_checkin.html", event=event,
                           code=request.values.get("kod", "")), status


def event_section(user, event: Event):
    """The event page's link to attendance (organisers) or check-in (during the meeting)."""
    if permissions.allowed("events.mark_attendance", user, event):
        return "events/_attendance_link.html", {"manage": True}
    if (attendance.open_code(event) and permissions.allowed("events.check_in", user, event)
            and not event.cancelled):
        return "events/_attendance_link.html", {"manage": False}
    return None
