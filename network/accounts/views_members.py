"""Member administration at /admin/medlemmar: the list, its CSV export, and one member's page."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from network import permissions
from network.accounts import invitations, members, services, sessions
from network.accounts.forms_members import (
    AddToGroupForm,
    ExpertiseForm,
    MemberFilterForm,
    NetworkRoleForm,
    TransferForm,
)
from network.accounts.models import Group, GroupRole, Invitation, Membership, User
from network.accounts.views import bp
from network.actions import commit_or_flash
from network.csvwriter import csv_text
from network.extensions import db
from network.i18n import gettext as _

PER_PAGE = 50


def _require(action: str, *objects) -> None:
    if not permissions.allowed(action, current_user, *objects):
        abort(403)


def _load_user(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    if user.deleted_at is not None:
        abort(404)
    return user


def _load_group(group_id: int) -> Group:
    group = db.get_or_404(Group, group_id)
    return group


def _all_groups() -> list[Group]:
    return list(db.session.scalars(select(Group).order_by(Group.name)))


def _filter_form() -> MemberFilterForm:
    from network.accounts.models import Municipality

    return MemberFilterForm(
        request.args, organisations=services.organisations(),
        municipalities=db.session.scalars(select(Municipality).order_by(Municipality.name)),
        counties=services.counties(), groups=_all_groups())


def _member_filter(form: MemberFilterForm) -> members.MemberFilter:
    def valid(field) -> str:
        value = field.data or ""
        return value if value in {c[0] for c in field.choices} else ""

    org, group = valid(form.organisation_id), valid(form.group_id)
    return members.MemberFilter(
        q=(form.q.data or "")[:200], organisation_id=int(org) if org else None,
        organisation_type=valid(form.organisation_type), municipality_code=valid(form.municipality_code),
        county_code=valid(form.county_code), group_id=int(group) if group else None,
        role=valid(form.role), expert=valid(form.expert), status=valid(form.status),
        last_login=valid(form.last_login), sort=valid(form.sort) or "name",
        descending=form.order.data == "desc")


def _list_args() -> dict:
    """The current filters, to carry into pagination, sort links and the CSV link."""
    return {k: v for k, v in request.args.items() if k != "page" and v}


@bp.get("/admin/medlemmar")
@login_required
def members_list():
    _require("accounts.member.list")
    form = _filter_form()
    query = members.member_query(current_user, _member_filter(form))
    page = services.paginate(query, request.args.get("page", 1, type=int), PER_PAGE)
    return render_template("accounts/members.html", form=form, page=page, args=_list_args())


@bp.get("/admin/medlemmar.csv")
@login_required
def members_csv():
    _require("accounts.member.list")
    query = members.member_query(current_user, _member_filter(_filter_form()))
    rows = members.member_rows(list(db.session.scalars(query)))
    return Response(csv_text(rows[0], rows[1:]), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="medlemmar.csv"',
        "Cache-Control": "no-store"})


@bp.get("/admin/medlemmar/<int:user_id>")
@login_required
def member(user_id: int):
    user = _load_user(user_id)
    _require("accounts.member.view", user)
    return _member_page(user)


def _member_page(user: User, status: int = 200, **forms):
    memberships = list(db.session.scalars(
        select(Membership).join(Membership.group).where(Membership.user_id == user.id)
        .order_by(Group.name)))
    mine = {m.group_id for m in memberships}
    needing = members.groups_needing_successor(user)
    role_form = forms.get("role_form") or NetworkRoleForm(
        counties=services.counties(), data={"role": user.role, "county_code": user.county_code or ""})
    themes = expertise_themes()
    expertise_form = forms.get("expertise_form") or ExpertiseForm(
        themes=themes, data={"themes": [row.theme for row in user.expertise]})
    add_form = forms.get("add_form") or AddToGroupForm(
        groups=[g for g in _all_groups() if g.id not in mine and not g.archived])
    return render_template(
        "accounts/member.html", user=user, memberships=memberships,
        sessions=sessions.active_sessions(user), describe=sessions.describe_device,
        audit_entries=members.member_audit_entries(current_user, user),
        activity=members.member_activity(current_user, user),
        needing=needing,
        candidates={g.id: members.successor_candidates(g, user) for g in needing},
        transfer={m.group_id: members.successor_candidates(m.group, user)
                  for m in memberships if m.role == GroupRole.FACILITATOR},
        role_form=role_form, expertise_form=expertise_form, add_form=add_form,
        theme_labels=themes, error=forms.get("error")), status


def expertise_themes() -> dict:
    """The library's themes, as the resources feature registered them (key -> label)."""
    return current_app.extensions.get("expertise_themes", {})


def _successors_from_form() -> dict[int, int]:
    chosen = {}
    for key, value in request.form.items():
        if key.startswith("successor-") and key[10:].isdigit() and value.isdigit():
            chosen[int(key[10:])] = int(value)
    return chosen


