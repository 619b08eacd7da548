"""Follow-up services: bad input is refused with a clear message and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from network.followup import review, services
from network.followup.models import ExperienceReport, Measurement, ReportStatus
from network.fulltext import SearchEntry
from network.permissions import AccessDenied


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("raw, expected", [("12", 12.0), ("3,5", 3.5), ("1 234,5", 1234.5),
                                           ("-2.25", -2.25), (7, 7.0)])
def test_numbers_accept_swedish_and_international_notation(raw, expected):
    assert services.parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["tolv", "", "12 %", "1,2,3", "nan", "inf", None])
def test_non_numbers_are_refused_with_an_example(raw):
    with pytest.raises(services.FollowupError, match="måste vara ett tal"):
        services.parse_number(raw)


def test_a_measurement_is_stored_with_its_comment(world, db):
    row = services.add_measurement(world.member, world.indicator, date=dt.date(2025, 3, 31), value="44,5",
                                   unit="procent", comment="Första mätningen")
    db.session.commit()
    assert (row.value, row.comment, row.indicator_id) == (44.5, "Första mätningen", world.indicator.id)


def test_a_non_numeric_measurement_is_refused_and_nothing_is_saved(world, db):
    with pytest.raises(services.FollowupError, match="tal"):
        services.add_measurement(world.member, world.indicator, date=dt.date(2025, 3, 31), value="många")
    assert _count(db, Measurement) == 0


def test_a_measurement_in_another_unit_is_refused(world, db):
    with pytest.raises(services.FollowupError, match="Fel enhet: indikatorn mäts i procent"):
        services.add_measurement(world.member, world.indicator, date=dt.date(2025, 3, 31), value="12",
                                 unit="antal")
    assert _count(db, Measurement) == 0


@pytest.mark.parametrize("day", [dt.date(2024, 12, 31), dt.date(2027, 1, 1)])
def test_a_measurement_outside_the_measure_period_is_refused(world, db, day):
    with pytest.raises(services.FollowupError, match="utanför åtgärdens period"):
        services.add_measurement(world.member, world.indicator, date=day, value="50")
    assert _count(db, Measurement) == 0


def test_a_second_measurement_for_the_same_date_is_refused(world, db):
    services.add_measurement(world.member, world.indicator, date=dt.date(2025, 6, 30), value="45")
    with pytest.raises(services.FollowupError, match="finns redan"):
        services.add_measurement(world.member, world.indicator, date=dt.date(2025, 6, 30), value="46")
    assert _count(db, Measurement) == 1


def test_a_target_contradicting_the_desired_direction_is_saved_with_a_warning(world, db):
    indicator = services.save_indicator(
        world.member, world.measure, name="Skadegörelse", unit="antal", source="Polisen",
        baseline_value="30", baseline_date=dt.date(2024, 12, 31), target_value="45",
        target_date=dt.date(2026, 12, 31), desired_direction="down")
    db.session.commit()
    assert indicator.id is not None and indicator.direction == "up"
    warnings = services.indicator_warnings(indicator)
    assert any("motsatt håll" in w for w in warnings)


def test_a_consistent_target_has_no_warning(world):
    assert services.indicator_warnings(world.indicator) == []
    assert world.indicator.direction == "up"


def test_the_unit_cannot_change_once_measurements_exist(world, db):
    services.add_measurement(world.member, world.indicator, date=dt.date(2025, 3, 31), value="41")
    with pytest.raises(services.FollowupError, match="Enheten"):
        services.save_indicator(world.member, world.measure, name="x", unit="antal", source="",
                                baseline_value="40", baseline_date=dt.date(2024, 12, 31),
                                target_value="", target_date=None, indicator=world.indicator)


def test_shortening_a_measure_past_its_measurements_is_refused(world, db):
    services.add_measurement(world.member, world.indicator, date=dt.date(2026, 6, 30), value="50")
    m = world.measure
    with pytest.raises(services.FollowupError, match="utanför den nya perioden"):
        services.save_measure(world.member, m.plan, title=m.title, problem=m.problem, description="",
                              theme="trygghet", status="pagar", start_date=m.start_date,
                              end_date=dt.date(2025, 12, 31), responsible_id=None, partner_ids=[],
                              area_ids=[], measure=m)


def test_areas_of_another_municipality_are_refused(world, make):
    malmo_area = make.area("1280", name="Rosengård")
    with pytest.raises(services.FollowupError, match="egna kommunen"):
        services.save_picture(world.member, "0180", 2026, crime_mapping="", other_info="", analysis="",
                              area_ids=[malmo_area.id])


def test_situation_picture_is_one_version_per_year_and_markdown_is_sanitised(world, db):
    first = services.save_picture(world.member, "0180", 2025, crime_mapping="**Rån** <script>x</script>",
                                  other_info="", analysis="", area_ids=[world.area.id])
    again = services.save_picture(world.member, "0180", 2025, crime_mapping="Ny text", other_info="",
                                  analysis="", area_ids=[])
    assert first.id == again.id and again.crime_mapping_html.strip() == "<p>Ny text</p>"
    third = services.save_picture(world.member, "0180", 2026, crime_mapping="**Rån** <script>x</script>",
                                  other_info="", analysis="", area_ids=[])
    assert "<strong>Rån</strong>" in third.crime_mapping_html and "<script>" not in third.crime_mapping_html


def test_one_click_report_is_prefilled_from_the_measure(world, db):
    services.add_measurement(world.member, world.indicator, date=dt.date(2025, 12, 31), value="48")
    report = services.create_report_from_measure(world.member, world.measure)
    assert report.status == ReportStatus.DRAFT
    assert report.problem == "Otrygghet kvällstid vid torget"
    assert report.theme == "trygghet" and report.area_level == "utsatt"
    assert report.actor_type_list == ["polis"] and "Polisen Rinkeby" in report.actors
    assert "Rinkeby" in report.context
    assert "Andel trygga kvällstid (procent)" in report.results and "48" in report.results
    assert "55" in report.results


def test_publishing_without_review_is_refused_and_the_report_stays_private(world, db):
    report = services.create_report_from_measure(world.member, world.measure)
    with pytest.raises(services.FollowupError, match="innan någon annan än författaren"):
        review.publish_report(world.facilitator, report)
    db.session.commit()
    assert report.status == ReportStatus.DRAFT and report.published_at is None
    assert db.session.scalar(select(SearchEntry).where(SearchEntry.kind == "experience")) is None


def test_a_plain_member_cannot_review(world):
    report = services.create_report_from_measure(world.facilitator, world.measure)
    review.submit_report(world.facilitator, report)
    with pytest.raises(AccessDenied):
        review.approve_report(world.member, report)


def test_review_then_publish_indexes_the_report_publicly(world, db):
    report = services.create_report_from_measure(world.member, world.measure)
    review.submit_report(world.member, report)
    review.approve_report(world.facilitator, report)
    review.publish_report(world.facilitator, report)
    db.session.commit()
    entry = db.session.scalar(select(SearchEntry).where(SearchEntry.kind == "experience"))
    assert report.reviewed_by_id == world.facilitator.id and report.published_at is not None
    assert (entry.object_id, entry.visibility, entry.group_id) == (report.id, "public", None)
    review.unpublish_report(world.facilitator, report)
    assert db.session.scalar(select(SearchEntry).where(SearchEntry.kind == "experience")) is None


def test_measures_are_indexed_for_the_local_group(world, db):
    entry = db.session.scalar(select(SearchEntry).where(SearchEntry.kind == "measure"))
    assert (entry.object_id, entry.visibility, entry.group_id) == (world.measure.id, "group", world.group.id)


def test_support_hours_must_be_a_positive_number(world, db):
    with pytest.raises(services.FollowupError):
        services.add_support(world.admin, "0180", date=dt.date(2025, 1, 1), topic="x", form="workshop",
                             hours="0", given_by="Brå")
    entry = services.add_support(world.admin, "0180", date=dt.date(2025, 1, 1), topic="Lägesbild",
                                 form="workshop", hours="2,5", given_by="Brå")
    assert entry.hours == 2.5


def test_deleting_a_report_removes_it(world, db):
    report = services.create_report_from_measure(world.member, world.measure)
    services.delete_report(world.member, report)
    assert _count(db, ExperienceReport) == 0
