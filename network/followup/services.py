"""Every change to follow-up data goes through here: services flush, the request commits."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select, update

from network import fulltext
from network.accounts.models import Area, ClassificationLevel, Organisation, User
from network.accounts.services import audit
from network.db import utcnow
from network.extensions import db
from network.followup import permissions as followup_permissions
from network.followup.labels import LEVELS, ORG_TYPES, THEMES, label
from network.followup.models import (
    ActionPlan,
    ExperienceReport,
    FollowupNote,
    Indicator,
    KeyFigure,
    Measure,
    Measurement,
    MeasureStatus,
    ReportStatus,
    SituationPicture,
    SizeClass,
    SupportEntry,
    SupportForm,
    Theme,
)
from network.i18n import gettext as _
from network.markdown import render_markdown as render
from network.permissions import Visibility, check_access


class FollowupError(ValueError):
    """A refusal with a message for the user; nothing has been changed."""


# -- numbers -----------------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u00a0\u202f]")


def parse_number(raw: Any) -> float:
    """Swedish or international decimal notation ("1 234,5", "12.5"); anything else is refused."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = Decimal(str(raw))
    else:
        cleaned = _SPACES.sub("", str(raw or "")).replace(",", ".")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise FollowupError(_("Värdet måste vara ett tal, till exempel 12 eller 3,5.")) from None
    if not value.is_finite():
        raise FollowupError(_("Värdet måste vara ett tal, till exempel 12 eller 3,5."))
    return float(value)


# -- areas and organisations -------------------------------------------------------------------


def municipality_areas(code: str) -> list[Area]:
    return list(db.session.scalars(select(Area).where(Area.municipality_code == code).order_by(Area.name)))


def _areas(code: str, area_ids: list[int]) -> list[Area]:
    if not area_ids:
        return []
    areas = list(db.session.scalars(select(Area).where(Area.id.in_(area_ids))))
    if any(a.municipality_code != code for a in areas) or len(areas) != len(set(area_ids)):
        raise FollowupError(_("Välj bara områden i den egna kommunen."))
    return areas


def _organisations(ids: list[int]) -> list[Organisation]:
    if not ids:
        return []
    orgs = list(db.session.scalars(select(Organisation).where(Organisation.id.in_(ids))))
    if len(orgs) != len(set(ids)):
        raise FollowupError(_("En vald organisation finns inte."))
    return orgs


# -- situation picture -------------------------------------------------------------------------


def picture_for(code: str, year: int) -> SituationPicture | None:
    return db.session.scalar(select(SituationPicture).where(
        SituationPicture.municipality_code == code, SituationPicture.year == year))


def save_picture(actor: User, code: str, year: int, *, crime_mapping: str, other_info: str,
                 analysis: str, area_ids: list[int]) -> SituationPicture:
    """Create or update the municipality's situation picture for ``year`` (one per year)."""
    check_access("followup.save_picture", actor, code)
    if not 2000 <= year <= 2100:
        raise FollowupError(_("Ange ett år mellan 2000 och 2100."))
    picture = picture_for(code, year)
    if picture is None:
        picture = SituationPicture(municipality_code=code, year=year, author_id=actor.id)
        db.session.add(picture)
    picture.crime_mapping, picture.crime_mapping_html = crime_mapping, render(crime_mapping)
    picture.other_info, picture.other_info_html = other_info, render(other_info)
    picture.analysis, picture.analysis_html = analysis, render(analysis)
    picture.areas = _areas(code, area_ids)
    db.session.flush()
    return picture


def add_key_figure(actor: User, picture: SituationPicture, *, name: str, value: Any, unit: str,
                   source: str, date: dt.date | None) -> KeyFigure:
    check_access("followup.add_key_figure", actor, picture)
    figure = KeyFigure(picture=picture, name=name.strip(), value=parse_number(value),
                       unit=unit.strip(), source=source.strip(), date=date)
    db.session.add(figure)
    db.session.flush()
    return figure


def remove_key_figure(actor: User, figure: KeyFigure) -> None:
    check_access("followup.remove_key_figure", actor, figure)
    db.session.delete(figure)
    db.session.flush()


# -- plans and measures ------------------------------------------------------------------------


