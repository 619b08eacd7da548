"""Review by someone else: reports and public charts need a reviewer who is not the author."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from network.accounts import services as accounts
from network.accounts.models import AuditLog, GroupRole, NetworkRole
from network.followup import review, services
from network.followup.models import ReportStatus
from network.followup.services import FollowupError
from network.permissions import AccessDenied


def _submitted(world, author=None):
    author = author or world.member
    report = services.create_report_from_measure(author, world.measure)
    review.submit_report(author, report)
    return report


def _actions(db) -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).where(AuditLog.action.like("followup.%"))
                                   .order_by(AuditLog.id)))


def _role(make, db, role, **kw):
    user = make.user(**kw)
    user.role = role
    db.session.commit()
    return user


def test_the_author_cannot_approve_their_own_report_even_as_facilitator(world, db):
    report = _submitted(world, author=world.facilitator)
    with pytest.raises(AccessDenied):
        review.approve_report(world.facilitator, report)
    assert report.status == ReportStatus.IN_REVIEW and report.reviewed_by_id is None
    assert "followup.report.approve" not in _actions(db)


def test_a_facilitator_of_the_authors_own_organisation_is_not_independent(world, make, db):
    police = world.police
    author = make.user(organisation=police)
    colleague = make.user(organisation=police)
    accounts.add_member(None, world.group, author, GroupRole.MEMBER)
    accounts.add_member(None, world.group, colleague, GroupRole.FACILITATOR)
    report = _submitted(world, author=author)
    with pytest.raises(AccessDenied):
        review.approve_report(colleague, report)
    assert report.status == ReportStatus.IN_REVIEW
    review.approve_report(world.facilitator, report)  # another organisation (none)
    assert report.reviewed_by_id == world.facilitator.id


def test_programme_staff_review_any_municipalitys_report_but_county_staff_do_not(world, make, db):
    county = _role(make, db, NetworkRole.COUNTY)
    county.county_code = "01"
    staff = _role(make, db, NetworkRole.STAFF)
    report = _submitted(world)
    with pytest.raises(AccessDenied):
        review.approve_report(county, report)
    review.approve_report(staff, report)
    assert report.status == ReportStatus.APPROVED and report.reviewed_by_id == staff.id


def test_a_draft_that_was_not_submitted_cannot_be_approved_or_published(world, login, db):
    report = services.create_report_from_measure(world.member, world.measure)
    db.session.commit()
    with pytest.raises(FollowupError, match="skickas för granskning"):
        review.approve_report(world.facilitator, report)
    with pytest.raises(FollowupError):
        review.publish_report(world.facilitator, report)
    assert report.status == ReportStatus.DRAFT
    for who in (world.facilitator, world.admin):
        page = login(who).get(f"/uppfoljning/rapport/{report.id}").get_data(as_text=True)
        assert "Godkänn efter granskning" not in page
        assert "Publicera i erfarenhetsbanken" not in page
        assert "Publicera utan granskning" not in page


def test_publish_is_offered_only_after_approval(world, login, db):
    report = _submitted(world)
    db.session.commit()
    facilitator = login(world.facilitator)
    page = facilitator.get(f"/uppfoljning/rapport/{report.id}").get_data(as_text=True)
    assert "Godkänn efter granskning" in page and "Publicera i erfarenhetsbanken" not in page
    facilitator.post(f"/uppfoljning/rapport/{report.id}/godkann")
    page = facilitator.get(f"/uppfoljning/rapport/{report.id}").get_data(as_text=True)
    assert "Publicera i erfarenhetsbanken" in page
    assert (f'Granskad och godkänd av <a class="author" href="/medlemmar/{world.facilitator.id}">'
            f'<bdi>{world.facilitator.display_name}</bdi></a>') in page


def test_the_reviewer_sends_a_report_back_with_a_note(world, login, db):
    report = _submitted(world)
    with pytest.raises(FollowupError):
        review.return_report(world.facilitator, report, "  ")
    assert report.status == ReportStatus.IN_REVIEW
    review.return_report(world.facilitator, report, "Lägg till resultaten från 2025.")
    db.session.commit()
    assert report.status == ReportStatus.DRAFT
    page = login(world.member).get(f"/uppfoljning/rapport/{report.id}").get_data(as_text=True)
    assert "Lägg till resultaten från 2025." in page


def test_every_review_decision_is_in_the_audit_log(world, db):
    first = _submitted(world)
    review.return_report(world.facilitator, first, "Mer om metoden")
    review.submit_report(world.member, first)
    review.approve_report(world.facilitator, first)
    review.publish_report(world.facilitator, first)
    review.unpublish_report(world.facilitator, first)
    second = _submitted(world)
    review.override_publish_report(world.admin, second, "Rapporten behövs till regeringsrapporten.")
    db.session.commit()
    assert _actions(db) == ["followup.report.return", "followup.report.approve", "followup.report.publish",
                            "followup.report.unpublish", "followup.report.override"]
    override = db.session.scalar(select(AuditLog).where(AuditLog.action == "followup.report.override"))
    assert override.details == {"reason": "Rapporten behövs till regeringsrapporten."}


def test_only_admins_override_and_only_with_a_reason_on_a_submitted_report(world, login, make, db):
    staff = _role(make, db, NetworkRole.STAFF)
    draft = services.create_report_from_measure(world.admin, world.measure)
    with pytest.raises(AccessDenied):
        review.override_publish_report(world.facilitator, draft, "Ett tillräckligt långt skäl")
    with pytest.raises(AccessDenied):
        review.override_publish_report(staff, draft, "Ett tillräckligt långt skäl")
    with pytest.raises(FollowupError, match="skickats för granskning"):
        review.override_publish_report(world.admin, draft, "Ett tillräckligt långt skäl")
    review.submit_report(world.admin, draft)
    with pytest.raises(FollowupError, match="varför"):
        review.override_publish_report(world.admin, draft, "kort")
    assert draft.status == ReportStatus.IN_REVIEW and draft.override_reason == ""
    response = login(world.admin).post(f"/uppfoljning/rapport/{draft.id}/publicera-utan-granskning",
                                       data={"reason": "Författaren är administratören själv."},
                                       follow_redirects=True)
    assert "Skälet är sparat" in response.get_data(as_text=True)
    db.session.refresh(draft)
    assert draft.status == ReportStatus.PUBLISHED
    page = login(world.member).get(f"/erfarenhetsbank/{draft.id}").get_data(as_text=True)
    assert "Publicerad utan oberoende granskning" in page and "Författaren är administratören själv." in page


# -- public indicator charts -------------------------------------------------------------------


def test_the_one_who_asked_cannot_approve_public_charts(world, db):
    review.request_public_charts(world.facilitator, world.measure)
    with pytest.raises(AccessDenied):
        review.approve_public_charts(world.facilitator, world.measure)
    assert not world.measure.public_charts
    review.approve_public_charts(world.admin, world.measure)
    assert world.measure.public_charts and world.measure.charts_reviewed_by_id == world.admin.id


def test_charts_cannot_be_approved_without_a_request(world):
    with pytest.raises(FollowupError):
        review.approve_public_charts(world.facilitator, world.measure)
    assert not world.measure.public_charts


def test_chart_decisions_are_audited_and_the_override_needs_a_reason(world, db):
    review.request_public_charts(world.member, world.measure)
    with pytest.raises(AccessDenied):
        review.override_public_charts(world.facilitator, world.measure, "Ett tillräckligt långt skäl")
    review.override_public_charts(world.admin, world.measure, "Diagrammen ingår i årsrapporten.")
    review.withdraw_public_charts(world.facilitator, world.measure)
    db.session.commit()
    assert not world.measure.public_charts
    assert _actions(db) == ["followup.charts.request", "followup.charts.override", "followup.charts.withdraw"]
