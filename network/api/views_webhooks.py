"""Admins register webhook endpoints and see how deliveries went."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from network.api import webhooks
from network.api.forms import WebhookForm
from network.api.models import Webhook, WebhookEvent
from network.api.permissions import can_manage_webhooks
from network.api.views_pages import pages
from network.extensions import db
from network.i18n import lazy_gettext as _l


@pages.route("/webhooks", methods=["GET", "POST"])
@login_required
def webhook_list():
    if not can_manage_webhooks(current_user):
        abort(403)
    form = WebhookForm()
    created = None
    if form.validate_on_submit():
        try:
            created = webhooks.create_webhook(current_user, url=form.url.data, events=form.events.data)
        except webhooks.WebhookError as error:
            form.url.errors = [*form.url.errors, str(error)]
        else:
            db.session.commit()
            form = WebhookForm(formdata=None)
    return render_template("api/webhooks.html", form=form, created=created, hooks=webhooks.webhooks(),
                           deliveries=webhooks.recent_deliveries(),
                           labels={e.value: e.label for e in WebhookEvent})


@pages.post("/webhooks/<int:hook_id>/inaktivera")
@login_required
def webhook_deactivate(hook_id: int):
    hook = db.get_or_404(Webhook, hook_id)
    if not can_manage_webhooks(current_user):
        abort(404)
    webhooks.deactivate_webhook(current_user, hook)
    db.session.commit()
    flash(_l("Mottagaren får inga fler leveranser."), "success")
    return redirect(url_for("api_pages.webhook_list"))
