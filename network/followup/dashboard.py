"""The programme's numbers: per municipality, in a fixed number of grouped queries.

Nothing here loads objects row by row: every figure is one GROUP BY over the whole network, so
the dashboard costs the same number of queries for 5 or 500 municipalities.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select

from network.accounts.models import Municipality
from network.extensions import db
from network.followup.duties import DutyState, duty_states
from network.followup.models import (
    ActionPlan,
    ExperienceReport,
    Indicator,
    Measure,
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

    @property
    def numbers(self) -> list[float]:
        """The overview table's number columns, in its order (plans, measures by status,
        indicators by trend, support, published reports)."""
        return [self.plans, *(self.measures[s.value] for s in MeasureStatus),
                *(self.trends[t] for t in TRENDS), self.support_count, self.support_hours,
                self.published_reports]


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


def indicator_rows() -> list[Any]:
    """Every indicator with its newest measurement (kept on the indicator on every write)."""
    return db.session.execute(
        select(Measure.municipality_code, Measure.id.label("measure_id"), Measure.title.label("measure"),
               Indicator.id, Indicator.name, Indicator.unit, Indicator.baseline_value,
               Indicator.baseline_date, Indicator.target_value, Indicator.desired_direction,
               Indicator.latest_value.label("latest"), Indicator.latest_date.label("latest_date"))
        .join(Measure, Measure.id == Indicator.measure_id)
        .order_by(Measure.municipality_code, Measure.id, Indicator.id)).all()


def trend_sql():
    """``trend`` as a SQL expression over the indicator's columns, so the overview counts trends
    per municipality in the database (the same IEEE arithmetic as Python; a test holds them equal)."""
    latest, baseline, target = Indicator.latest_value, Indicator.baseline_value, Indicator.target_value
    desired = Indicator.desired_direction
    progress = (latest - baseline) / (target - baseline)
    return case(
        (latest.is_(None), "no_data"),
        (target.is_not(None) & (target != baseline),
         case((progress >= 1, "achieved"), (progress > 0, "improving"), else_="not_improving")),
        (desired.in_(("up", "down")) & (latest != baseline),
         case((((desired == "up") & (latest > baseline)) | ((desired == "down") & (latest < baseline)),
               "improving"), else_="not_improving")),
        else_="not_improving")


def municipality_rows(since: dt.date | None = None, until: dt.date | None = None,
                      codes: Collection[str] | None = None) -> list[MunicipalityRow]:
    """The dashboard table; support is counted within [since, until] when given. ``codes``
    narrows it to those municipalities (a county's), every query included."""

    def within(column: Any) -> list[Any]:
        return [column.in_(list(codes))] if codes is not None else []

    with_data = (select(ActionPlan.municipality_code).union(
        select(SituationPicture.municipality_code), select(SupportEntry.municipality_code)))
    municipalities = db.session.execute(
        select(Municipality.code, Municipality.name)
        .where(Municipality.participating_since.is_not(None) | Municipality.code.in_(with_data),
               *within(Municipality.code))
        .order_by(Municipality.name)).all()
    rows = {code: MunicipalityRow(code, name) for code, name in municipalities}
    if not rows:
        return []

    def each(stmt):
        for row in db.session.execute(stmt):
            if row[0] in rows:
                yield rows[row[0]], row[1:]

    for code, state in duty_states(list(rows)).items():
        if code in rows:
            rows[code].duties = state
            rows[code].picture_year, rows[code].plans = state.picture.year, state.plan.plans
    for r, (status, count) in each(select(Measure.municipality_code, Measure.status, func.count())
                                   .where(*within(Measure.municipality_code))
                                   .group_by(Measure.municipality_code, Measure.status)):
        r.measures[str(status)] = count
    for code, (count, hours) in support_by_municipality(since, until, codes).items():
        if code in rows:
            rows[code].support_count, rows[code].support_hours = count, hours
    for r, (count,) in each(select(ExperienceReport.municipality_code, func.count())
                            .where(ExperienceReport.status == ReportStatus.PUBLISHED.value,
                                   *within(ExperienceReport.municipality_code))
                            .group_by(ExperienceReport.municipality_code)):
        r.published_reports = count
    kind = trend_sql()
    for r, (name, count) in each(select(Measure.municipality_code, kind, func.count())
                                 .join(Indicator, Indicator.measure_id == Measure.id)
                                 .where(*within(Measure.municipality_code))
                                 .group_by(Measure.municipality_code, kind)):
        r.trends[name] = count
    return list(rows.values())


def support_period(since: dt.date | None, until: dt.date | None) -> list[Any]:
    """The conditions for support given within [since, until]; an end that is None is open."""
    return (([SupportEntry.date >= since] if since else [])
            + ([SupportEntry.date <= until] if until else []))


def support_by_municipality(since: dt.date | None = None, until: dt.date | None = None,
                            codes: Collection[str] | None = None) -> dict[str, tuple[int, float]]:
    """{municipality code: (support entries, hours)} within [since, until] when given."""
    support = (select(SupportEntry.municipality_code, func.count(), func.sum(SupportEntry.hours))
               .where(*support_period(since, until)))
    if codes is not None:
        support = support.where(SupportEntry.municipality_code.in_(list(codes)))
    return {code: (count, float(hours or 0))
            for code, count, hours in db.session.execute(support.group_by(SupportEntry.municipality_code))}


def support_of(rows: list[MunicipalityRow]) -> dict[str, tuple[int, float]]:
    """The same from the table's rows, when they are already at hand."""
    return {r.code: (r.support_count, r.support_hours) for r in rows if r.support_count}


def support_by_form(since: dt.date | None = None, until: dt.date | None = None) -> list[Any]:
    query = (select(SupportEntry.form, func.count(), func.sum(SupportEntry.hours))
             .where(*support_period(since, until)))
    return db.session.execute(query.group_by(SupportEntry.form).order_by(SupportEntry.form)).all()


def support_entries(since: dt.date | None = None, until: dt.date | None = None) -> list[Any]:
    query = (select(SupportEntry.date, Municipality.name, SupportEntry.topic, SupportEntry.form,
                    SupportEntry.hours, SupportEntry.given_by)
             .join(Municipality, Municipality.code == SupportEntry.municipality_code)
             .where(*support_period(since, until)))
    return db.session.execute(query.order_by(SupportEntry.date.desc())).all()


def published_reports() -> list[Any]:
    return db.session.execute(
        select(ExperienceReport.id, ExperienceReport.title, ExperienceReport.theme,
               ExperienceReport.published_at, Municipality.name)
        .join(Municipality, Municipality.code == ExperienceReport.municipality_code)
        .where(ExperienceReport.status == ReportStatus.PUBLISHED.value)
        .order_by(ExperienceReport.published_at.desc())).all()