def _back(user: User):
    return redirect(url_for("accounts.member", user_id=user.id))


def _act(user: User, action, success: str):
    """Run a service action; its refusal is shown on the member page with nothing changed."""
    commit_or_flash(action, success)
    return _back(user)


@bp.post("/admin/medlemmar/<int:user_id>/inaktivera")
@login_required
def deactivate_member(user_id: int):
    user = _load_user(user_id)
    _require("accounts.member.deactivate", user)
    return _act(user, lambda: members.deactivate(current_user, user,
                                                 successors=_successors_from_form()),
                _("%(name)s är inaktiverad och utloggad överallt.", name=user.name))


@bp.post("/admin/medlemmar/<int:user_id>/aktivera")
@login_required
def reactivate_member(user_id: int):
    user = _load_user(user_id)
    _require("accounts.member.reactivate", user)
    return _act(user, lambda: members.reactivate(current_user, user),
                _("%(name)s kan logga in igen.", name=user.name))


@bp.post("/admin/medlemmar/<int:user_id>/roll")
@login_required
def set_member_role(user_id: int):
    user = _load_user(user_id)
    _require("accounts.member.set_role", user)
    form = NetworkRoleForm(counties=services.counties())
    if not form.validate_on_submit():
        return _member_page(user, 422, role_form=form)
    return _act(user, lambda: members.set_role(current_user, user, form.role.data,
                                               form.county_code.data or None),
                _("Rollen är ändrad."))


@bp.post("/admin/medlemmar/<int:user_id>/expert")
@login_required
def set_member_expertise(user_id: int):
    user = _load_user(user_id)
    _require("accounts.member.set_expertise", user)
    themes = expertise_themes()
    form = ExpertiseForm(themes=themes)
    if not form.validate_on_submit():
        return _member_page(user, 422, expertise_form=form)
    return _act(user, lambda: members.set_expertise(current_user, user, form.themes.data or [],
                                                    set(themes)),
                _("Expertområdena är sparade."))


@bp.post("/admin/medlemmar/<int:user_id>/grupper")
@login_required
def add_member_to_group(user_id: int):
    user = _load_user(user_id)
    _require("accounts.member.view", user)
    form = AddToGroupForm(groups=[g for g in _all_groups() if not g.archived])
    if not form.validate_on_submit():
        return _member_page(user, 422, add_form=form)
    group = _load_group(int(form.group_id.data))
    _require("accounts.member.add_to_group", group)
    return _act(user, lambda: members.add_to_group(current_user, user, group,
                                                   GroupRole(form.role.data)),
                _("%(name)s är tillagd i %(group)s.", name=user.name, group=group.name))


@bp.post("/admin/medlemmar/<int:user_id>/grupper/<int:group_id>/ta-bort")
@login_required
def remove_member_from_group(user_id: int, group_id: int):
    user, group = _load_user(user_id), _load_group(group_id)
    _require("accounts.member.remove_from_group", group)
    successor = request.form.get("successor_id", type=int)
    return _act(user, lambda: members.remove_from_group(current_user, user, group,
                                                        successor_id=successor),
                _("%(name)s är borttagen från %(group)s.", name=user.name, group=group.name))


@bp.post("/admin/medlemmar/<int:user_id>/grupper/<int:group_id>/overlamna")
@login_required
def transfer_facilitator(user_id: int, group_id: int):
    user, group = _load_user(user_id), _load_group(group_id)
    _require("accounts.group.transfer_facilitator", group)
    form = TransferForm(candidates=members.successor_candidates(group, user))
    if not form.validate_on_submit():
        flash(_("Välj vem som tar över."), "error")
        return _back(user)
    successor = _load_user(int(form.successor_id.data))
    return _act(user, lambda: members.transfer_facilitator(current_user, group, user, successor),
                _("%(name)s är nu samordnare för %(group)s.", name=successor.name, group=group.name))


@bp.post("/admin/medlemmar/<int:user_id>/sessioner/<session_id>/avsluta")
@login_required
def end_member_session(user_id: int, session_id: str):
    user = _load_user(user_id)
    record = sessions.find(session_id)
    if record is None or record.user_id != user.id:
        abort(404)
    _require("accounts.session.end", record)
    return _act(user, lambda: sessions.end_session(current_user, record),
                _("Sessionen är avslutad."))


@bp.post("/admin/inbjudningar/<int:invitation_id>/skicka-igen")
@login_required
def resend_invitation(invitation_id: int):
    invitation = db.get_or_404(Invitation, invitation_id)
    _require("accounts.invitation.resend", invitation)
    commit_or_flash(lambda: invitations.resend_invitation(current_user, invitation),
                    _("Inbjudan till %(email)s är skickad igen.", email=invitation.email))
    return redirect(url_for("accounts.pending_invitations"))
