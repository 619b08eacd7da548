"""Account requests (the public form at /bli-medlem, the admins' queue) and bulk invitations."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from network import permissions
from network.accounts import account_requests, bulk_invitations, services
from network.accounts.forms_members import AccountRequestForm, ApproveRequestForm, DeclineRequestForm
from network.accounts.models import AccountRequest, Group, GroupRole, Municipality
from network.accounts.views import bp
from network.actions import commit_or_flash
from network.extensions import db, rate_limited
from network.i18n import gettext as _


def _municipalities() -> list[Municipality]:
    return list(db.session.scalars(select(Municipality).order_by(Municipality.name)))


@bp.route("/bli-medlem", methods=["GET", "POST"])
@rate_limited(lambda: current_app.config["ACCOUNT_REQUEST_LIMIT"], methods=["POST"])
def request_account():
    form = AccountRequestForm(municipalities=_municipalities())
    if form.validate_on_submit():
        if not form.website.data:  # the honeypot: a bot gets the same answer and nothing is kept
            account_requests.submit_request(
                name=form.name.data, email=form.email.data,
                organisation_name=form.organisation_name.data,
                role_title=form.role_title.data or "",
                municipality_code=form.municipality_code.data or None, reason=form.reason.data)
            db.session.commit()
        # The same answer whether or not the address has an account (no enumeration).
        return render_template("accounts/request_sent.html")
    return render_template("accounts/request_account.html", form=form), 422 if form.errors else 200


def _groups() -> list[Group]:
    return list(db.session.scalars(select(Group).where(Group.archived.is_(False)).order_by(Group.name)))


def _load(request_id: int) -> AccountRequest:
    row = db.get_or_404(AccountRequest, request_id)
    if not permissions.allowed("accounts.request.approve", current_user, row):
        abort(403)
    return row


@bp.get("/admin/forfragningar")
@login_required
def account_requests_queue():
    if not permissions.can_administer(current_user):
        abort(403)
    page = services.paginate(account_requests.pending_requests_query(),
                             request.args.get("page", 1, type=int))
    return render_template("accounts/account_requests.html", page=page,
                           approve_form=ApproveRequestForm(groups=_groups()),
                           decline_form=DeclineRequestForm())


def _decide(action, success: str):
    commit_or_flash(action, success)
    return redirect(url_for("accounts.account_requests_queue"))


@bp.post("/admin/forfragningar/<int:request_id>/godkann")
@login_required
def approve_account_request(request_id: int):
    row = _load(request_id)
    form = ApproveRequestForm(groups=_groups())
    if not form.validate_on_submit():
        flash(_("Kontrollera valen och försök igen."), "error")
        return redirect(url_for("accounts.account_requests_queue"))
    group = db.session.get(Group, int(form.group_id.data)) if form.group_id.data else None
    return _decide(lambda: account_requests.approve_request(
        current_user, row, group=group, group_role=GroupRole(form.group_role.data)),
        _("%(email)s har fått en inbjudan.", email=row.email))


@bp.post("/admin/forfragningar/<int:request_id>/avsla")
@login_required
def decline_account_request(request_id: int):
    row = _load(request_id)
    form = DeclineRequestForm()
    if not form.validate_on_submit():
        abort(400)
    return _decide(lambda: account_requests.decline_request(current_user, row, form.message.data or ""),
                   _("Förfrågan från %(email)s är avslagen.", email=row.email))


# -- bulk invitations --------------------------------------------------------------------------


@bp.route("/admin/inbjudningar/fran-fil", methods=["GET", "POST"])
@login_required
def bulk_invite():
    if not permissions.allowed("accounts.invitation.bulk", current_user):
        abort(403)
    if request.method == "GET":
        return render_template("accounts/bulk_invite.html", preview=None)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Välj en CSV-fil att ladda upp."), "error")
        return render_template("accounts/bulk_invite.html", preview=None), 422
    try:
        text = upload.read(current_app.config["MAX_UPLOAD_BYTES"]).decode("utf-8")
    except UnicodeDecodeError:
        flash(_("Filen ska vara en CSV-fil sparad som UTF-8."), "error")
        return render_template("accounts/bulk_invite.html", preview=None), 422
    preview = bulk_invitations.preview(current_user, text)
    signed = bulk_invitations.sign_rows(preview.good) if preview.good else ""
    status = 422 if preview.problem else 200
    return render_template("accounts/bulk_invite.html", preview=preview, signed=signed), status


@bp.post("/admin/inbjudningar/fran-fil/skicka")
@login_required
def bulk_invite_send():
    if not permissions.allowed("accounts.invitation.bulk", current_user):
        abort(403)
    try:
        sent, failed = bulk_invitations.send(current_user, request.form.get("rows", ""))
    except services.AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("accounts.bulk_invite"))
    db.session.commit()
    flash(_("%(n)d inbjudningar skickade.", n=sent), "success")
    for row in failed:
        flash(_("Rad %(line)d (%(email)s): %(error)s", line=row.line, email=row.email,
                error=" ".join(row.errors)), "error")
    return redirect(url_for("accounts.pending_invitations"))
