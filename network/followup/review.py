"""Review by someone else: experience reports and public indicator charts.

Nothing a municipality writes becomes public on its author's word alone. A report goes draft →
submitted → approved (by a reviewer who is not the author) → published; a request to show a
measure's indicator charts to everyone is approved the same way. An admin may publish without
that review, but must give a reason, which is kept on the object and in the audit log. Every
review decision is written to the audit log.
"""

from __future__ import annotations

from typing import Any

from network import fulltext, permissions
from network.accounts.models import User
from network.accounts.services import audit
from network.db import utcnow
from network.extensions import db
from network.followup.models import ExperienceReport, Measure, ReportStatus
from network.followup.services import FollowupError, index_report
from network.i18n import gettext as _

SUBMITTED = (ReportStatus.IN_REVIEW, ReportStatus.APPROVED)


def review_choices(user: Any, report: ExperienceReport) -> dict[str, bool]:
    """Which review steps ``user`` may take on ``report`` now (the buttons a page offers)."""
    status = report.status

    def may(action: str) -> bool:
        return permissions.allowed(f"followup.{action}", user, report)

    return {
        "submit": status == ReportStatus.DRAFT and may("submit_report"),
        "approve": status == ReportStatus.IN_REVIEW and may("review_report"),
        "publish": status == ReportStatus.APPROVED and may("publish_report"),
        "unpublish": status == ReportStatus.PUBLISHED and may("unpublish_report"),
        "override": status in SUBMITTED and may("override_review"),
    }


def chart_choices(user: Any, measure: Measure) -> dict[str, bool]:
    """Which steps ``user`` may take on the measure's public charts now."""
    pending, public = measure.charts_pending, measure.public_charts

    def may(action: str) -> bool:
        return permissions.allowed(f"followup.{action}", user, measure)

    return {
        "request": not public and not pending and may("request_public_charts"),
        "approve": pending and may("review_public_charts"),
        "withdraw": (public or pending) and may("withdraw_public_charts"),
        "override": pending and may("override_review"),
    }


def _reason(text: str) -> str:
    reason = (text or "").strip()
    if len(reason) < 10:
        raise FollowupError(_("Skriv varför granskningen hoppas över (minst 10 tecken)."))
    return reason


# -- experience reports ------------------------------------------------------------------------


def submit_report(actor: User, report: ExperienceReport) -> None:
    permissions.check_access("followup.submit_report", actor, report)
    if report.status != ReportStatus.DRAFT:
        raise FollowupError(_("Rapporten är redan skickad för granskning."))
    report.status = ReportStatus.IN_REVIEW
    db.session.flush()


def approve_report(actor: User, report: ExperienceReport) -> None:
    permissions.check_access("followup.review_report", actor, report)
    if report.status == ReportStatus.DRAFT:
        raise FollowupError(_("Rapporten måste skickas för granskning innan den kan godkännas."))
    if report.status != ReportStatus.IN_REVIEW:
        raise FollowupError(_("Rapporten är redan granskad."))
    report.status = ReportStatus.APPROVED
    report.reviewed_by_id, report.reviewed_at = actor.id, utcnow()
    report.review_note = ""
    db.session.flush()
    audit(actor, "followup.report.approve", report)


def return_report(actor: User, report: ExperienceReport, note: str) -> None:
    """The reviewer sends the report back to its authors with what to change."""
    permissions.check_access("followup.review_report", actor, report)
    if report.status != ReportStatus.IN_REVIEW:
        raise FollowupError(_("Bara en rapport som väntar på granskning kan skickas tillbaka."))
    if not (note or "").strip():
        raise FollowupError(_("Skriv vad som behöver ändras."))
    report.status = ReportStatus.DRAFT
    report.review_note = note.strip()
    db.session.flush()
    audit(actor, "followup.report.return", report, note=note.strip())


