"""Every follow-up action asks ``permissions.check_access`` itself: another municipality's
member (or an outsider) calling the service directly is refused and nothing changes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from network.followup import services
from network.followup.models import (
    ActionPlan,
    ExperienceReport,
    FollowupNote,
    Indicator,
    Measure,
    Measurement,
    SituationPicture,
    SupportEntry,
)
from network.permissions import AccessDenied


def _counts(db):
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (ActionPlan, Measure, Indicator, Measurement, FollowupNote,
                           SituationPicture, SupportEntry, ExperienceReport))


def test_other_municipalities_and_outsiders_are_refused(world, db):
    measurement = services.add_measurement(world.member, world.indicator, date=dt.date(2025, 6, 30),
                                           value="45")
    db.session.commit()
    before = (_counts(db), world.plan.title, world.measure.title)
    for actor in (world.other_local, world.outsider):
        for call in (
            lambda a=actor: services.save_picture(a, world.plan.municipality_code, 2025, crime_mapping="x",
                                                  other_info="", analysis="", area_ids=[]),
            lambda a=actor: services.save_plan(a, world.plan.municipality_code, title="Kapad",
                                               start_year=2025, end_year=2026, description="",
                                               plan=world.plan),
            lambda a=actor: services.save_indicator(a, world.measure, name="x", unit="st", source="",
                                                    baseline_value="1", baseline_date=dt.date(2025, 1, 1),
                                                    target_value="2", target_date=None),
            lambda a=actor: services.add_measurement(a, world.indicator, date=dt.date(2025, 9, 30),
                                                     value="50"),
            lambda a=actor: services.delete_measurement(a, measurement),
            lambda a=actor: services.add_note(a, world.measure, period_start=dt.date(2025, 1, 1),
                                              period_end=dt.date(2025, 6, 30), done="x", learned="y"),
            lambda a=actor: services.create_report_from_measure(a, world.measure),
            lambda a=actor: services.add_support(a, world.plan.municipality_code, date=dt.date(2025, 2, 1),
                                                 topic="x", form="workshop", hours="2", given_by="x"),
        ):
            with pytest.raises(AccessDenied):
                call()
            db.session.rollback()
            assert (_counts(db), world.plan.title, world.measure.title) == before


def test_a_plan_cannot_be_saved_under_another_municipality(world, db):
    with pytest.raises(services.FollowupError):
        services.save_plan(world.admin, "1280", title="Fel kommun", start_year=2025, end_year=2026,
                           description="", plan=world.plan)
