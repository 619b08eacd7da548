"""The member directory (/medlemmar), profiles (/medlemmar/<id>) and experts (/experter)."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user, login_required

from network import permissions
from network.accounts import directory, services
from network.accounts.models import User
from network.accounts.views import bp
from network.accounts.views_members import expertise_themes
from network.extensions import db


@bp.get("/medlemmar")
@login_required
def directory_list():
    if not permissions.allowed("accounts.directory.view", current_user):
        abort(403)
    q = request.args.get("q", "")[:200]
    themes = expertise_themes()
    theme = request.args.get("tema", "")
    theme = theme if theme in themes else ""
    page = services.paginate(directory.directory_query(current_user, q=q, theme=theme),
                             request.args.get("page", 1, type=int))
    args = {k: v for k, v in {"q": q, "tema": theme}.items() if v}
    return render_template("accounts/directory.html", page=page, q=q, theme=theme,
                           themes=themes, args=args)


@bp.get("/medlemmar/<int:user_id>")
@login_required
def member_profile(user_id: int):
    user = db.get_or_404(User, user_id)
    if not permissions.allowed("accounts.directory.profile", current_user, user):
        abort(404)
    return render_template("accounts/member_profile.html", themes=expertise_themes(),
                           **directory.profile(current_user, user))


@bp.get("/experter")
@login_required
def experts():
    if not permissions.allowed("accounts.directory.view", current_user):
        abort(403)
    return render_template("accounts/experts.html",
                           themes=directory.experts_by_theme(current_user, expertise_themes()))
