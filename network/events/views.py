"""Event pages, registration, attendee export, the subscription page. Load, authorise, act."""

from __future__ import annotations

import calendar
import datetime as dt

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from network import permissions
from network.accounts.models import Group
from network.accounts.permissions import visible_groups_filter
from network.choices import bounded_choices
from network.csvwriter import csv_text
from network.db import utcnow
from network.events import invitations, mailing, registrations, services
from network.events.forms import (
    TYPE_LABELS,
    EventForm,
    FilterForm,
    RegistrationForm,
    SeriesForm,
    format_agenda,
)
from network.events.models import Event, EventSeries, EventType, Registration, RegistrationStatus
from network.events.permissions import (
    can_create_event,
    can_manage_event,
    can_register,
    can_see_location,
    can_view_event,
)
from network.events.timeutil import to_local
from network.extensions import db
from network.i18n import gettext as _
from network.pagecache import cached_page
from network.resources import services as resources

bp = Blueprint("events", __name__, url_prefix="/evenemang", template_folder="templates")
PER_PAGE = 20


def load_event(event_id: int) -> Event:
    # The organiser's name is on the page (with a link to the profile): loaded in the same query.
    event = db.get_or_404(Event, event_id, options=[joinedload(Event.created_by)])
    if not can_view_event(current_user, event):
        abort(404)
    return event


def load_series(series_id: int) -> EventSeries:
    """The series, 404 also when the user may not see it (as its first occurrence decides)."""
    row = db.get_or_404(EventSeries, series_id)
    if not row.occurrences or not can_view_event(current_user, row.occurrences[0]):
        abort(404)
    return row


def load_managed_event(event_id: int) -> Event:
    event = load_event(event_id)
    if not can_manage_event(current_user, event):
        abort(403)
    return event


def _filters() -> tuple[FilterForm, int | None, str | None]:
    form = FilterForm(request.args)
    selected = int(form.grupp.data) if (form.grupp.data or "").isdigit() else None
    form.group_choices = bounded_choices(
        select(Group).where(visible_groups_filter(current_user), Group.archived.is_(False)),
        Group.id, Group.name, query=request.args.get("gruppnamn", ""), selected=selected,
        preferred=permissions.group_ids(current_user) if permissions.is_member(current_user) else None)
    form.grupp.choices = [("", _("Alla grupper"))] + form.group_choices.options
    group_id = selected if any(v == str(selected) for v, _label in form.group_choices.options) else None
    kind = form.typ.data if form.typ.data in {t.value for t in EventType} else None
    return form, group_id, kind


MONTH_DAY_LIMIT = 6


def _day_arg() -> dt.date | None:
    try:
        day = dt.date.fromisoformat(request.args.get("dag", "")[:10])
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


def _filtered(group_id: int | None, kind: str | None):
    stmt = services.visible_events(current_user)
    if group_id:
        stmt = stmt.where(Event.group_id == group_id)
    if kind:
        stmt = stmt.where(Event.type == kind)
    return stmt.options(selectinload(Event.group))


@bp.get("/")
@cached_page(ttl=60, scopes=lambda: ("events",))
def index():
    form, group_id, kind = _filters()
    past = request.args.get("visa") == "tidigare"
    day = _day_arg()
    now = utcnow()
    stmt = _filtered(group_id, kind)
    if day is not None:  # the month view's "+N fler": one day's events, paginated
        past = False
        stmt = stmt.where(Event.start_at < services.local_date_to_utc(day + dt.timedelta(days=1)),
                          Event.end_at > services.local_date_to_utc(day)).order_by(Event.start_at, Event.id)
    elif past:
        stmt = stmt.where(Event.end_at < now).order_by(Event.start_at.desc(), Event.id.desc())
    else:
        stmt = stmt.where(Event.end_at >= now).order_by(Event.start_at, Event.id)
    page = db.paginate(stmt, page=request.args.get("page", 1, type=int), per_page=PER_PAGE,
                       error_out=False)
    args = {k: v for k, v in {"grupp": group_id, "typ": kind, "dag": day.isoformat() if day else None,
                              "visa": "tidigare" if past else None}.items() if v}
    return render_template("events/index.html", page=page, form=form, past=past, args=args, day=day,
                           type_labels=TYPE_LABELS, can_create=_can_create_any())


