"""The programme's numbers: per municipality, in a fixed number of grouped queries.

Nothing here loads objects row by row: every figure is one GROUP BY over the whole network, so
the dashboard costs the same number of queries for 5 or 500 municipalities.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, select

from network.accounts.models import Municipality
from network.extensions import db
from network.followup.duties import DutyState, duty_states
from network.followup.models import (
    ActionPlan,
    ExperienceReport,
    Indicator,
    Measure,
    Measurement,
    MeasureStatus,
    ReportStatus,
    SituationPicture,
    SupportEntry,
)

TRENDS = ("achieved", "improving", "not_improving", "no_data")


@dataclass
class MunicipalityRow:
    code: str
    name: str
    picture_year: int | None = None
    plans: int = 0
    measures: dict[str, int] = field(default_factory=lambda: {s.value: 0 for s in MeasureStatus})
    trends: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TRENDS, 0))
    support_count: int = 0
    support_hours: float = 0.0
    published_reports: int = 0
    duties: DutyState = field(default_factory=DutyState)

    @property
    def measure_total(self) -> int:
        return sum(self.measures.values())

    @property
    def indicator_total(self) -> int:
        return sum(self.trends.values())


def trend(baseline: float, target: float | None, desired: str, latest: float | None) -> str:
    """Where the latest value stands between baseline and target (or the desired direction)."""
    if latest is None:
        return "no_data"
    if target is not None and target != baseline:
        progress = (latest - baseline) / (target - baseline)
        if progress >= 1:
            return "achieved"
        return "improving" if progress > 0 else "not_improving"
    if desired in ("up", "down") and latest != baseline:
        better = latest > baseline if desired == "up" else latest < baseline
        return "improving" if better else "not_improving"
    return "not_improving"


def latest_values():
    """(indicator id, latest value, latest date) as a subquery: the unique (indicator, date)
    index answers both the MAX and the join."""
    last = (select(Measurement.indicator_id, func.max(Measurement.date).label("date"))
            .group_by(Measurement.indicator_id).subquery())
    return (select(Measurement.indicator_id, Measurement.value, Measurement.date)
            .join(last, and_(last.c.indicator_id == Measurement.indicator_id,
                             last.c.date == Measurement.date)).subquery())


def indicator_rows() -> list[Any]:
    latest = latest_values()
    return db.session.execute(
        select(Measure.municipality_code, Measure.id.label("measure_id"), Measure.title.label("measure"),
               Indicator.id, Indicator.name, Indicator.unit, Indicator.baseline_value,
               Indicator.baseline_date, Indicator.target_value, Indicator.desired_direction,
               latest.c.value.label("latest"), latest.c.date.label("latest_date"))
        .join(Measure, Measure.id == Indicator.measure_id)
        .outerjoin(latest, latest.c.indicator_id == Indicator.id)
        .order_by(Measure.municipality_code, Measure.id, Indicator.id)).all()


def municipality_rows(since: dt.date | None = None, until: dt.date | None = None) -> list[MunicipalityRow]:
    """The dashboard table; support is counted within [since, until] when given."""
    with_data = (select(ActionPlan.municipality_code).union(
        select(SituationPicture.municipality_code), select(SupportEntry.municipality_code)))
    municipalities = db.session.execute(
        select(Municipality.code, Municipality.name)
        .where(Municipality.participating_since.is_not(None) | Municipality.code.in_(with_data))
        .order_by(Municipality.name)).all()
    rows = {code: MunicipalityRow(code, name) for code, name in municipalities}

    def each(stmt):
        for row in db.session.execute(stmt):
            if row[0] in rows:
                yield rows[row[0]], row[1:]

    for code, state in duty_states(list(rows)).items():
        if code in rows:
            rows[code].duties = state
            rows[code].picture_year, rows[code].plans = state.picture.year, state.plan.plans
    for r, (status, count) in each(select(Measure.municipality_code, Measure.status, func.count())
                                   .group_by(Measure.municipality_code, Measure.status)):
        r.measures[str(status)] = count
    support = select(SupportEntry.municipality_code, func.count(), func.sum(SupportEntry.hours))
    if since:
        support = support.where(SupportEntry.date >= since)
    if until:
        support = support.where(SupportEntry.date <= until)
    for r, (count, hours) in each(support.group_by(SupportEntry.municipality_code)):
        r.support_count, r.support_hours = count, float(hours or 0)
    for r, (count,) in each(select(ExperienceReport.municipality_code, func.count())
                            .where(ExperienceReport.status == ReportStatus.PUBLISHED.value)
                            .group_by(ExperienceReport.municipality_code)):
        r.published_reports = count
    for ind in indicator_rows():
        if ind.municipality_code in rows:
            kind = trend(ind.baseline_value, ind.target_value, ind.desired_direction, ind.latest)
            rows[ind.municipality_code].trends[kind] += 1
    return list(rows.values())


def support_by_form(since: dt.date | None = None, until: dt.date | None = None) -> list[Any]:
    query = select(SupportEntry.form, func.count(), func.sum(SupportEntry.hours))
    if since:
        query = query.where(SupportEntry.date >= since)
    if until:
        query = query.where(SupportEntry.date <= until)
    return db.session.execute(query.group_by(SupportEntry.form).order_by(SupportEntry.form)).all()


def support_entries(since: dt.date | None = None, until: dt.date | None = None) -> list[Any]:
    query = (select(SupportEntry.date, Municipality.name, SupportEntry.topic, SupportEntry.form,
                    SupportEntry.hours, SupportEntry.given_by)
             .join(Municipality, Municipality.code == SupportEntry.municipality_code))
    if since:
        query = query.where(SupportEntry.date >= since)
    if until:
        query = query.where(SupportEntry.date <= until)
    return db.session.execute(query.order_by(SupportEntry.date.desc())).all()


def published_reports() -> list[Any]:
    return db.session.execute(
        select(ExperienceReport.id, ExperienceReport.title, ExperienceReport.theme,
               ExperienceReport.published_at, Municipality.name)
        .join(Municipality, Municipality.code == ExperienceReport.municipality_code)
        .where(ExperienceReport.status == ReportStatus.PUBLISHED.value)
        .order_by(ExperienceReport.published_at.desc())).all()
