""""Mina sessioner": the member's signed-in browsers, each of which they can end."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, logout_user

from network import permissions
from network.accounts import sessions
from network.accounts.views import bp
from network.extensions import db
from network.i18n import gettext as _


@bp.get("/profil/sessioner")
@login_required
def my_sessions():
    user = current_user._get_current_object()
    return render_template("accounts/sessions.html", sessions=sessions.active_sessions(user),
                           current_id=sessions.current_session_id(user),
                           describe=sessions.describe_device)


@bp.post("/profil/sessioner/<session_id>/avsluta")
@login_required
def end_session(session_id: str):
    # An integer with sessions in the database, a hash with Redis (network/accounts/sessions.py).
    record = sessions.find(session_id)
    # Someone else's session is not found, rather than forbidden: its existence is private.
    if record is None or not permissions.allowed("accounts.session.end", current_user, record):
        abort(404)
    was_current = record.id == sessions.current_session_id(current_user)
    sessions.end_session(current_user._get_current_object(), record)
    db.session.commit()
    if was_current:
        logout_user()
        flash(_("Du är utloggad."), "success")
        return redirect(url_for("accounts.login"))
    flash(_("Sessionen är avslutad."), "success")
    return redirect(url_for("accounts.my_sessions"))


@bp.post("/profil/sessioner/avsluta-andra")
@login_required
def end_other_sessions():
    user = current_user._get_current_object()
    ended = sessions.end_all_sessions(user, keep=sessions.current_session_id(user))
    db.session.commit()
    flash(_("%(n)d andra sessioner är avslutade.", n=ended), "success")
    return redirect(url_for("accounts.my_sessions"))
