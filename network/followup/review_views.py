"""The review steps for experience reports and public indicator charts.

Each button is offered only when its action is allowed for this user and the object is in the
right state (never "approve" or "publish" on a draft that has not been submitted); the actions
check the same rules again and refuse with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from flask import abort, redirect, request, url_for
from flask_babel import LazyString
from flask_login import current_user, login_required

from network import permissions
from network.followup import review
from network.followup.views import bp, commit_or_flash, load_measure, load_report
from network.i18n import lazy_gettext as _l


class Step(NamedTuple):
    """One review button: its URL part, the permission it needs, the action and what it says."""

    path: str
    action_name: str
    act: Callable[..., Any]  # act(actor, obj) or act(actor, obj, text) when ``field`` is set
    success: LazyString
    field: str | None = None  # a form field whose text the action takes (a note, a reason)


REPORT_STEPS = {
    "report_submit": Step("skicka", "followup.submit_report", review.submit_report,
                          _l("Rapporten är skickad för granskning.")),
    "report_approve": Step("godkann", "followup.review_report", review.approve_report,
                           _l("Rapporten är granskad och godkänd.")),
    "report_return": Step("skicka-tillbaka", "followup.review_report", review.return_report,
                          _l("Rapporten är skickad tillbaka till författarna."), "note"),
    "report_publish": Step("publicera", "followup.publish_report", review.publish_report,
                           _l("Rapporten är publicerad i erfarenhetsbanken.")),
    "report_override": Step("publicera-utan-granskning", "followup.override_review",
                            review.override_publish_report,
                            _l("Rapporten är publicerad utan oberoende granskning. Skälet är sparat."),
                            "reason"),
    "report_unpublish": Step("avpublicera", "followup.unpublish_report", review.unpublish_report,
                             _l("Rapporten är inte längre publicerad.")),
}

CHART_STEPS = {
    "charts_request": Step("begar", "followup.request_public_charts", review.request_public_charts,
                           _l("Begäran är skickad. Diagrammen visas för alla när någon annan har "
                              "godkänt dem.")),
    "charts_approve": Step("godkann", "followup.review_public_charts", review.approve_public_charts,
                           _l("Diagrammen visas nu för alla.")),
    "charts_override": Step("utan-granskning", "followup.override_review", review.override_public_charts,
                            _l("Diagrammen visas nu för alla utan oberoende granskning. Skälet är sparat."),
                            "reason"),
    "charts_withdraw": Step("dra-tillbaka", "followup.withdraw_public_charts",
                            review.withdraw_public_charts,
                            _l("Diagrammen visas bara för den lokala gruppen.")),
}


def _step_view(step: Step, load: Callable[[int], Any], page: str, id_name: str) -> Callable:
    """POST handler: load (404), check the step's permission (403), act, back to ``page``."""

    @login_required
    def view(**url_values: int):
        obj = load(url_values[id_name])
        if not permissions.allowed(step.action_name, current_user, obj):
            abort(403)
        words = (request.form.get(step.field, ""),) if step.field else ()
        commit_or_flash(lambda: step.act(current_user, obj, *words), str(step.success))
        return redirect(url_for(page, **{id_name: obj.id}))

    return view


for _endpoint, _step in REPORT_STEPS.items():
    bp.add_url_rule(f"/uppfoljning/rapport/<int:report_id>/{_step.path}", _endpoint,
                    _step_view(_step, load_report, ".report", "report_id"), methods=["POST"])
for _endpoint, _step in CHART_STEPS.items():
    bp.add_url_rule(f"/uppfoljning/atgard/<int:measure_id>/publika-diagram/{_step.path}", _endpoint,
                    _step_view(_step, load_measure, ".measure", "measure_id"), methods=["POST"])
