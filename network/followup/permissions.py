"""Who may see and do what in follow-up, mapped onto ``network.permissions``.

A municipality's follow-up (situation pictures, plans, measures, indicators, notes) belongs to
its *local groups* (``Group.kind == local`` with that ``municipality_code``). Rules:

- Seeing: network admins, the agency's programme staff, county-board staff for the municipalities
  of their county, and members of any non-archived local group of the municipality. A
  municipality with several local groups (e.g. one per district) shares its follow-up with all of
  them: the plan is the municipality's, not one district's. In the full-text index a measure is
  ``group`` content owned by the *primary* local group (the oldest); members of a second local
  group see the measure's page but find it in search only through the primary group.
- Editing (pictures, plans, measures, indicators, measurements, notes, report drafts, the law's
  duties): admins and the local groups (programme and county staff only read); the local group
  is the municipality's collaboration (police, housing, school...).
- Review by someone else: a submitted experience report, or a request to show a measure's
  indicator charts to everyone, is approved by someone who is not its author: programme staff,
  an admin, or a facilitator of the municipality's local group from another organisation.
  Publishing an approved report and withdrawing from the public: those facilitators and
  programme staff. An admin may publish without that review, giving a recorded reason.
- The support log and the programme dashboard: programme staff (and admins).
- Published experience reports are public; a measure with ``public_charts`` shows its indicator
  charts to everyone.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from sqlalchemy import ColumnElement, false, or_, select, true

from network import permissions
from network.accounts.models import Group, GroupKind, Municipality, User
from network.extensions import db
from network.followup.models import ActionPlan, ExperienceReport, Measure, ReportStatus


def local_groups(municipality_code: str) -> list[Group]:
    return list(db.session.scalars(
        select(Group).where(Group.kind == GroupKind.LOCAL.value,
                            Group.municipality_code == municipality_code,
                            Group.archived.is_(False)).order_by(Group.id)))


def primary_group_id(municipality_code: str) -> int | None:
    """The local group that owns the municipality's search entries (the oldest one)."""
    return db.session.scalar(
        select(Group.id).where(Group.kind == GroupKind.LOCAL.value,
                               Group.municipality_code == municipality_code,
                               Group.archived.is_(False)).order_by(Group.id).limit(1))


def _local_roles(user: Any) -> dict[str, set[str]]:
    """{municipality code: {roles}} for the user's local groups, once per request."""
    if not permissions.is_member(user):
        return {}
    key = f"_followup_local_{user.id}"
    if has_request_context() and key in g:
        return g.get(key)
    roles = permissions.group_roles(user)
    result: dict[str, set[str]] = {}
    if roles:
        rows = db.session.execute(
            select(Group.id, Group.municipality_code).where(
                Group.id.in_(list(roles)), Group.kind == GroupKind.LOCAL.value,
                Group.municipality_code.is_not(None), Group.archived.is_(False))).all()
        for gid, code in rows:
            result.setdefault(code, set()).add(str(roles[gid]))
    if has_request_context():
        setattr(g, key, result)
    return result


def overseen_county(user: Any) -> str | None:
    return permissions.overseen_county(user)


def my_municipality_codes(user: Any) -> set[str]:
    return set(_local_roles(user))


def _county_of(municipality_code: str) -> str | None:
    municipality = db.session.get(Municipality, municipality_code)
    return municipality.county_code if municipality else None


def can_view_municipality(user: Any, municipality_code: str) -> bool:
    """Local groups, programme staff and the county board of the municipality's county."""
    if permissions.is_programme_staff(user) or municipality_code in _local_roles(user):
        return True
    county = permissions.overseen_county(user)
    return county is not None and _county_of(municipality_code) == county


def can_edit_municipality(user: Any, municipality_code: str) -> bool:
    """The municipality's own local groups (and admins); staff and county boards only read."""
    return permissions.is_admin(user) or municipality_code in _local_roles(user)


def can_decide_public(user: Any, municipality_code: str) -> bool:
    """Publish approved experience reports, withdraw reports and charts from the public."""
    if permissions.is_programme_staff(user):
        return True
    return "facilitator" in _local_roles(user).get(municipality_code, set())


def _same_organisation(user: Any, author_id: int | None) -> bool:
    if author_id is None or getattr(user, "organisation_id", None) is None:
        return False
    author = db.session.get(User, author_id)
    return author is not None and author.organisation_id == user.organisation_id


def is_independent_reviewer(user: Any, municipality_code: str, author_id: int | None) -> bool:
    """Someone who is not the author: programme staff, an admin, or a facilitator of one of the
    municipality's local groups from another organisation than the author's."""
    if not permissions.is_member(user) or (author_id is not None and user.id == author_id):
        return False
    if permissions.is_programme_staff(user):
        return True
    return ("facilitator" in _local_roles(user).get(municipality_code, set())
            and not _same_organisation(user, author_id))