def _can_create_any() -> bool:
    return permissions.is_admin(current_user) or bool(permissions.facilitated_group_ids(current_user))


@bp.get("/manad")
@bp.get("/manad/<int:year>/<int:month>")
@cached_page(ttl=60, scopes=lambda **_: ("events",))
def month(year: int | None = None, month: int | None = None):
    today = to_local(utcnow()).date()
    year, month = year or today.year, month or today.month
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        abort(404)
    form, group_id, kind = _filters()
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    start_utc = services.local_date_to_utc(first)
    end_utc = services.local_date_to_utc(last + dt.timedelta(days=1))
    # Times only for the whole month (light rows), whole events only for those shown: a day with
    # hundreds of events shows MONTH_DAY_LIMIT and "+N fler" linking to that day's list.
    times = db.session.execute(
        _filtered(group_id, kind).where(Event.start_at < end_utc, Event.end_at > start_utc)
        .with_only_columns(Event.id, Event.start_at, Event.end_at).order_by(Event.start_at, Event.id)
    ).all()
    shown: dict[dt.date, list[int]] = {}
    more: dict[dt.date, int] = {}
    for event_id, start_at, end_at in times:
        day = max(to_local(start_at).date(), first)
        end_day = min(to_local(end_at - dt.timedelta(seconds=1)).date(), last)
        while day <= end_day:
            if len(shown.setdefault(day, [])) < MONTH_DAY_LIMIT:
                shown[day].append(event_id)
            else:
                more[day] = more.get(day, 0) + 1
            day += dt.timedelta(days=1)
    wanted = {event_id for ids in shown.values() for event_id in ids}
    loaded = {e.id: e for e in db.session.scalars(select(Event).where(Event.id.in_(wanted)))} \
        if wanted else {}
    by_day = {day: [loaded[i] for i in ids] for day, ids in shown.items()}
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    prev_month = (first - dt.timedelta(days=1)).replace(day=1)
    next_month = last + dt.timedelta(days=1)
    args = {k: v for k, v in {"grupp": group_id, "typ": kind}.items() if v}
    return render_template("events/month.html", weeks=weeks, by_day=by_day, more=more, first=first,
                           today=today,
                           prev_month=prev_month, next_month=next_month, form=form, args=args)


@bp.get("/<int:event_id>")
@cached_page(ttl=60)
def show(event_id: int):
    event = load_event(event_id)
    registration = registrations.registration_for(current_user, event)
    registered = registration is not None and registration.status == RegistrationStatus.REGISTERED
    can_manage = can_manage_event(current_user, event)
    return render_template(
        "events/show.html", event=event, registration=registration,
        materials=_materials(event), attach_choices=_attach_choices() if can_manage else [],
        reveal=can_see_location(current_user, event, registered),
        can_manage=can_manage,
        registered_count=registrations.registered_count(event),
        closed_reason=registrations.registration_closed_reason(event),
        form=RegistrationForm(obj=registration), type_labels=TYPE_LABELS,
        feeds=feed_links(event.group), extras=_extras(event),
    )


def _extras(event: Event) -> list:
    """Sections other features add to the page (e.g. the workshop chat's rooms)."""
    found = []
    for fn in current_app.extensions.get("events_extras", []):
        result = fn(current_user, event)
        if result:
            found.append(result)
    return found


def feed_links(group: Group | None = None) -> dict:
    """webcal:// links offered on the page; group feeds without a token only for public groups."""
    links = {"public": url_for("events_feeds.public_feed", _external=True)}
    if group is not None and permissions.can_view_group(None, group):
        links["group"] = url_for("events_feeds.group_feed", group_id=group.id, _external=True)
    return {name: "webcal://" + url.split("://", 1)[1] for name, url in links.items()} | {
        "https": links}


