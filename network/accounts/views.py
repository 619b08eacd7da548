"""Signing in and out, invitations, password reset, the member's profile and their own data.

Other pages of the feature live in ``views_groups``, ``views_places`` and ``views_admin``;
they all register on this one blueprint.
"""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from network import permissions
from network.accounts import invitations, privacy, services, sessions, sso, sso_client
from network.accounts.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    DeleteAccountForm,
    DeleteSsoAccountForm,
    ForgotPasswordForm,
    InviteForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
)
from network.accounts.invitations import TokenState
from network.accounts.models import Group, GroupRole, Organisation
from network.extensions import db, installation_key, rate_limited
from network.i18n import gettext as _
from network.views import safe_next

bp = Blueprint("accounts", __name__, template_folder="templates")


def start_session(user, *, remember: bool = False) -> None:
    """Sign ``user`` in on this browser: a new server-side session, then the cookie."""
    sessions.open_session(user, user_agent=request.user_agent.string, remember=remember)
    db.session.commit()
    login_user(user, remember=remember)


def touch_session(response):
    """After a successful request: note "last seen" when due (at most every few minutes).

    Skipped when the view left writes uncommitted, so the touch never commits them.
    """
    user = current_user._get_current_object() if "_login_user" in g else None
    if (user is None or not getattr(user, "session_touch_due", False)
            or response.status_code >= 400 or _pending_writes()):
        return response
    user.session_touch_due = False
    sessions.touch(user.server_session_id)
    db.session.commit()
    sessions.forget_known(user.session_key)  # its "last seen" is read again
    return response


def _pending_writes() -> bool:
    from network.cache import _DIRTY

    session = db.session()
    return bool(session.new or session.dirty or session.deleted or session.info.get(_DIRTY))


def _login_account_key() -> str:
    return installation_key("login-account:" + services.normalise_email(request.form.get("email", "")))


def _failed(response) -> bool:
    # Only failed attempts count towards the limits; a successful login redirects.
    return response.status_code != 302


@bp.route("/logga-in", methods=["GET", "POST"])
@rate_limited(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"],
               deduct_when=_failed)