def publish_report(actor: User, report: ExperienceReport) -> None:
    permissions.check_access("followup.publish_report", actor, report)
    if report.status == ReportStatus.PUBLISHED:
        raise FollowupError(_("Rapporten är redan publicerad."))
    if report.status != ReportStatus.APPROVED or report.reviewed_by_id is None:
        raise FollowupError(_("Rapporten kan inte publiceras innan någon annan än författaren har "
                              "granskat och godkänt den."))
    _publish(report)
    audit(actor, "followup.report.publish", report)


def override_publish_report(actor: User, report: ExperienceReport, reason: str) -> None:
    """An admin publishes a submitted report without an independent review, saying why."""
    permissions.check_access("followup.override_review", actor, report)
    if report.status not in SUBMITTED:
        raise FollowupError(_("Bara en rapport som har skickats för granskning kan publiceras."))
    report.override_reason = _reason(reason)
    report.reviewed_by_id, report.reviewed_at = actor.id, utcnow()
    _publish(report)
    audit(actor, "followup.report.override", report, reason=report.override_reason)


def _publish(report: ExperienceReport) -> None:
    report.status = ReportStatus.PUBLISHED
    report.published_at = utcnow()
    db.session.flush()
    index_report(report)


def unpublish_report(actor: User, report: ExperienceReport) -> None:
    permissions.check_access("followup.unpublish_report", actor, report)
    if report.status != ReportStatus.PUBLISHED:
        raise FollowupError(_("Rapporten är inte publicerad."))
    report.status = ReportStatus.APPROVED
    db.session.flush()
    fulltext.remove_entry("experience", report.id)
    audit(actor, "followup.report.unpublish", report)


# -- public indicator charts -------------------------------------------------------------------


def request_public_charts(actor: User, measure: Measure) -> None:
    permissions.check_access("followup.request_public_charts", actor, measure)
    if measure.public_charts:
        raise FollowupError(_("Diagrammen visas redan för alla."))
    if measure.charts_pending:
        raise FollowupError(_("Diagrammen väntar redan på granskning."))
    measure.charts_requested_by_id = actor.id
    measure.charts_reviewed_by_id, measure.charts_reviewed_at = None, None
    db.session.flush()
    audit(actor, "followup.charts.request", measure)


def approve_public_charts(actor: User, measure: Measure) -> None:
    permissions.check_access("followup.review_public_charts", actor, measure)
    if not measure.charts_pending:
        raise FollowupError(_("Ingen har begärt att diagrammen ska visas för alla."))
    measure.public_charts = True
    measure.charts_reviewed_by_id, measure.charts_reviewed_at = actor.id, utcnow()
    measure.charts_override_reason = ""
    db.session.flush()
    audit(actor, "followup.charts.approve", measure)


def override_public_charts(actor: User, measure: Measure, reason: str) -> None:
    permissions.check_access("followup.override_review", actor, measure)
    if not measure.charts_pending:
        raise FollowupError(_("Ingen har begärt att diagrammen ska visas för alla."))
    measure.charts_override_reason = _reason(reason)
    measure.public_charts = True
    measure.charts_reviewed_by_id, measure.charts_reviewed_at = actor.id, utcnow()
    db.session.flush()
    audit(actor, "followup.charts.override", measure, reason=measure.charts_override_reason)


def withdraw_public_charts(actor: User, measure: Measure) -> None:
    """Back to the local group only (also declines a pending request)."""
    permissions.check_access("followup.withdraw_public_charts", actor, measure)
    if not measure.public_charts and not measure.charts_pending:
        raise FollowupError(_("Diagrammen visas bara för den lokala gruppen."))
    decision = "followup.charts.withdraw" if measure.public_charts else "followup.charts.decline"
    measure.public_charts = False
    measure.charts_requested_by_id = None
    measure.charts_reviewed_by_id, measure.charts_reviewed_at = None, None
    measure.charts_override_reason = ""
    db.session.flush()
    audit(actor, decision, measure)