@bp.get("/<int:event_id>.ics")
def download(event_id: int):
    event = load_event(event_id)
    registered = event.id in registrations.my_registered_event_ids(current_user)
    body = mailing.single_event_ics(event, can_see_location(current_user, event, registered))
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="evenemang-{event.id}.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/serie/<int:series_id>")
def series(series_id: int):
    row = load_series(series_id)
    open_to_me = (can_register(current_user, row.occurrences[0]) and not row.cancelled_at
                  and bool(registrations.open_occurrences(row)))
    return render_template("events/series.html", series=row, occurrences=row.occurrences,
                           series_materials=resources.resources_for(current_user, "event_series", row.id),
                           occurrence_materials=[
                               (o, resources.resources_for(current_user, "event", o.id))
                               for o in row.occurrences if o.start_at <= utcnow()],
                           first=row.occurrences[0], rule_text=describe_rule(row),
                           can_manage=can_manage_event(current_user, row.occurrences[0]),
                           can_register=open_to_me,
                           mine=_my_occurrences(row), type_labels=TYPE_LABELS, now=utcnow())


def _my_occurrences(series: EventSeries) -> dict[int, str]:
    """{occurrence id: registration status} for the current user."""
    if not permissions.is_member(current_user):
        return {}
    ids = [o.id for o in series.occurrences]
    return {event_id: str(status) for event_id, status in db.session.execute(
        select(Registration.event_id, Registration.status)
        .where(Registration.user_id == current_user.id, Registration.event_id.in_(ids or [-1])))}


def describe_rule(series: EventSeries) -> str:
    from network.events.timeutil import nth_weekday

    start = series.dtstart_local
    weekday = _("måndag tisdag onsdag torsdag fredag lördag söndag").split()[start.weekday()]
    parts = dict(p.split("=", 1) for p in series.rrule.split(";"))
    if parts["FREQ"] == "WEEKLY":
        text = (_("varannan %(day)s", day=weekday) if parts.get("INTERVAL") == "2"
                else _("varje %(day)s", day=weekday))
    elif "BYMONTHDAY" in parts:
        text = _("den %(n)s varje månad", n=start.day)
    else:
        n = nth_weekday(start.date())
        ordinal = _("sista") if n == -1 else _("första andra tredje fjärde").split()[n - 1]
        text = _("%(ordinal)s %(day)s varje månad", ordinal=ordinal, day=weekday)
    return text


# -- create, edit, cancel ----------------------------------------------------------------------


def _group_choices(form: EventForm, selected: Group | None = None) -> None:
    stmt = select(Group).where(Group.archived.is_(False)).order_by(Group.name)
    if not permissions.is_admin(current_user):
        stmt = stmt.where(Group.id.in_(permissions.facilitated_group_ids(current_user) or {-1}))
    groups = list(db.session.scalars(stmt))
    if selected is not None and selected not in groups:
        groups.insert(0, selected)
    form.group_id.choices = [(g.id, g.name) for g in groups]


def _data(form: EventForm, group: Group) -> services.EventData:
    clean = form.clean
    return services.EventData(
        type=EventType(form.type.data), group=group, title=form.title.data,
        start=clean["start"], end=clean["end"], all_day=form.all_day.data,
        description=form.description.data or "", place=form.place.data or "",
        online_url=form.online_url.data or "", visibility=form.visibility.data,
        capacity=form.capacity.data, deadline=clean["deadline"], agenda=clean["agenda"],
    )


@bp.route("/nytt", methods=["GET", "POST"])
@login_required
def create():
    if not _can_create_any():
        abort(403)
    form = EventForm()
    _group_choices(form)
    if request.method == "GET":
        wanted = request.args.get("grupp", type=int)
        if wanted in dict(form.group_id.choices):
            form.group_id.data = wanted
            group = db.session.get(Group, wanted)
            form.visibility.data = str(permissions.default_visibility_for(group))
    if form.validate_on_submit():
        group = db.session.get(Group, form.group_id.data)
        if group is None or not can_create_event(current_user, group):
            abort(403)
        try:
            event = services.create_event(current_user, _data(form, group), form.clean["rule"])
        except services.EventError as exc:
            form.title.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Evenemanget är skapat."), "success")
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=None), 400 if form.errors else 200


