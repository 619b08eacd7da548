"""Pages around the live chat: the list of rooms, a room, its transcript, open and close."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from network import permissions
from network.accounts.models import Group
from network.chat import permissions as chat_permissions
from network.chat import services
from network.chat.forms import RoomForm
from network.chat.models import ChatRoom, JoinRule, RoomStatus
from network.extensions import db
from network.i18n import gettext as _
from network.loaders import parse_id

bp = Blueprint("chat", __name__, url_prefix="/workshoppar", template_folder="templates")


def _load_room(room_id: int) -> ChatRoom:
    """404 whether the room is missing or private: its existence is not everyone's business."""
    room = services.get_room(room_id)
    if room is None or not chat_permissions.can_view_room(current_user, room):
        abort(404)
    return room


def _managed_groups() -> list[Group]:
    query = select(Group).where(Group.archived.is_(False)).order_by(Group.name)
    if not permissions.is_admin(current_user):
        query = query.where(Group.id.in_(permissions.facilitated_group_ids(current_user)))
    return list(db.session.scalars(query))


def _room_form(groups: list[Group], occurrence=None) -> RoomForm:
    form = RoomForm()
    if occurrence is not None:
        # An occurrence's room belongs to the group that organises it.
        groups = [occurrence.group]
        form.for_occurrence()
        form.occurrence_id.data = str(occurrence.id)
    form.group_id.choices = [(g.id, g.name) for g in groups]
    return form


def _occurrence(raw) -> object | None:
    """The event occurrence a new room is for (None for an ad-hoc room); 403 if not its organiser."""
    if raw in (None, ""):
        return None
    from network.events.models import Event

    occurrence_id = parse_id(raw)
    if occurrence_id is None:
        abort(404)
    occurrence = db.get_or_404(Event, occurrence_id)
    if not chat_permissions.can_create_room_for(current_user, occurrence):
        abort(403)
    return occurrence


@bp.get("/")
@login_required
def index():
    """Rooms the user may join; ``?grupp=<id>`` narrows to one group (the group page links here)."""
    groups = _managed_groups()
    occurrence = _occurrence(request.args.get("tillfalle"))
    rooms = services.rooms_for_user(current_user)
    group_id = request.args.get("grupp", type=int)
    if group_id is not None:
        rooms = [r for r in rooms if r.group_id == group_id]
    form = _room_form(groups, occurrence) if groups or occurrence else None
    if occurrence is not None:
        form.group_id.data = occurrence.group_id
        form.title.data = occurrence.title[:services.MAX_TITLE_LENGTH]
        form.join_rule.data = JoinRule.REGISTERED.value
    elif form is not None and group_id in {g.id for g in groups}:
        form.group_id.data = group_id
    return render_template("chat/index.html", rooms=rooms, form=form, occurrence=occurrence)


@bp.post("/nytt")
@login_required
def create():
    groups = _managed_groups()
    occurrence = _occurrence(request.form.get("occurrence_id"))
    form = _room_form(groups, occurrence)
    if not groups and occurrence is None:
        abort(403)
    if not form.validate_on_submit():
        return render_template("chat/index.html", rooms=services.rooms_for_user(current_user),
                               form=form, occurrence=occurrence), 400
    group = db.session.get(Group, form.group_id.data)
    if group is None or not chat_permissions.can_create_room(current_user, group):
        abort(403)
    room = services.create_room(current_user, group, form.title.data, JoinRule(form.join_rule.data),
                                occurrence=occurrence)
    db.session.commit()
    flash(_("Rummet är skapat."), "success")
    return redirect(url_for("chat.room", room_id=room.id))