@rate_limited(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_login_account_key, deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        if sso.password_login_blocked(form.email.data):
            # Refused before any password is checked; tells only the domain's policy.
            form.email.errors.append(_(
                "Adresser på %(domain)s loggar inte in med lösenord. Använd ”Logga in med "
                "%(providers)s”.", domain=sso.email_domain(form.email.data),
                providers=", ".join(p["name"] for p in sso.providers_for(form.email.data))))
        elif (user := services.authenticate(form.email.data, form.password.data)) is not None:
            start_session(user, remember=form.remember.data)
            return redirect(safe_next(form.next.data, url_for("main.index")))
        else:
            # One message whether the email exists or not: no account enumeration.
            form.password.errors.append(_("Fel e-postadress eller lösenord."))
    status = 401 if request.method == "POST" and form.errors else 200
    return render_template("accounts/login.html", form=form, sso_providers=sso.providers()), status


@bp.post("/logga-ut")
@login_required
def logout():
    sessions.end_current(current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash(_("Du är utloggad."), "success")
    # Signed in through a provider that can end its own session: it ends too, then comes back.
    # A page that moves on by itself rather than a redirect: the logout form's redirect to
    # another origin would break the site's CSP (form-action 'self').
    provider_logout = sso_client.logout_url(url_for("main.index", _external=True))
    if provider_logout:
        return render_template("accounts/sso_logout.html", provider_logout=provider_logout)
    return redirect(url_for("main.index"))


# -- invitations -------------------------------------------------------------------------------


def _invitable_groups(user) -> list[Group]:
    from sqlalchemy import select

    stmt = select(Group).where(Group.archived.is_(False)).order_by(Group.name)
    if not permissions.is_admin(user):
        stmt = stmt.where(Group.id.in_(permissions.facilitated_group_ids(user) or {-1}))
    return list(db.session.scalars(stmt))


@bp.route("/bjud-in", methods=["GET", "POST"])
@login_required
def invite():
    groups = _invitable_groups(current_user)
    if not permissions.is_admin(current_user) and not groups:
        abort(403)
    preselected = request.args.get("grupp", type=int)
    form = InviteForm(organisations=services.organisations(), groups=groups,
                      group_required=not permissions.is_admin(current_user),
                      data={"group_id": preselected} if request.method == "GET" else None)
    if form.validate_on_submit():
        group = db.session.get(Group, form.group_id.data) if form.group_id.data else None
        if not permissions.can_invite(current_user, group):
            abort(403)
        organisation = (db.session.get(Organisation, form.organisation_id.data)
                        if form.organisation_id.data else None)
        try:
            invitations.invite(current_user, form.email.data, organisation=organisation,
                               group=group, group_role=GroupRole(form.group_role.data))
        except services.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Inbjudan har skickats till %(email)s.", email=form.email.data), "success")
            if group is not None:
                return redirect(url_for("accounts.group", group_id=group.id))
            return redirect(url_for("accounts.invite"))
    return render_template("accounts/invite.html", form=form), 422 if form.errors else 200


def _token_problem(state: TokenState, kind: str):
    return render_template("accounts/token_problem.html", state=state, kind=kind), (
        410 if state in (TokenState.USED, TokenState.EXPIRED) else 404)


@bp.route("/inbjudan/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    invitation = invitations.find_invitation(token)
    state = invitations.invitation_state(invitation)
    if state != TokenState.OK:
        return _token_problem(state, "invitation")
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = invitations.accept_invitation(
                invitation, name=form.name.data, password=form.password.data,
                title=form.title.data or "", phone=form.phone.data or "")
        except services.AccountError as exc:
            form.name.errors.append(str(exc))
        else:
            start_session(user)
            flash(_("Välkommen till nätverket! Ditt konto är klart."), "success")
            return redirect(url_for("main.index"))
    return render_template("accounts/accept_invitation.html", form=form,
                           invitation=invitation), 422 if form.errors else 200


# -- password reset ----------------------------------------------------------------------------


@bp.route("/glomt-losenord", methods=["GET", "POST"])
@rate_limited("10 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        invitations.request_password_reset(form.email.data)
        db.session.commit()
        # The same answer whether or not the address has an account.
        return render_template("accounts/reset_requested.html")
    return render_template("accounts/forgot_password.html", form=form), 422 if form.errors else 200


@bp.route("/aterstall-losenord/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    reset = invitations.find_password_reset(token)
    state = invitations.reset_state(reset)
    if state != TokenState.OK:
        return _token_problem(state, "reset")
    form = ResetPasswordForm()
    if form.validate_on_submit():
        invitations.reset_password(reset, form.password.data)
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        flash(_("Ditt lösenord är bytt. Logga in med det nya lösenordet."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), 422 if form.errors else 200


# -- profile -----------------------------------------------------------------------------------


@bp.route("/profil", methods=["GET", "POST"])
@login_required
def profile():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user if request.method == "GET" else None,
                       organisations=services.organisations())
    if request.method == "GET":
        form.locale.data = user.locale or "sv"
    if form.validate_on_submit():
        try:
            services.update_profile(
                user, name=form.name.data, title=form.title.data or "",
                phone=form.phone.data or "", email=form.email.data,
                organisation_id=form.organisation_id.data,
                email_notifications=form.email_notifications.data, locale=form.locale.data,
                show_email=form.show_email.data, show_phone=form.show_phone.data)
        except services.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            session["lang"] = user.locale
            flash(_("Dina uppgifter är sparade."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, user=user,
                           memberships=services.user_memberships(user),
                           sso_identities=sso.identities(user),
                           password_form=ChangePasswordForm()), 422 if form.errors else 200


@bp.route("/profil/losenord", methods=["GET", "POST"])
@login_required
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(user, form.current_password.data, form.password.data,
                                     keep_session=sessions.current_session_id(user))
        except services.AccountError as exc:
            form.current_password.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Ditt lösenord är bytt. Du har loggats ut på alla andra enheter."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form), 422 if form.errors else 200


@bp.get("/profil/mina-uppgifter.json")
@login_required
def export_data():
    data = privacy.export_user_data(current_user._get_current_object())
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="mina-uppgifter.json"',
        "Cache-Control": "no-store"})


@bp.route("/profil/radera", methods=["GET", "POST"])
@login_required
def delete_account():
    from network.accounts import members

    user = current_user._get_current_object()
    # An account that signs in through single sign-on only has no password: it confirms with its
    # email address.
    form = DeleteAccountForm() if user.password_hash is not None else DeleteSsoAccountForm()
    needing = members.groups_needing_successor(user)
    candidates = {g.id: members.successor_candidates(g, user) for g in needing}
    if form.validate_on_submit():
        successors = {int(k[10:]): int(v) for k, v in request.form.items()
                      if k.startswith("successor-") and k[10:].isdigit() and v.isdigit()}
        try:
            privacy.delete_account(user, form.password.data, successors=successors)
        except services.AccountError as exc:
            db.session.rollback()
            form.password.errors.append(str(exc))
        else:
            db.session.commit()
            logout_user()
            session.pop("lang", None)
            flash(_("Ditt konto är borttaget. Det du skrivit finns kvar som ”Tidigare medlem”."),
                  "success")
            return redirect(url_for("main.index"))
    return render_template("accounts/delete_account.html", form=form, needing=needing,
                           candidates=candidates), 422 if form.errors else 200