def save_plan(actor: User, code: str, *, title: str, start_year: int, end_year: int,
              description: str, plan: ActionPlan | None = None) -> ActionPlan:
    check_access("followup.save_plan", actor, code)
    if plan is not None and plan.municipality_code != code:
        raise FollowupError(_("Planen hör till en annan kommun."))
    if end_year < start_year:
        raise FollowupError(_("Slutåret kan inte vara före startåret."))
    if plan is None:
        plan = ActionPlan(municipality_code=code)
        db.session.add(plan)
    plan.title, plan.start_year, plan.end_year = title.strip(), start_year, end_year
    plan.description, plan.description_html = description, render(description)
    db.session.flush()
    return plan


def save_measure(actor: User, plan: ActionPlan, *, title: str, problem: str, description: str,
                 theme: str, status: str, start_date: dt.date, end_date: dt.date,
                 responsible_id: int | None, partner_ids: list[int], area_ids: list[int],
                 measure: Measure | None = None) -> Measure:
    check_access("followup.save_measure", actor, plan)
    if measure is not None:
        check_access("followup.update_measure", actor, measure)
    if end_date < start_date:
        raise FollowupError(_("Slutdatum kan inte vara före startdatum."))
    if measure is not None and measure.indicators:
        outside = db.session.scalar(
            select(Measurement.id).join(Indicator).where(
                Indicator.measure_id == measure.id,
                (Measurement.date < start_date) | (Measurement.date > end_date)).limit(1))
        if outside is not None:
            raise FollowupError(_("Det finns mätvärden utanför den nya perioden. Ändra eller ta bort "
                                  "dem först."))
    if measure is None:
        measure = Measure(plan=plan, municipality_code=plan.municipality_code,
                          created_by_id=actor.id if actor else None)
        db.session.add(measure)
    measure.title, measure.problem = title.strip(), problem
    measure.description, measure.description_html = description, render(description)
    measure.theme, measure.status = Theme(theme), MeasureStatus(status)
    measure.start_date, measure.end_date = start_date, end_date
    measure.responsible = _organisations([responsible_id])[0] if responsible_id else None
    measure.partners = _organisations(partner_ids)
    measure.areas = _areas(plan.municipality_code, area_ids)
    db.session.flush()
    index_measure(measure)
    return measure


def index_measure(measure: Measure) -> None:
    body = "\n".join([measure.problem, measure.description,
                      label(THEMES, measure.theme),
                      measure.municipality.name if measure.municipality else ""])
    fulltext.index_entry(
        "measure", measure.id, title=measure.title, body=body,
        url=f"/uppfoljning/atgard/{measure.id}",
        visibility=Visibility.GROUP,
        group_id=followup_permissions.primary_group_id(measure.municipality_code),
        created_at=measure.created_at, themes=[measure.theme], municipalities=[measure.municipality_code])


# -- indicators and measurements ---------------------------------------------------------------


def indicator_warnings(indicator: Indicator) -> list[str]:
    """Things that look wrong but are the municipality's call: shown, never refused."""
    warnings = []
    desired = indicator.desired_direction
    direction = indicator.direction
    if desired and indicator.target_value is not None and direction != "hold" and direction != desired:
        warnings.append(_("Målvärdet går åt motsatt håll mot den önskade riktningen: "
                          "kontrollera baslinje och mål."))
    if indicator.target_value is not None and indicator.target_value == indicator.baseline_value:
        warnings.append(_("Målvärdet är detsamma som baslinjen."))
    if indicator.target_date and indicator.target_date <= indicator.baseline_date:
        warnings.append(_("Måldatumet ligger före baslinjens datum."))
    return warnings


def save_indicator(actor: User, measure: Measure, *, name: str, unit: str, source: str,
                   baseline_value: Any, baseline_date: dt.date, target_value: Any,
                   target_date: dt.date | None, desired_direction: str = "",
                   indicator: Indicator | None = None) -> Indicator:
    check_access("followup.save_indicator", actor, measure)
    if indicator is not None:
        check_access("followup.update_indicator", actor, indicator)
    baseline = parse_number(baseline_value)
    target = None if target_value in (None, "") else parse_number(target_value)
    if desired_direction not in ("", "up", "down"):
        raise FollowupError(_("Okänd riktning."))
    if not unit.strip():
        raise FollowupError(_("Ange en enhet, till exempel antal eller procent."))
    if indicator is None:
        indicator = Indicator(measure=measure)
        db.session.add(indicator)
    elif indicator.unit != unit.strip() and indicator.measurements:
        raise FollowupError(_("Enheten kan inte ändras när det finns mätvärden."))
    indicator.name, indicator.unit, indicator.source = name.strip(), unit.strip(), source.strip()
    indicator.baseline_value, indicator.baseline_date = baseline, baseline_date
    indicator.target_value, indicator.target_date = target, target_date
    indicator.desired_direction = desired_direction
    db.session.flush()
    return indicator


