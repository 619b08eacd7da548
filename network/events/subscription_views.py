"""The calendar subscription page: feed addresses (shown once), their replacement and revocation,
and the choice between calendar invitations and plain calendar files. Routes on ``views.bp``."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from network import permissions
from network.accounts.models import Group
from network.events import invitations, tokens
from network.events.permissions import can_subscribe
from network.events.views import bp, feed_links
from network.extensions import db
from network.i18n import gettext as _
from network.notifications.inbound import replies_enabled


def _my_groups() -> list[Group]:
    return list(db.session.scalars(
        select(Group).where(Group.id.in_(permissions.group_ids(current_user) or {-1})).order_by(Group.name)
    ))


def _subscription_page(**extra) -> str:
    return render_template(
        "events/subscription.html", token_row=tokens.calendar_token(current_user), groups=_my_groups(),
        feeds=feed_links(), webcal=_webcal, invitations_on=invitations.wants_invitations(current_user),
        replies=replies_enabled(), **extra,
    )


@bp.get("/kalenderprenumeration")
@login_required
def subscription():
    if not can_subscribe(current_user):
        abort(403)
    return _subscription_page()


@bp.post("/kalenderprenumeration/ny")
@login_required
def regenerate_token():
    if not can_subscribe(current_user):
        abort(403)
    if tokens.calendar_token(current_user) is not None and request.form.get("confirm") != "1":
        # Replacing the address breaks every subscription that uses it: ask first.
        return _subscription_page(confirm_replace=True)
    token = tokens.regenerate_calendar_token(current_user)
    db.session.commit()
    personal = url_for("events_feeds.personal_feed", token=token, _external=True)
    group_urls = [(g, url_for("events_feeds.token_group_feed", token=token, group_id=g.id, _external=True))
                  for g in _my_groups()]
    # The address is shown once, on this response only; it is never stored in clear.
    response = Response(_subscription_page(personal_url=personal, group_urls=group_urls))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/kalenderprenumeration/inbjudningar")
@login_required
def set_invitations():
    if not can_subscribe(current_user):
        abort(403)
    wanted = request.form.get("invitations") == "1"
    invitations.set_invitations(current_user, wanted)
    db.session.commit()
    flash(_("Du får kalenderinbjudningar när du anmäler dig.") if wanted else
          _("Du får en bekräftelse med en kalenderfil i stället för kalenderinbjudningar."), "success")
    return redirect(url_for("events.subscription"))


@bp.post("/kalenderprenumeration/aterkalla")
@login_required
def revoke_token():
    tokens.revoke_calendar_token(current_user)
    db.session.commit()
    flash(_("Din kalenderadress är återkallad. Prenumerationer som använder den slutar uppdateras."),
          "success")
    return redirect(url_for("events.subscription"))


def _webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[1]
