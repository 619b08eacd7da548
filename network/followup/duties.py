"""The three duties of Lag (2023:196) per municipality: lägesbild, åtgärdsplan, samordningsfunktion.

Each duty has a state (computed here, in a fixed number of grouped queries for any number of
municipalities) and a history (the yearly situation pictures, the decisions on each plan, the
records of the coordination function). Recording a decision or a coordination change goes
through the actions below, which check their own authorisation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask import g, has_request_context
from sqlalchemy import func, select

from network import permissions
from network.accounts.models import User
from network.extensions import db
from network.followup.models import ActionPlan, CoordinationRecord, PlanDecision, SituationPicture
from network.followup.services import FollowupError
from network.i18n import get_locale, gettext

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _(msgid: str, **variables: object) -> str:
    """gettext, looked up once per request and message: the overview writes three statuses for
    each of 290 municipalities, and Flask-Babel's lookup per call dominated its time."""
    if not has_request_context():
        return gettext(msgid, **variables)
    cache = g.setdefault("_followup_duty_texts", {})
    locale = get_locale()
    key = (locale.language if locale is not None else None, msgid)  # str(locale) costs more
    text = cache.get(key)
    if text is None:
        text = cache[key] = gettext(msgid)
    return text % variables if variables else text


def today() -> dt.date:
    return dt.datetime.now(STOCKHOLM).date()


def year_before(day: dt.date) -> dt.date:
    """The same day a year earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


# -- state -------------------------------------------------------------------------------------


@dataclass
class PictureState:
    year: int | None = None
    updated_on: dt.date | None = None
    status: str = "missing"  # missing | current | stale


@dataclass
class PlanState:
    plans: int = 0
    title: str = ""
    decided_by: str = ""
    decided_on: dt.date | None = None
    reference: str = ""
    start_year: int | None = None
    end_year: int | None = None
    next_revision_on: dt.date | None = None
    status: str = "missing"  # missing | not_adopted | adopted | revision_due | expired


@dataclass
class CoordinationState:
    since: dt.date | None = None
    placement: str = ""
    organised_as: str = ""
    status: str = "missing"  # missing | in_place


@dataclass
class DutyState:
    picture: PictureState = field(default_factory=PictureState)
    plan: PlanState = field(default_factory=PlanState)
    coordination: CoordinationState = field(default_factory=CoordinationState)

    @property
    def complete(self) -> bool:
        """All three duties are met and up to date."""
        return (self.picture.status == "current" and self.plan.status == "adopted"
                and self.coordination.status == "in_place")


def duty_states(codes: list[str] | None = None, on: dt.date | None = None) -> dict[str, DutyState]:
    """{municipality code: DutyState} for ``codes`` (all municipalities with data when None)."""
    on = on or today()
    states: dict[str, DutyState] = {}

    def where(column):
        return [column.in_(codes)] if codes is not None else []

    def state(code: str) -> DutyState:
        return states.setdefault(code, DutyState())

    fresh_from = year_before(on)
    for code, year, updated in db.session.execute(
            select(SituationPicture.municipality_code, func.max(SituationPicture.year),
                   func.max(SituationPicture.updated_at))
            .where(*where(SituationPicture.municipality_code))
            .group_by(SituationPicture.municipality_code)):
        updated_on = _as_date(updated)
        fresh = updated_on is not None and updated_on >= fresh_from
        state(code).picture = PictureState(year, updated_on, "current" if fresh else "stale")

    for code, count in db.session.execute(
            select(ActionPlan.municipality_code, func.count())
            .where(*where(ActionPlan.municipality_code)).group_by(ActionPlan.municipality_code)):
        state(code).plan = PlanState(plans=count, status="not_adopted")
    # Every decision in date order, the latest wins: a municipality has a handful, so this is
    # one small query rather than a greatest-per-group subquery.
    for code, decided_by, decided_on, reference, next_revision_on, title, start_year, end_year in (
            db.session.execute(
                select(PlanDecision.municipality_code, PlanDecision.decided_by, PlanDecision.decided_on,
                       PlanDecision.reference, PlanDecision.next_revision_on, ActionPlan.title,
                       ActionPlan.start_year, ActionPlan.end_year)
                .join(ActionPlan, ActionPlan.id == PlanDecision.plan_id)
                .where(*where(PlanDecision.municipality_code))
                .order_by(PlanDecision.decided_on, PlanDecision.id))):
        plan = state(code).plan
        plan.title, plan.decided_by, plan.decided_on = title, decided_by, decided_on
        plan.reference, plan.next_revision_on = reference, next_revision_on
        plan.start_year, plan.end_year = start_year, end_year
        if end_year < on.year:
            plan.status = "expired"
        elif next_revision_on is not None and next_revision_on < on:
            plan.status = "revision_due"
        else:
            plan.status = "adopted"

    for code, since, placement, organised_as in db.session.execute(
            select(CoordinationRecord.municipality_code, CoordinationRecord.since,
                   CoordinationRecord.placement, CoordinationRecord.organised_as)
            .where(*where(CoordinationRecord.municipality_code))
            .order_by(CoordinationRecord.since, CoordinationRecord.id)):
        state(code).coordination = CoordinationState(since, placement, organised_as, "in_place")
    return states


def state_for(code: str, on: dt.date | None = None) -> DutyState:
    return duty_states([code], on).get(code, DutyState())


def _as_date(value: dt.datetime | str | None) -> dt.date | None:
    """MAX() over a datetime column comes back as text on SQLite."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(STOCKHOLM).date()


