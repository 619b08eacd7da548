"""The three duties of Lag (2023:196): state, history, bad input and who may record them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from network.accounts.models import NetworkRole
from network.followup import duties, services
from network.followup.models import CoordinationRecord, PlanDecision
from network.followup.services import FollowupError
from network.permissions import AccessDenied

DAY = dt.date(2026, 6, 15)


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _decide(world, **overrides):
    fields = dict(decided_by="Kommunfullmäktige", decided_on=dt.date(2025, 2, 20), reference="KS 2025/12",
                  next_revision_on=dt.date(2027, 2, 1), on=DAY)
    fields.update(overrides)
    return duties.record_plan_decision(world.member, world.plan, **fields)


def _staff(make, db, role, county=None):
    user = make.user()
    user.role, user.county_code = role, county
    db.session.commit()
    return user


# -- state -------------------------------------------------------------------------------------


def test_a_municipality_without_anything_has_all_three_duties_missing(world):
    state = duties.state_for("1280", on=DAY)
    assert (state.picture.status, state.plan.status, state.coordination.status) == (
        "missing", "missing", "missing")
    assert duties.picture_text(state.picture) == "Saknas"


def test_a_plan_without_a_decision_is_not_adopted(world):
    assert duties.state_for("0180", on=DAY).plan.status == "not_adopted"


def test_the_latest_decision_is_the_plans_state_and_earlier_ones_are_history(world, db):
    _decide(world, decided_on=dt.date(2025, 2, 20), decided_by="Kommunstyrelsen")
    _decide(world, decided_on=dt.date(2026, 3, 1), decided_by="Kommunfullmäktige", reference="KF §12",
            next_revision_on=dt.date(2027, 3, 1))
    db.session.commit()
    plan = duties.state_for("0180", on=DAY).plan
    assert (plan.status, plan.decided_by, plan.decided_on, plan.reference) == (
        "adopted", "Kommunfullmäktige", dt.date(2026, 3, 1), "KF §12")
    assert "Antagen 2026-03-01 av Kommunfullmäktige, 2025–2027" in duties.plan_text(plan)
    assert "Revideras senast 2027-03-01" in duties.plan_text(plan)
    assert [d.decided_by for d in duties.plan_decisions("0180")] == ["Kommunfullmäktige", "Kommunstyrelsen"]


def test_a_passed_revision_date_and_an_ended_period_are_told_apart(world, db):
    _decide(world, decided_on=dt.date(2025, 1, 10), next_revision_on=dt.date(2026, 1, 10))
    db.session.commit()
    overdue = duties.state_for("0180", on=DAY).plan
    assert overdue.status == "revision_due"
    assert "Revisionen skulle ha skett 2026-01-10" in duties.plan_text(overdue)
    assert duties.state_for("0180", on=dt.date(2028, 1, 5)).plan.status == "expired"


def test_the_situation_picture_is_current_for_twelve_months_then_stale(world, db):
    picture = services.save_picture(world.member, "0180", 2025, crime_mapping="", other_info="",
                                    analysis="", area_ids=[])
    picture.updated_at = dt.datetime(2025, 6, 20, 10, tzinfo=dt.UTC)
    db.session.commit()
    fresh = duties.state_for("0180", on=dt.date(2026, 6, 19)).picture
    assert (fresh.status, fresh.year, fresh.updated_on) == ("current", 2025, dt.date(2025, 6, 20))
    stale = duties.state_for("0180", on=dt.date(2026, 6, 21)).picture
    assert stale.status == "stale"
    assert duties.picture_text(stale) == "2025, inte uppdaterad på 12 månader (senast 2025-06-20)"


def test_the_coordination_function_history_keeps_every_change(world, db):
    duties.record_coordination(world.member, "0180", organised_as="En samordnare på halvtid",
                               placement="Kommunledningskontoret", contacts="Anna", since=dt.date(2024, 1, 1),
                               on=DAY)
    duties.record_coordination(world.member, "0180", organised_as="Ett team om tre",
                               placement="Socialförvaltningen", contacts="Bo\nCia", since=dt.date(2026, 1, 1),
                               on=DAY)
    db.session.commit()
    state = duties.state_for("0180", on=DAY).coordination
    assert (state.status, state.placement, state.since) == ("in_place", "Socialförvaltningen",
                                                            dt.date(2026, 1, 1))
    assert duties.coordination_text(state) == "Finns sedan 2026-01-01: Socialförvaltningen"
    assert [c.placement for c in duties.coordination_history("0180")] == [
        "Socialförvaltningen", "Kommunledningskontoret"]


# -- bad input ---------------------------------------------------------------------------------


def test_a_decision_dated_in_the_future_is_refused_and_nothing_is_stored(world, db):
    with pytest.raises(FollowupError, match="framtiden"):
        _decide(world, decided_on=DAY + dt.timedelta(days=1))
    assert _count(db, PlanDecision) == 0


def test_a_revision_date_before_the_decision_is_refused_and_nothing_is_stored(world, db):
    with pytest.raises(FollowupError, match="före beslutet"):
        _decide(world, decided_on=dt.date(2026, 1, 10), next_revision_on=dt.date(2025, 12, 31))
    assert _count(db, PlanDecision) == 0


def test_a_coordination_starting_in_the_future_is_refused(world, db):
    with pytest.raises(FollowupError, match="framtiden"):
        duties.record_coordination(world.member, "0180", organised_as="Team", placement="KLK", contacts="",
                                   since=DAY + dt.timedelta(days=3), on=DAY)
    assert _count(db, CoordinationRecord) == 0


def test_the_decision_form_shows_the_message_and_stores_nothing(world, login, db):
    future = (duties.today() + dt.timedelta(days=30)).isoformat()
    response = login(world.member).post(f"/uppfoljning/plan/{world.plan.id}/beslut", data={
        "decided_by": "Kommunfullmäktige", "decided_on": future, "reference": "", "next_revision_on": ""})
    assert response.status_code == 400
    assert "Beslutsdatumet kan inte ligga i framtiden." in response.get_data(as_text=True)
    assert _count(db, PlanDecision) == 0

    response = login(world.member).post(f"/uppfoljning/plan/{world.plan.id}/beslut", data={
        "decided_by": "Kommunfullmäktige", "decided_on": "2025-05-01", "reference": "",
        "next_revision_on": "2025-04-01"})
    assert "Nästa revision kan inte vara före beslutet." in response.get_data(as_text=True)
    assert _count(db, PlanDecision) == 0


# -- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "other_local"])
def test_people_outside_the_municipality_cannot_record_duties(world, db, who):
    actor = getattr(world, who)
    with pytest.raises(AccessDenied):
        duties.record_plan_decision(actor, world.plan, decided_by="KF", decided_on=dt.date(2025, 1, 1),
                                    reference="", next_revision_on=None, on=DAY)
    with pytest.raises(AccessDenied):
        duties.record_coordination(actor, "0180", organised_as="Team", placement="KLK", contacts="",
                                   since=dt.date(2025, 1, 1), on=DAY)
    assert _count(db, PlanDecision) == 0 and _count(db, CoordinationRecord) == 0


def test_county_staff_read_their_countys_duties_but_do_not_record_them(world, login, make, db):
    county = _staff(make, db, NetworkRole.COUNTY, county="01")
    client = login(county)
    assert client.get("/uppfoljning/kommun/0180").status_code == 200
    assert client.get("/uppfoljning/kommun/1280").status_code == 404
    assert client.post("/uppfoljning/kommun/0180/samordning", data={
        "organised_as": "Team", "placement": "KLK", "contacts": "", "since": "2025-01-01"}).status_code == 403
    with pytest.raises(AccessDenied):
        duties.record_coordination(county, "0180", organised_as="Team", placement="KLK", contacts="",
                                   since=dt.date(2025, 1, 1), on=DAY)
    assert _count(db, CoordinationRecord) == 0


def test_programme_staff_see_the_overview_with_the_duties_as_text(world, login, make, db):
    _decide(world, decided_on=dt.date(2025, 2, 20), next_revision_on=None)
    db.session.commit()
    staff = _staff(make, db, NetworkRole.STAFF)
    page = login(staff).get("/uppfoljning/oversikt").get_data(as_text=True)
    assert "Lagens tre krav" in page and "Samordningsfunktion" in page
    assert "Antagen 2025-02-20 av Kommunfullmäktige" in page
    assert "Saknas" in page  # no lägesbild and no coordination function for Stockholm


# -- in the browser ------------------------------------------------------------------------------


def test_recording_through_the_pages_shows_state_and_history(world, login, db):
    client = login(world.member)
    response = client.post(f"/uppfoljning/plan/{world.plan.id}/beslut", data={
        "decided_by": "Kommunfullmäktige", "decided_on": "2025-03-01", "reference": "KF §7",
        "next_revision_on": "2099-03-01"})
    assert response.status_code == 302
    response = client.post("/uppfoljning/kommun/0180/samordning", data={
        "organised_as": "Brottsförebyggande råd med samordnare", "placement": "Kommunledningskontoret",
        "contacts": "Anna Andersson, samordnare", "since": "2024-09-01"})
    assert response.status_code == 302
    page = client.get("/uppfoljning/kommun/0180").get_data(as_text=True)
    assert "Lagens tre krav" in page
    assert "Antagen 2025-03-01 av Kommunfullmäktige" in page and "KF §7" in page
    assert "Finns sedan 2024-09-01: Kommunledningskontoret" in page
    assert "Brottsförebyggande råd med samordnare" in page and "Anna Andersson, samordnare" in page
    plan_page = client.get(f"/uppfoljning/plan/{world.plan.id}").get_data(as_text=True)
    assert "Registrera beslut" in plan_page and "1 mars 2099" in plan_page
