"""The review steps for experience reports and public indicator charts.

Each button is offered only when its action is allowed for this user and the object is in the
right state (never "approve" or "publish" on a draft that has not been submitted); the actions
check the same rules again and refuse with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network import permissions as core
from network.extensions import db
from network.followup import permissions as perms
from network.followup import review
from network.followup.models import ExperienceReport, Measure
from network.followup.views import bp, commit_or_flash, load_measure


def _report(report_id: int) -> ExperienceReport:
    report = db.session.get(ExperienceReport, report_id)
    if report is None or not perms.can_view_municipality(current_user, report.municipality_code):
        abort(404)
    return report


def _step(obj: Any, action_name: str, act: Callable[[], None], success: str, back: str) -> Response:
    if not core.allowed(action_name, current_user, obj):
        abort(403)
    commit_or_flash(act, success)
    return redirect(back)


# -- experience reports ------------------------------------------------------------------------


@bp.post("/uppfoljning/rapport/<int:report_id>/skicka")
@login_required
def report_submit(report_id: int):
    report = _report(report_id)
    return _step(report, "followup.submit_report", lambda: review.submit_report(current_user, report),
                 _("Rapporten är skickad för granskning."), url_for(".report", report_id=report.id))


@bp.post("/uppfoljning/rapport/<int:report_id>/godkann")
@login_required
def report_approve(report_id: int):
    report = _report(report_id)
    return _step(report, "followup.review_report", lambda: review.approve_report(current_user, report),
                 _("Rapporten är granskad och godkänd."), url_for(".report", report_id=report.id))


@bp.post("/uppfoljning/rapport/<int:report_id>/skicka-tillbaka")
@login_required
def report_return(report_id: int):
    report = _report(report_id)
    note = request.form.get("note", "")
    return _step(report, "followup.review_report", lambda: review.return_report(current_user, report, note),
                 _("Rapporten är skickad tillbaka till författarna."),
                 url_for(".report", report_id=report.id))


@bp.post("/uppfoljning/rapport/<int:report_id>/publicera")
@login_required
def report_publish(report_id: int):
    report = _report(report_id)
    return _step(report, "followup.publish_report", lambda: review.publish_report(current_user, report),
                 _("Rapporten är publicerad i erfarenhetsbanken."), url_for(".report", report_id=report.id))


@bp.post("/uppfoljning/rapport/<int:report_id>/publicera-utan-granskning")
@login_required
def report_override(report_id: int):
    report = _report(report_id)
    reason = request.form.get("reason", "")
    return _step(report, "followup.override_review",
                 lambda: review.override_publish_report(current_user, report, reason),
                 _("Rapporten är publicerad utan oberoende granskning. Skälet är sparat."),
                 url_for(".report", report_id=report.id))


@bp.post("/uppfoljning/rapport/<int:report_id>/avpublicera")
@login_required
def report_unpublish(report_id: int):
    report = _report(report_id)
    return _step(report, "followup.unpublish_report", lambda: review.unpublish_report(current_user, report),
                 _("Rapporten är inte längre publicerad."), url_for(".report", report_id=report.id))


# -- public indicator charts -------------------------------------------------------------------


def _chart_step(measure_id: int, action_name: str, act: Callable[[Measure], None], success: str):
    measure = load_measure(measure_id)
    return _step(measure, action_name, lambda: act(measure), success,
                 url_for(".measure", measure_id=measure.id))


@bp.post("/uppfoljning/atgard/<int:measure_id>/publika-diagram/begar")
@login_required
def charts_request(measure_id: int):
    return _chart_step(measure_id, "followup.request_public_charts",
                       lambda m: review.request_public_charts(current_user, m),
                       _("Begäran är skickad. Diagrammen visas för alla när någon annan har godkänt dem."))


@bp.post("/uppfoljning/atgard/<int:measure_id>/publika-diagram/godkann")
@login_required
def charts_approve(measure_id: int):
    return _chart_step(measure_id, "followup.review_public_charts",
                       lambda m: review.approve_public_charts(current_user, m),
                       _("Diagrammen visas nu för alla."))


@bp.post("/uppfoljning/atgard/<int:measure_id>/publika-diagram/utan-granskning")
@login_required
def charts_override(measure_id: int):
    reason = request.form.get("reason", "")
    return _chart_step(measure_id, "followup.override_review",
                       lambda m: review.override_public_charts(current_user, m, reason),
                       _("Diagrammen visas nu för alla utan oberoende granskning. Skälet är sparat."))


@bp.post("/uppfoljning/atgard/<int:measure_id>/publika-diagram/dra-tillbaka")
@login_required
def charts_withdraw(measure_id: int):
    return _chart_step(measure_id, "followup.withdraw_public_charts",
                       lambda m: review.withdraw_public_charts(current_user, m),
                       _("Diagrammen visas bara för den lokala gruppen."))