def add_measurement(actor: User, indicator: Indicator, *, date: dt.date, value: Any,
                    unit: str | None = None, comment: str = "") -> Measurement:
    """Refuses non-numbers, a unit other than the indicator's and dates outside the measure."""
    check_access("followup.add_measurement", actor, indicator)
    number = parse_number(value)
    if unit is not None and unit.strip() and unit.strip().lower() != indicator.unit.lower():
        raise FollowupError(_("Fel enhet: indikatorn mäts i %(unit)s.", unit=indicator.unit))
    measure = indicator.measure
    if not measure.start_date <= date <= measure.end_date:
        raise FollowupError(_("Datumet ligger utanför åtgärdens period (%(start)s–%(end)s).",
                              start=measure.start_date.isoformat(), end=measure.end_date.isoformat()))
    exists = db.session.scalar(select(Measurement.id).where(
        Measurement.indicator_id == indicator.id, Measurement.date == date))
    if exists is not None:
        raise FollowupError(_("Det finns redan ett mätvärde för %(date)s. Ta bort det först om det "
                              "ska ersättas.", date=date.isoformat()))
    row = Measurement(indicator=indicator, date=date, value=number, comment=comment.strip(),
                      author_id=actor.id if actor else None)
    db.session.add(row)
    indicator.updated_at = utcnow()  # the chart cache key
    if indicator.latest_date is None or date > indicator.latest_date:
        indicator.latest_value, indicator.latest_date = number, date
    db.session.flush()
    return row


def delete_measurement(actor: User, measurement: Measurement) -> None:
    check_access("followup.delete_measurement", actor, measurement)
    indicator = measurement.indicator
    indicator.updated_at = utcnow()
    db.session.delete(measurement)
    db.session.flush()
    refresh_latest([indicator.id])
    db.session.refresh(indicator, ["latest_value", "latest_date"])


def refresh_latest(indicator_ids: list[int] | None = None) -> None:
    """Set each indicator's newest measurement from its measurements (all indicators when None):
    after a deletion, and after measurements are written in bulk."""
    newest = (select(Measurement.value).where(Measurement.indicator_id == Indicator.id)
              .order_by(Measurement.date.desc()).limit(1).scalar_subquery())
    last_day = (select(func.max(Measurement.date)).where(Measurement.indicator_id == Indicator.id)
                .scalar_subquery())
    stmt = update(Indicator).values(latest_value=newest, latest_date=last_day)
    if indicator_ids is not None:
        stmt = stmt.where(Indicator.id.in_(indicator_ids))
    db.session.execute(stmt.execution_options(synchronize_session=False,
                                              cache_scopes=("followup", "followup:*")))


def add_note(actor: User, measure: Measure, *, period_start: dt.date, period_end: dt.date,
             done: str, learned: str) -> FollowupNote:
    check_access("followup.add_note", actor, measure)
    if period_end < period_start:
        raise FollowupError(_("Periodens slut kan inte vara före dess början."))
    note = FollowupNote(measure=measure, period_start=period_start, period_end=period_end,
                        done=done, done_html=render(done), learned=learned,
                        learned_html=render(learned), author_id=actor.id)
    db.session.add(note)
    db.session.flush()
    return note


# -- support log -------------------------------------------------------------------------------


def add_support(actor: User, code: str, *, date: dt.date, topic: str, form: str, hours: Any,
                given_by: str) -> SupportEntry:
    check_access("followup.add_support", actor, code)
    spent = parse_number(hours)
    if not 0 < spent <= 1000:
        raise FollowupError(_("Tiden ska vara mellan 0 och 1000 timmar."))
    entry = SupportEntry(municipality_code=code, date=date, topic=topic.strip(),
                         form=SupportForm(form), hours=spent, given_by=given_by.strip(),
                         author_id=actor.id)
    db.session.add(entry)
    db.session.flush()
    audit(actor, "followup.support.add", entry, municipality=code, hours=spent)
    return entry