@bp.route("/<int:event_id>/redigera", methods=["GET", "POST"])
@login_required
def edit(event_id: int):
    event = load_managed_event(event_id)
    if event.cancelled:
        flash(_("Ett inställt evenemang kan inte ändras."), "error")
        return redirect(url_for("events.show", event_id=event.id))
    form = EventForm(series_allowed=False)
    _group_choices(form, event.group)
    if request.method == "GET":
        start, end = to_local(event.start_at), to_local(event.end_at)
        deadline = to_local(event.registration_deadline) if event.registration_deadline else None
        if event.all_day:
            end = end - dt.timedelta(days=1)
        form.process(data={
            "title": event.title, "type": str(event.type), "group_id": event.group_id,
            "visibility": event.visibility, "description": event.description,
            "all_day": event.all_day, "start_date": start.date(), "start_time": start.time(),
            "end_date": end.date(), "end_time": end.time(), "place": event.place,
            "online_url": event.online_url, "capacity": event.capacity,
            "deadline_date": deadline.date() if deadline else None,
            "deadline_time": deadline.time() if deadline else None,
            "agenda": format_agenda(event.agenda),
        })
    elif form.validate_on_submit():
        group = db.session.get(Group, form.group_id.data)
        if group is None or (group.id != event.group_id and not can_create_event(current_user, group)):
            abort(403)
        try:
            services.update_event(current_user, event, _data(form, group))
        except services.EventError as exc:
            form.title.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Ändringarna är sparade. Anmälda deltagare har fått besked om ändrad tid eller plats."),
                  "success")
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=event), 400 if form.errors else 200


@bp.post("/<int:event_id>/stall-in")
@login_required
def cancel(event_id: int):
    event = load_managed_event(event_id)
    services.cancel_event(current_user, event)
    db.session.commit()
    flash(_("Evenemanget är inställt och de anmälda har fått besked."), "success")
    return redirect(url_for("events.show", event_id=event.id))


def load_managed_series(series_id: int) -> EventSeries:
    row = load_series(series_id)
    if not can_manage_event(current_user, row.occurrences[0]):
        abort(403)
    return row


@bp.route("/serie/<int:series_id>/redigera", methods=["GET", "POST"])
@login_required
def edit_series(series_id: int):
    row = load_managed_series(series_id)
    if row.cancelled_at is not None:
        abort(404)
    template = next((o for o in row.occurrences if not o.is_exception and not o.cancelled),
                    row.occurrences[0])
    form = SeriesForm()
    if request.method == "GET":
        form.process(data={
            "title": template.title, "type": str(template.type), "description": template.description,
            "place": template.place, "online_url": template.online_url, "capacity": template.capacity,
            "agenda": format_agenda(template.agenda),
        })
    elif form.validate_on_submit():
        local = row.dtstart_local
        data = services.EventData(
            type=EventType(form.type.data), group=template.group, title=form.title.data,
            start=local, end=local, description=form.description.data or "",
            place=form.place.data or "", online_url=form.online_url.data or "",
            visibility=template.visibility, capacity=form.capacity.data, agenda=form.clean["agenda"],
        )
        changed = services.update_series(current_user, row, data)
        db.session.commit()
        flash(_("%(n)s kommande tillfällen är ändrade.", n=changed), "success")
        return redirect(url_for("events.series", series_id=row.id))
    return render_template("events/series_form.html", form=form, series=row, first=template), (
        400 if form.errors else 200)


@bp.post("/serie/<int:series_id>/stall-in")
@login_required
def cancel_series(series_id: int):
    row = load_managed_series(series_id)
    services.cancel_series(current_user, row)
    db.session.commit()
    flash(_("Hela serien är inställd och de anmälda har fått besked."), "success")
    return redirect(url_for("events.series", series_id=row.id))


# -- registration ------------------------------------------------------------------------------


@bp.post("/<int:event_id>/anmalan")
@login_required
def register(event_id: int):
    event = load_event(event_id)
    form = RegistrationForm()
    if not form.validate():
        flash(_("Behoven får vara högst 1000 tecken."), "error")
        return redirect(url_for("events.show", event_id=event.id))
    try:
        row = registrations.register(current_user, event, form.needs.data or "")
    except services.EventError as exc:
        flash(str(exc), "error")
        return redirect(url_for("events.show", event_id=event.id))
    db.session.commit()
    if row.status == RegistrationStatus.WAITLISTED:
        flash(_("Evenemanget är fullt. Du står på väntelistan och får besked om en plats blir ledig."),
              "success")
    elif invitations.wants_invitations(current_user):
        flash(_("Du är anmäld. En kalenderinbjudan skickas till din e-post."), "success")
    else:
        flash(_("Du är anmäld. En bekräftelse med kalenderfil skickas till din e-post."), "success")
    return redirect(url_for("events.show", event_id=event.id))


