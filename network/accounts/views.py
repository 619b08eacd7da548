from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from network.accounts import services
from network.accounts.forms import LoginForm
from network.extensions import db, limiter
from network.views import safe_next

bp = Blueprint("accounts", __name__, template_folder="templates")


def _login_account_key() -> str:
    return "login-account:" + services.normalise_email(request.form.get("email", ""))


def _failed(response) -> bool:
    # Only failed attempts count towards the limits; a successful login redirects.
    return response.status_code != 302


@bp.route("/logga-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"],
               deduct_when=_failed)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_login_account_key, deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            db.session.commit()
            return redirect(safe_next(form.next.data, url_for("main.index")))
        # One message whether the email exists or not: no account enumeration.
        form.password.errors.append(_("Fel e-postadress eller lösenord."))
    status = 401 if request.method == "POST" and form.errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logga-ut")
@login_required
def logout():
    logout_user()
    flash(_("Du är utloggad."), "success")
    return redirect(url_for("main.index"))


@bp.get("/profil")
@login_required
def profile():
    return render_template("accounts/profile.html", user=current_user)