def delete_support(actor: User, entry: SupportEntry) -> None:
    check_access("followup.delete_support", actor, entry)
    audit(actor, "followup.support.delete", entry, municipality=entry.municipality_code)
    db.session.delete(entry)
    db.session.flush()


# -- experience reports ------------------------------------------------------------------------


def format_value(value: float | None) -> str:
    if value is None:
        return "–"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",")


def indicator_results(measure: Measure) -> str:
    """One line per indicator: baseline, latest and target, for a report's results section."""
    lines = []
    for ind in measure.indicators:
        latest = ind.measurements[-1] if ind.measurements else None
        parts = [_("baslinje %(v)s (%(d)s)", v=format_value(ind.baseline_value),
                   d=ind.baseline_date.isoformat())]
        if latest:
            parts.append(_("senast %(v)s (%(d)s)", v=format_value(latest.value), d=latest.date.isoformat()))
        if ind.target_value is not None:
            parts.append(_("mål %(v)s", v=format_value(ind.target_value)))
        lines.append(f"- {ind.name} ({ind.unit}): " + ", ".join(parts))
    return "\n".join(lines)


def _worst_level(areas: list[Area]) -> str:
    levels = [a.current_level for a in areas] or [ClassificationLevel.NONE]
    return min(levels, key=lambda lv: lv.priority).value


def create_report_from_measure(actor: User, measure: Measure) -> ExperienceReport:
    """The one-click draft: everything the measure already knows, ready to be told."""
    check_access("followup.create_report_from_measure", actor, measure)
    orgs = ([measure.responsible] if measure.responsible else []) + list(measure.partners)
    types = sorted({str(o.type) for o in orgs})
    actors = "\n".join(f"- {o.name} ({label(ORG_TYPES, o.type)})"
                       for o in orgs)
    areas = ", ".join(f"{a.name} ({label(LEVELS, a.current_level)})" for a in measure.areas)
    report = ExperienceReport(
        municipality_code=measure.municipality_code, measure=measure, title=measure.title,
        theme=measure.theme, problem=measure.problem, area_level=_worst_level(list(measure.areas)),
        size_class=SizeClass.MEDIUM,
        context=_("Område: %(areas)s", areas=areas) if areas else "",
        measure_summary=measure.description, actors=actors,
        actor_types="," + ",".join(types) + "," if types else "",
        results=indicator_results(measure), status=ReportStatus.DRAFT, author_id=actor.id)
    db.session.add(report)
    db.session.flush()
    return report


REPORT_TEXT_FIELDS = ("title", "problem", "context", "measure_summary", "actors", "how", "results",
                      "lessons", "contact")


def update_report(actor: User, report: ExperienceReport, *, theme: str, area_level: str,
                  size_class: str, actor_types: list[str], **texts: str) -> ExperienceReport:
    check_access("followup.update_report", actor, report)
    for name in REPORT_TEXT_FIELDS:
        if name in texts:
            setattr(report, name, texts[name].strip() if name in ("title", "contact") else texts[name])
    report.theme = Theme(theme)
    report.area_level = ClassificationLevel(area_level).value
    report.size_class = SizeClass(size_class)
    report.actor_types = "," + ",".join(sorted(set(actor_types))) + "," if actor_types else ""
    db.session.flush()
    if report.is_published:
        index_report(report)
    return report


def delete_report(actor: User, report: ExperienceReport) -> None:
    check_access("followup.delete_report", actor, report)
    fulltext.remove_entry("experience", report.id)
    db.session.delete(report)
    db.session.flush()


def index_report(report: ExperienceReport) -> None:
    body = "\n".join([report.problem, report.context, report.measure_summary, report.actors,
                      report.how, report.results, report.lessons, label(THEMES, report.theme),
                      report.municipality.name if report.municipality else ""])
    fulltext.index_entry(
        "experience", report.id, title=report.title, body=body,
        url=f"/erfarenhetsbank/{report.id}",
        visibility=Visibility.PUBLIC, group_id=None, created_at=report.published_at,
        boost=True, themes=[report.theme], municipalities=[report.municipality_code])
