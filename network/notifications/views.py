"""The notification list: what happened that concerns me, re-checked for access when shown."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from network.extensions import db
from network.i18n import gettext as _
from network.notifications import services
from network.views import safe_next

bp = Blueprint("notifications", __name__, url_prefix="/notiser", template_folder="templates")


@bp.get("/")
@login_required
def index():
    rows = services.notifications_for(current_user, limit=services.LIST_LIMIT)
    # Links are the feature's own paths; anything else (an absolute or script URL) is not linked.
    items = [(row, safe_next(row.url, "")) for row in rows]
    return render_template("notifications/index.html", notifications=items,
                           unread_notifications=services.unread_count(current_user))


@bp.post("/<int:notification_id>/las")
@login_required
def mark_read(notification_id: int):
    row = services.get_notification(current_user, notification_id)
    if row is None:
        abort(404)  # someone else's notification is not even acknowledged to exist
    services.mark_read(current_user, row.id)
    db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for(".index")))


@bp.post("/las-alla")
@login_required
def mark_all_read():
    services.mark_read(current_user)
    db.session.commit()
    flash(_("Alla notiser är markerade som lästa."), "success")
    return redirect(url_for(".index"))
