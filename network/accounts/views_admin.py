"""Network administration: the overview, pending invitations and the audit log."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from network import permissions
from network.accounts import invitations, services
from network.accounts.models import Invitation
from network.accounts.views import bp
from network.actions import commit_or_flash
from network.extensions import db
from network.i18n import gettext as _


def _require_admin() -> None:
    if not permissions.can_administer(current_user):
        abort(403)


@bp.get("/admin")
@login_required
def admin():
    _require_admin()
    return render_template("accounts/admin.html")


@bp.get("/admin/inbjudningar")
@login_required
def pending_invitations():
    _require_admin()
    page = services.paginate(invitations.pending_invitations_query(),
                             request.args.get("page", 1, type=int))
    return render_template("accounts/invitations.html", page=page)


@bp.post("/admin/inbjudningar/<int:invitation_id>/aterkalla")
@login_required
def revoke_invitation(invitation_id: int):
    _require_admin()
    invitation = db.get_or_404(Invitation, invitation_id)
    commit_or_flash(lambda: invitations.revoke_invitation(current_user, invitation),
                    _("Inbjudan till %(email)s är återkallad.", email=invitation.email))
    return redirect(url_for("accounts.pending_invitations"))


@bp.get("/admin/logg")
@login_required
def audit_log():
    _require_admin()
    page = services.audit_page(request.args.get("page", 1, type=int))
    return render_template("accounts/audit_log.html", page=page)