def load_open_series(series_id: int) -> EventSeries:
    row = load_series(series_id)
    if not can_register(current_user, row.occurrences[0]):
        abort(403)
    return row


@bp.post("/serie/<int:series_id>/anmalan")
@login_required
def register_series(series_id: int):
    row = load_open_series(series_id)
    try:
        rows = registrations.register_series(current_user, row)
    except services.EventError as exc:
        flash(str(exc), "error")
        return redirect(url_for("events.series", series_id=row.id))
    db.session.commit()
    seats = sum(1 for r in rows if r.status == RegistrationStatus.REGISTERED)
    flash(_("Du är anmäld till %(seats)s av %(total)s tillfällen; där det är fullt står du på väntelistan.",
            seats=seats, total=len(rows)), "success")
    return redirect(url_for("events.series", series_id=row.id))


@bp.post("/serie/<int:series_id>/avanmalan")
@login_required
def unregister_series(series_id: int):
    row = load_open_series(series_id)
    if registrations.unregister_series(current_user, row):
        db.session.commit()
        flash(_("Du är avanmäld från seriens kommande tillfällen."), "success")
    return redirect(url_for("events.series", series_id=row.id))


@bp.post("/<int:event_id>/avanmalan")
@login_required
def unregister(event_id: int):
    event = load_event(event_id)
    if registrations.unregister(current_user, event):
        db.session.commit()
        flash(_("Din anmälan är borttagen."), "success")
    return redirect(url_for("events.show", event_id=event.id))


@bp.get("/<int:event_id>/deltagare")
@login_required
def attendees(event_id: int):
    event = load_managed_event(event_id)
    return render_template("events/attendees.html", event=event, rows=registrations.attendees(event))


@bp.get("/<int:event_id>/deltagare.csv")
@login_required
def attendees_csv(event_id: int):
    event = load_managed_event(event_id)
    status = {RegistrationStatus.REGISTERED: _("Anmäld"), RegistrationStatus.WAITLISTED: _("Väntelista")}
    rows = [
        (r.user.display_name, r.user.email or "", r.user.organisation.name if r.user.organisation else "",
         status[RegistrationStatus(r.status)], to_local(r.created_at).strftime("%Y-%m-%d %H:%M"), r.needs)
        for r in registrations.attendees(event)
    ]
    header = (_("Namn"), _("E-postadress"), _("Organisation"), _("Status"), _("Anmäld"), _("Behov"))
    response = Response(csv_text(header, rows), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="deltagare-{event.id}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response




# -- minutes and presentations from the resource library ---------------------------------------


def _materials(event: Event) -> list:
    found = resources.resources_for(current_user, "event", event.id)
    if event.series_id is not None:
        found += resources.resources_for(current_user, "event_series", event.series_id)
    return found


def _attach_choices() -> list:
    return resources.picker_choices(current_user)


@bp.post("/<int:event_id>/material")
@login_required
def attach_material(event_id: int):
    event = load_managed_event(event_id)
    resource = resources.get_visible(current_user, request.form.get("resource_id", type=int) or 0)
    if resource is None:
        flash(_("Välj ett material ur biblioteket."), "error")
        return redirect(url_for("events.show", event_id=event.id))
    whole_series = request.form.get("scope") == "series" and event.series_id is not None
    try:
        resources.attach(current_user, resource, "event_series" if whole_series else "event",
                         event.series_id if whole_series else event.id)
    except PermissionError:
        abort(403)
    db.session.commit()
    flash(_("Materialet är kopplat till evenemanget."), "success")
    return redirect(url_for("events.show", event_id=event.id))


@bp.post("/<int:event_id>/material/<int:resource_id>/ta-bort")
@login_required
def detach_material(event_id: int, resource_id: int):
    event = load_managed_event(event_id)
    resource = resources.get_visible(current_user, resource_id)
    if resource is None:
        abort(404)
    removed = resources.detach(current_user, resource, "event", event.id)
    if not removed and event.series_id is not None:
        resources.detach(current_user, resource, "event_series", event.series_id)
    db.session.commit()
    flash(_("Materialet är borttaget från evenemanget."), "success")
    return redirect(url_for("events.show", event_id=event.id))
