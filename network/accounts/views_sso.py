"""Single sign-on pages: "Logga in med …", the provider's answer, the member's linked logins,
and the administrators' per-domain choice to turn password login off."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from network import permissions
from network.accounts import services, sso, sso_client
from network.accounts.forms import LoginForm
from network.accounts.forms_sso import PasswordLoginBlockForm
from network.accounts.models_sso import SsoIdentity
from network.accounts.views import bp, start_session
from network.actions import commit_or_flash
from network.extensions import db, rate_limited
from network.i18n import gettext as _
from network.views import safe_next

_NEXT = "sso_next"


def _known(key: str) -> None:
    if sso.provider(key) is None:
        abort(404)


def _refused(message: str):
    """The login page with the reason; nobody is signed in."""
    db.session.rollback()
    form = LoginForm(next=session.pop(_NEXT, ""))
    return render_template("accounts/login.html", form=form, sso_providers=sso.providers(),
                           sso_error=message), 403


@bp.get("/logga-in/oidc/<key>")
@rate_limited(lambda: current_app.config["LOGIN_LIMIT_PER_IP"])
def sso_begin(key: str):
    _known(key)
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    session[_NEXT] = safe_next(request.args.get("next"), "")
    try:
        return sso_client.begin(key, url_for("accounts.sso_answer", key=key, _external=True))
    except sso.SsoRefused as exc:
        return _refused(str(exc))


@bp.get("/logga-in/oidc/<key>/svar")
@rate_limited(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], deduct_when=lambda r: r.status_code != 302)
def sso_answer(key: str):
    _known(key)
    try:
        claims, id_token = sso_client.finish(key)
        outcome = sso.sign_in(key, claims)
    except sso.SsoRefused as exc:
        return _refused(str(exc))
    if outcome.user is None:  # an account request now waits for an administrator
        db.session.commit()
        session.pop(_NEXT, None)
        return render_template("accounts/request_sent.html")
    start_session(outcome.user)
    sso_client.remember_for_logout(key, id_token)
    return redirect(safe_next(session.pop(_NEXT, ""), url_for("main.index")))


# -- the member's linked logins ----------------------------------------------------------------


@bp.post("/profil/inloggningar/<int:identity_id>/ta-bort")
@login_required
def sso_unlink(identity_id: int):
    identity = db.session.get(SsoIdentity, identity_id)
    # Someone else's identity is not found, rather than forbidden: its existence is private.
    if identity is None or not permissions.allowed("accounts.sso.unlink", current_user, identity):
        abort(404)
    commit_or_flash(lambda: sso.unlink(current_user._get_current_object(), identity),
                    _("Inloggningen med %(provider)s är borttagen från ditt konto.",
                      provider=sso.provider_name(identity.provider)))
    return redirect(url_for("accounts.profile"))


# -- administrators: password login per domain ------------------------------------------------


@bp.route("/admin/inloggning", methods=["GET", "POST"])
@login_required
def sso_admin():
    if not permissions.allowed("accounts.sso.password_login", current_user):
        abort(403)
    form = PasswordLoginBlockForm()
    if form.validate_on_submit():
        try:
            sso.block_password_login(current_user._get_current_object(), form.domain.data)
        except services.AccountError as exc:
            db.session.rollback()
            form.domain.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Lösenordsinloggning är avstängd för %(domain)s.", domain=form.domain.data),
                  "success")
            return redirect(url_for("accounts.sso_admin"))
    return render_template("accounts/sso_admin.html", form=form, providers=sso.providers(),
                           blocked=sso.blocked_domains()), 422 if form.errors else 200


@bp.post("/admin/inloggning/<domain>/tillat")
@login_required
def sso_allow_password(domain: str):
    if not permissions.allowed("accounts.sso.password_login", current_user):
        abort(403)
    sso.allow_password_login(current_user._get_current_object(), domain)
    db.session.commit()
    flash(_("Lösenordsinloggning är tillåten igen för %(domain)s.", domain=domain), "success")
    return redirect(url_for("accounts.sso_admin"))