def municipality_filter(user: Any, code_col: Any) -> ColumnElement[bool]:
    """``can_view_municipality`` as SQL, for list queries."""
    if permissions.is_programme_staff(user):
        return true()
    codes = my_municipality_codes(user)
    mine = code_col.in_(sorted(codes)) if codes else false()
    county = permissions.overseen_county(user)
    if county is None:
        return mine
    return or_(mine, code_col.in_(select(Municipality.code).where(Municipality.county_code == county)))


def can_view_measure(user: Any, measure: Measure) -> bool:
    return can_view_municipality(user, measure.municipality_code)


def can_view_charts(user: Any, measure: Measure) -> bool:
    return measure.public_charts or can_view_measure(user, measure)


def can_view_report(user: Any, report: ExperienceReport) -> bool:
    return report.status == ReportStatus.PUBLISHED or can_view_municipality(user, report.municipality_code)


def can_edit_report(user: Any, report: ExperienceReport) -> bool:
    """Drafts are edited by the municipality; once published only the deciders change them."""
    if report.status == ReportStatus.PUBLISHED:
        return can_decide_public(user, report.municipality_code)
    return can_edit_municipality(user, report.municipality_code)


def can_review_report(user: Any, report: ExperienceReport) -> bool:
    """Approve or send back a submitted report: never its author."""
    return is_independent_reviewer(user, report.municipality_code, report.author_id)


def can_publish_report(user: Any, report: ExperienceReport) -> bool:
    return can_decide_public(user, report.municipality_code)


def can_override_review(user: Any, *_objects: Any) -> bool:
    """Admins may publish without an independent review, giving a reason that is recorded."""
    return permissions.is_admin(user)


def can_request_public_charts(user: Any, measure: Measure) -> bool:
    return can_edit_municipality(user, measure.municipality_code)


def can_review_public_charts(user: Any, measure: Measure) -> bool:
    return is_independent_reviewer(user, measure.municipality_code, measure.charts_requested_by_id)


def can_withdraw_public_charts(user: Any, measure: Measure) -> bool:
    return can_decide_public(user, measure.municipality_code)


def can_manage_support(user: Any) -> bool:
    return permissions.is_programme_staff(user)


def can_view_dashboard(user: Any) -> bool:
    return permissions.is_programme_staff(user)


def can_record_plan_decision(user: Any, plan: ActionPlan) -> bool:
    return can_edit_municipality(user, plan.municipality_code)


def _edits_code(user: Any, municipality_code: str, *_objects: Any) -> bool:
    return can_edit_municipality(user, municipality_code)


def _edits_picture(user: Any, picture: Any) -> bool:
    return can_edit_municipality(user, picture.municipality_code)


def _edits_key_figure(user: Any, figure: Any) -> bool:
    return can_edit_municipality(user, figure.picture.municipality_code)


def _edits_plan(user: Any, plan: ActionPlan) -> bool:
    return can_edit_municipality(user, plan.municipality_code)


def _edits_measure(user: Any, measure: Measure) -> bool:
    return can_edit_municipality(user, measure.municipality_code)


def _edits_indicator(user: Any, indicator: Any) -> bool:
    return can_edit_municipality(user, indicator.measure.municipality_code)


def _edits_measurement(user: Any, measurement: Any) -> bool:
    return can_edit_municipality(user, measurement.indicator.measure.municipality_code)


def _manages_support(user: Any, *_objects: Any) -> bool:
    return can_manage_support(user)


permissions.register_auth({
    "followup.save_picture": _edits_code,
    "followup.add_key_figure": _edits_picture,
    "followup.remove_key_figure": _edits_key_figure,
    "followup.save_plan": _edits_code,
    "followup.save_measure": _edits_plan,
    "followup.update_measure": _edits_measure,
    "followup.save_indicator": _edits_measure,
    "followup.update_indicator": _edits_indicator,
    "followup.add_measurement": _edits_indicator,
    "followup.delete_measurement": _edits_measurement,
    "followup.add_note": _edits_measure,
    "followup.add_support": _manages_support,
    "followup.delete_support": _manages_support,
    "followup.create_report_from_measure": _edits_measure,
    "followup.update_report": can_edit_report,
    "followup.delete_report": can_edit_report,
    "followup.record_plan_decision": can_record_plan_decision,
    "followup.record_coordination": can_edit_municipality,
    "followup.submit_report": can_edit_report,
    "followup.review_report": can_review_report,
    "followup.publish_report": can_publish_report,
    "followup.unpublish_report": can_publish_report,
    "followup.override_review": can_override_review,
    "followup.request_public_charts": can_request_public_charts,
    "followup.review_public_charts": can_review_public_charts,
    "followup.withdraw_public_charts": can_withdraw_public_charts,
})
