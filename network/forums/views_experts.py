"""Questions nobody has answered, for programme staff (/forum/expertfragor)."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user, login_required

from network.forums import experts
from network.forums.views import bp
from network.permissions import allowed


@bp.get("/expertfragor")
@login_required
def stale_questions():
    if not allowed("forums.stale_questions", current_user):
        abort(403)
    page = experts.stale_questions(current_user, max(1, request.args.get("page", 1, type=int)))
    return render_template("forums/stale_questions.html", page=page,
                           days=experts.unanswered_days(), theme_label=experts.theme_label)
