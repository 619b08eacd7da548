"""Groups: the list, a group's page, joining and leaving, members and (for admins) editing."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from network import permissions
from network.accounts import permissions as accounts_permissions
from network.accounts import services
from network.accounts.forms import AddMemberForm, GroupForm, RoleForm
from network.accounts.models import Group, GroupKind, GroupRole, Municipality, User
from network.accounts.views import bp
from network.actions import commit_or_flash
from network.extensions import db
from network.i18n import gettext as _
from network.pagecache import cached_page


def _load_group(group_id: int) -> Group:
    """404 both for a missing group and one the user may not know exists."""
    group = db.get_or_404(Group, group_id)
    if not permissions.can_view_group(current_user, group):
        abort(404)
    return group


def _municipalities() -> list[Municipality]:
    return list(db.session.scalars(select(Municipality).order_by(Municipality.name)))


@bp.get("/grupper")
@cached_page(ttl=60)
def groups():
    show_archived = permissions.is_admin(current_user) and request.args.get("arkiverade") == "1"
    rows = services.visible_groups(current_user, include_archived=show_archived)
    counts = services.member_counts([g.id for g in rows])
    local = [g for g in rows if g.kind == GroupKind.LOCAL]
    thematic = [g for g in rows if g.kind == GroupKind.THEMATIC]
    return render_template("accounts/groups.html", local=local, thematic=thematic, counts=counts,
                           my_roles=permissions.group_roles(current_user),
                           show_archived=show_archived)


@bp.get("/grupper/<int:group_id>")
@cached_page(ttl=60)
def group(group_id: int):
    group = _load_group(group_id)
    members = services.group_members(group, request.args.get("page", 1, type=int)) if (
        accounts_permissions.can_see_members(current_user, group)) else None
    can_manage = accounts_permissions.can_manage_members(current_user, group)
    return render_template(
        "accounts/group.html", group=group, members=members,
        show_members=accounts_permissions.can_see_members(current_user, group),
        can_manage=can_manage, can_edit=accounts_permissions.can_edit_group(current_user, group),
        can_join=permissions.can_join_group(current_user, group),
        can_leave=accounts_permissions.can_leave_group(current_user, group),
        can_invite=permissions.can_invite(current_user, group) and not group.archived,
        add_form=AddMemberForm() if can_manage else None, role_form=RoleForm())


@bp.post("/grupper/<int:group_id>/ga-med")
@login_required
def join_group(group_id: int):
    group = _load_group(group_id)
    commit_or_flash(lambda: services.join_group(current_user, group),
                    _("Du är nu medlem i %(group)s.", group=group.name), services.AccountError)
    return redirect(url_for("accounts.group", group_id=group.id))


@bp.post("/grupper/<int:group_id>/lamna")
@login_required
def leave_group(group_id: int):
    group = _load_group(group_id)
    if not commit_or_flash(lambda: services.leave_group(current_user, group),
                           _("Du har lämnat %(group)s.", group=group.name), services.AccountError):
        return redirect(url_for("accounts.group", group_id=group.id))
    # A closed group's page is no longer visible to someone who left it.
    if permissions.can_view_group(current_user, group):
        return redirect(url_for("accounts.group", group_id=group.id))
    return redirect(url_for("accounts.groups"))


def _manageable_group(group_id: int) -> Group:
    group = _load_group(group_id)
    if not accounts_permissions.can_manage_members(current_user, group):
        abort(403)
    return group


def _member(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    return user


@bp.post("/grupper/<int:group_id>/medlemmar")
@login_required
def add_member(group_id: int):
    group = _manageable_group(group_id)
    form = AddMemberForm()
    if form.validate_on_submit():
        user = services.find_user_by_email(form.email.data)
        if user is None:
            flash(_("Det finns ingen medlem med den e-postadressen. Bjud in personen i stället."),
                  "error")
        else:
            commit_or_flash(
                lambda: services.add_member(current_user, group, user, GroupRole(form.role.data)),
                _("%(name)s är tillagd i gruppen.", name=user.display_name))
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
    return redirect(url_for("accounts.group", group_id=group.id) + "#medlemmar")


@bp.post("/grupper/<int:group_id>/medlemmar/<int:user_id>/roll")
@login_required
def change_role(group_id: int, user_id: int):
    group = _manageable_group(group_id)
    user = _member(user_id)
    form = RoleForm()
    if not permissions.is_group_member(user, group) or not form.validate_on_submit():
        abort(400)
    services.add_member(current_user, group, user, GroupRole(form.role.data))
    db.session.commit()
    flash(_("Rollen för %(name)s är ändrad.", name=user.display_name), "success")
    return redirect(url_for("accounts.group", group_id=group.id) + "#medlemmar")


@bp.post("/grupper/<int:group_id>/medlemmar/<int:user_id>/ta-bort")
@login_required
def remove_member(group_id: int, user_id: int):
    group = _manageable_group(group_id)
    user = _member(user_id)
    if not permissions.is_group_member(user, group):
        abort(404)
    services.remove_member(current_user, group, user)
    db.session.commit()
    flash(_("%(name)s är borttagen ur gruppen.", name=user.display_name), "success")
    return redirect(url_for("accounts.group", group_id=group.id) + "#medlemmar")


# -- administration ----------------------------------------------------------------------------


def _require_admin() -> None:
    if not permissions.can_administer(current_user):
        abort(403)


@bp.route("/grupper/ny", methods=["GET", "POST"])
@login_required
def new_group():
    _require_admin()
    form = GroupForm(municipalities=_municipalities(),
                     data={"municipality_code": request.args.get("kommun", "")})
    if form.validate_on_submit():
        try:
            group = services.create_group(
                current_user, form.name.data, GroupKind(form.kind.data),
                visibility=form.visibility.data, description=form.description.data or "",
                municipality_code=form.municipality_code.data or None)
        except services.AccountError as exc:
            form.municipality_code.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Gruppen %(name)s är skapad.", name=group.name), "success")
            return redirect(url_for("accounts.group", group_id=group.id))
    return render_template("accounts/group_form.html", form=form, group=None), (
        422 if form.errors else 200)


@bp.route("/grupper/<int:group_id>/redigera", methods=["GET", "POST"])
@login_required
def edit_group(group_id: int):
    _require_admin()
    group = _load_group(group_id)
    form = GroupForm(obj=group if request.method == "GET" else None,
                     municipalities=_municipalities())
    if form.validate_on_submit():
        try:
            services.update_group(
                current_user, group, name=form.name.data, kind=GroupKind(form.kind.data),
                visibility=form.visibility.data, description=form.description.data or "",
                municipality_code=form.municipality_code.data or None)
        except services.AccountError as exc:
            form.municipality_code.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Gruppen är sparad."), "success")
            return redirect(url_for("accounts.group", group_id=group.id))
    return render_template("accounts/group_form.html", form=form, group=group), (
        422 if form.errors else 200)


@bp.post("/grupper/<int:group_id>/arkivera")
@login_required
def archive_group(group_id: int):
    _require_admin()
    group = _load_group(group_id)
    archive = request.form.get("archived", "1") == "1"
    services.set_group_archived(current_user, group, archive)
    db.session.commit()
    flash(_("Gruppen är arkiverad.") if archive else _("Gruppen är återställd."), "success")
    return redirect(url_for("accounts.group", group_id=group.id))