# -- the status as text (never colour alone) ---------------------------------------------------


def picture_text(state: PictureState) -> str:
    if state.status == "missing":
        return _("Saknas")
    if state.status == "current":
        return _("%(year)s, uppdaterad %(date)s", year=state.year, date=state.updated_on.isoformat())
    return _("%(year)s, inte uppdaterad på 12 månader (senast %(date)s)", year=state.year,
             date=state.updated_on.isoformat() if state.updated_on else "–")


def plan_text(state: PlanState) -> str:
    if state.status == "missing":
        return _("Saknas")
    if state.status == "not_adopted":
        return _("Finns men är inte antagen")
    decided = _("Antagen %(date)s av %(body)s, %(start)s–%(end)s", date=state.decided_on.isoformat(),
                body=state.decided_by, start=state.start_year, end=state.end_year)
    if state.status == "expired":
        return decided + ". " + _("Perioden har löpt ut.")
    if state.status == "revision_due":
        return decided + ". " + _("Revisionen skulle ha skett %(date)s.",
                                  date=state.next_revision_on.isoformat())
    if state.next_revision_on:
        return decided + ". " + _("Revideras senast %(date)s.", date=state.next_revision_on.isoformat())
    return decided + "."


def coordination_text(state: CoordinationState) -> str:
    if state.status == "missing":
        return _("Saknas")
    return _("Finns sedan %(date)s: %(placement)s", date=state.since.isoformat(),
             placement=state.placement)


# -- history -----------------------------------------------------------------------------------


def plan_decisions(code: str) -> list[PlanDecision]:
    return list(db.session.scalars(
        select(PlanDecision).where(PlanDecision.municipality_code == code)
        .order_by(PlanDecision.decided_on.desc(), PlanDecision.id.desc())))


def coordination_history(code: str) -> list[CoordinationRecord]:
    return list(db.session.scalars(
        select(CoordinationRecord).where(CoordinationRecord.municipality_code == code)
        .order_by(CoordinationRecord.since.desc(), CoordinationRecord.id.desc())))


# -- actions -----------------------------------------------------------------------------------


def record_plan_decision(actor: User, plan: ActionPlan, *, decided_by: str, decided_on: dt.date,
                         reference: str, next_revision_on: dt.date | None,
                         on: dt.date | None = None) -> PlanDecision:
    """Record that ``plan`` was adopted or revised; the newest decision is the plan's state."""
    permissions.check_access("followup.record_plan_decision", actor, plan)
    on = on or today()
    if not decided_by.strip():
        raise FollowupError(_("Ange vilket organ som fattade beslutet."))
    if decided_on > on:
        raise FollowupError(_("Beslutsdatumet kan inte ligga i framtiden."))
    if next_revision_on is not None and next_revision_on < decided_on:
        raise FollowupError(_("Nästa revision kan inte vara före beslutet."))
    decision = PlanDecision(plan_id=plan.id, municipality_code=plan.municipality_code,
                            decided_by=decided_by.strip(), decided_on=decided_on,
                            reference=reference.strip(), next_revision_on=next_revision_on,
                            recorded_by_id=actor.id)
    db.session.add(decision)
    db.session.flush()
    return decision


def record_coordination(actor: User, code: str, *, organised_as: str, placement: str, contacts: str,
                        since: dt.date, on: dt.date | None = None) -> CoordinationRecord:
    """Record how the municipality's coordination function is organised from ``since`` on."""
    permissions.check_access("followup.record_coordination", actor, code)
    on = on or today()
    if not organised_as.strip() or not placement.strip():
        raise FollowupError(_("Beskriv hur samordningen är organiserad och var den finns."))
    if since > on:
        raise FollowupError(_("Datumet kan inte ligga i framtiden."))
    record = CoordinationRecord(municipality_code=code, organised_as=organised_as.strip(),
                                placement=placement.strip(), contacts=contacts.strip(), since=since,
                                recorded_by_id=actor.id)
    db.session.add(record)
    db.session.flush()
    return record