def event_section(user, occurrence):
    """The event page's "Workshop" section: rooms the user may join, and for organisers a way to
    open one. Registered with events so that events need not know the chat exists."""
    if not permissions.is_member(user):
        return None
    rooms = [r for r in services.rooms_of_occurrence(occurrence)
             if chat_permissions.can_join_room(user, r)]
    can_create = not occurrence.cancelled and chat_permissions.can_create_room_for(user, occurrence)
    if not rooms and not can_create:
        return None
    return "chat/_event_rooms.html", {
        "rooms": rooms,
        "create_url": url_for("chat.index", tillfalle=occurrence.id, _anchor="new-room-heading")
        if can_create else None,
    }


def client_strings() -> dict[str, str]:
    """The words chat.js shows, in the user's language (the script holds no text of its own)."""
    return {
        "connecting": _("Ansluter…"),
        "connected": _("Ansluten"),
        "reconnecting": _("Anslutningen bröts. Försöker ansluta igen…"),
        "offline": _("Inte ansluten. Meddelanden du skriver skickas när anslutningen är tillbaka."),
        "pending": _("Skickas…"),
        "system": _("Meddelande från plattformen"),
        "former": _("Tidigare medlem"),
        "removed": _("Meddelandet har tagits bort av samtalsledaren."),
        "remove": _("Ta bort"),
        "removeLabel": _("Ta bort meddelandet från %(name)s"),
        "confirmRemove": _("Ta bort meddelandet för alla?"),
        "newMessage": _("%(name)s skriver: %(text)s"),
        "charsLeft": _("%(n)s tecken kvar"),
        "tooLong": _("Meddelandet är för långt."),
        "raiseHand": _("Räck upp handen"),
        "lowerHand": _("Ta ner handen"),
        "lowerHandOf": _("Ta ner handen för %(name)s"),
        "handRaised": _("%(name)s räcker upp handen."),
        "noPoll": _("Ingen omröstning just nu."),
        "vote": _("Rösta"),
        "votes": _("%(n)s röster"),
        "yourVote": _("din röst"),
        "pollClosed": _("Omröstningen är avslutad."),
        "closePoll": _("Avsluta omröstningen"),
        "newPoll": _("Ny omröstning: %(question)s"),
        "promptChanged": _("Samtalsledaren har fäst en fråga: %(text)s"),
        "roomClosed": _("Rummet är stängt. Du kan läsa men inte skriva."),
        "roomOpened": _("Rummet är öppet igen."),
        "you": _("du"),
    }


@bp.get("/<int:room_id>")
@login_required
def room(room_id: int):
    room = _load_room(room_id)
    return render_template("chat/room.html", room=room, strings=client_strings(),
                           can_manage=chat_permissions.can_manage_room(current_user, room))


@bp.get("/<int:room_id>/logg")
@login_required
def transcript(room_id: int):
    room = _load_room(room_id)
    return render_template("chat/transcript.html", **services.transcript(room),
                           can_manage=chat_permissions.can_manage_room(current_user, room))


@bp.post("/<int:room_id>/status")
@login_required
def set_status(room_id: int):
    room = _load_room(room_id)
    if not chat_permissions.can_open_close_room(current_user, room):
        abort(403)
    status = RoomStatus.CLOSED if room.is_open else RoomStatus.OPEN
    services.set_room_status(current_user, room, status)
    db.session.commit()
    flash(_("Rummet är stängt och kan bara läsas.") if status == RoomStatus.CLOSED
          else _("Rummet är öppet igen."), "success")
    return redirect(url_for("chat.room", room_id=room.id))


@bp.post("/<int:room_id>/spara-logg")
@login_required
def save_transcript(room_id: int):
    room = _load_room(room_id)
    if not chat_permissions.can_save_transcript(current_user, room):
        abort(403)
    from network.resources.services import ResourceError

    try:
        resource = services.save_transcript(current_user, room)
    except (ResourceError, PermissionError):
        db.session.rollback()
        flash(_("Loggen kunde inte sparas i biblioteket."), "error")
        return redirect(url_for("chat.transcript", room_id=room.id))
    db.session.commit()
    flash(_("Loggen är sparad i biblioteket."), "success")
    return redirect(url_for("resources.detail", resource_id=resource.id))
