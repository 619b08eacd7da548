"""Situation pictures, action plans, measures, indicators, support and experience reports.

Everything here belongs to one municipality (``municipality_code``); who may see it is decided
in ``network/followup/permissions.py`` from the municipality's local groups.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.accounts.models import Area, Municipality, Organisation, User
from network.db import TimestampMixin, UTCDateTime, utcnow
from network.extensions import db


class Theme(enum.StrEnum):
    NYREKRYTERING = "nyrekrytering"
    GROVT_VALD = "grovt_vald"
    ORDNINGSSTORNINGAR = "ordningsstorningar"
    TRYGGHET = "trygghet"
    SITUATIONELL = "situationell"
    FORALDRASKAPSSTOD = "foraldraskapsstod"
    SAMVERKAN = "samverkan"
    NARKOTIKA = "narkotika"
    OVRIGT = "ovrigt"


class MeasureStatus(enum.StrEnum):
    PLANNED = "planerad"
    ONGOING = "pagar"
    FINISHED = "avslutad"
    CANCELLED = "avbruten"


class SupportForm(enum.StrEnum):
    ADVICE = "radgivning"
    WORKSHOP = "workshop"
    EXPERT = "experthjalp"
    METHOD = "metodstod"


class SizeClass(enum.StrEnum):
    """Municipality population band; the reference data has none, so reports state it."""

    SMALL = "under_15000"
    MEDIUM = "15000_50000"
    LARGE = "50000_200000"
    CITY = "over_200000"


class ReportStatus(enum.StrEnum):
    DRAFT = "utkast"
    IN_REVIEW = "granskas"
    APPROVED = "godkand"
    PUBLISHED = "publicerad"


picture_areas = Table(
    "followup_picture_areas", db.metadata,
    Column("picture_id", ForeignKey("followup_pictures.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
)

measure_areas = Table(
    "followup_measure_areas", db.metadata,
    Column("measure_id", ForeignKey("followup_measures.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
)

measure_partners = Table(
    "followup_measure_partners", db.metadata,
    Column("measure_id", ForeignKey("followup_measures.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)

# Forum topics linked to a measure; who may see each topic is asked of the forums feature.
measure_topics = Table(
    "followup_measure_topics", db.metadata,
    Column("measure_id", ForeignKey("followup_measures.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("forum_topics.id", ondelete="CASCADE"), primary_key=True),
)


class SituationPicture(TimestampMixin, db.Model):
    """Lägesbild: one per municipality and year; earlier years are the history."""

    __tablename__ = "followup_pictures"
    __table_args__ = (UniqueConstraint("municipality_code", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    year: Mapped[int]
    crime_mapping: Mapped[str] = mapped_column(Text, default="")
    crime_mapping_html: Mapped[str] = mapped_column(Text, default="")
    other_info: Mapped[str] = mapped_column(Text, default="")
    other_info_html: Mapped[str] = mapped_column(Text, default="")
    analysis: Mapped[str] = mapped_column(Text, default="")
    analysis_html: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    municipality: Mapped[Municipality] = relationship()
    areas: Mapped[list[Area]] = relationship(secondary=picture_areas, order_by=Area.name)
    key_figures: Mapped[list[KeyFigure]] = relationship(
        back_populates="picture", cascade="all, delete-orphan", order_by="KeyFigure.id")


class KeyFigure(db.Model):
    __tablename__ = "followup_key_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    picture_id: Mapped[int] = mapped_column(
        ForeignKey("followup_pictures.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    value: Mapped[float]
    unit: Mapped[str] = mapped_column(String(40), default="")
    source: Mapped[str] = mapped_column(String(200), default="")
    date: Mapped[dt.date | None]

    picture: Mapped[SituationPicture] = relationship(back_populates="key_figures")


class ActionPlan(TimestampMixin, db.Model):
    """Åtgärdsplan: decided by the municipality from its lägesbild, for a period of years."""

    __tablename__ = "followup_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    start_year: Mapped[int]
    end_year: Mapped[int]
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")

    municipality: Mapped[Municipality] = relationship()
    measures: Mapped[list[Measure]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Measure.id")


class Measure(TimestampMixin, db.Model):
    __tablename__ = "followup_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("followup_plans.id", ondelete="CASCADE"), index=True)
    # Denormalised from the plan so access filters need no join.
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    theme: Mapped[Theme] = mapped_column(String(32))
    status: Mapped[MeasureStatus] = mapped_column(String(16), default=MeasureStatus.PLANNED)
    start_date: Mapped[dt.date]
    end_date: Mapped[dt.date]
    responsible_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"))
    # The municipality may show this measure's indicator charts to everyone: someone asks, and
    # a reviewer who is not the one asking approves (see network/followup/review.py).
    public_charts: Mapped[bool] = mapped_column(default=False)
    charts_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    charts_reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Who wrote the measure (for the person's data export); NULL for measures from before 0016_experts.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    charts_reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    charts_override_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    plan: Mapped[ActionPlan] = relationship(back_populates="measures")
    municipality: Mapped[Municipality] = relationship()
    responsible: Mapped[Organisation | None] = relationship()
    partners: Mapped[list[Organisation]] = relationship(secondary=measure_partners,
                                                        order_by=Organisation.name)
    areas: Mapped[list[Area]] = relationship(secondary=measure_areas, order_by=Area.name)
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="Indicator.id")
    notes: Mapped[list[FollowupNote]] = relationship(
        back_populates="measure", cascade="all, delete-orphan",
        order_by="FollowupNote.period_end.desc()")
    charts_requested_by: Mapped[User | None] = relationship(foreign_keys=[charts_requested_by_id])
    charts_reviewed_by: Mapped[User | None] = relationship(foreign_keys=[charts_reviewed_by_id])

    @property
    def charts_pending(self) -> bool:
        """Someone asked to show the charts to everyone and no reviewer has decided yet."""
        return not self.public_charts and self.charts_requested_by_id is not None


class Indicator(TimestampMixin, db.Model):
    __tablename__ = "followup_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        ForeignKey("followup_measures.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(200), default="")
    baseline_value: Mapped[float]
    baseline_date: Mapped[dt.date]
    target_value: Mapped[float | None]
    target_date: Mapped[dt.date | None]
    # "" (implied by baseline→target), "up" or "down": what the municipality says is better.
    desired_direction: Mapped[str] = mapped_column(String(8), default="")
    # The newest measurement, kept on every write (services.refresh_latest) so the programme
    # overview reads one row per indicator instead of searching 100,000 measurements.
    latest_value: Mapped[float | None]
    latest_date: Mapped[dt.date | None]

    measure: Mapped[Measure] = relationship(back_populates="indicators")
    measurements: Mapped[list[Measurement]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", order_by="Measurement.date")

    @property
    def direction(self) -> str:
        """"down", "up" or "hold": what the baseline→target pair says success looks like."""
        if self.target_value is None or self.target_value == self.baseline_value:
            return "hold"
        return "up" if self.target_value > self.baseline_value else "down"


class Measurement(db.Model):
    __tablename__ = "followup_measurements"
    __table_args__ = (UniqueConstraint("indicator_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("followup_indicators.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date]
    value: Mapped[float]
    comment: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    indicator: Mapped[Indicator] = relationship(back_populates="measurements")


class FollowupNote(TimestampMixin, db.Model):
    """What was done in a period and what was learned."""

    __tablename__ = "followup_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        ForeignKey("followup_measures.id", ondelete="CASCADE"), index=True)
    period_start: Mapped[dt.date]
    period_end: Mapped[dt.date]
    done: Mapped[str] = mapped_column(Text, default="")
    done_html: Mapped[str] = mapped_column(Text, default="")
    learned: Mapped[str] = mapped_column(Text, default="")
    learned_html: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    measure: Mapped[Measure] = relationship(back_populates="notes")
    author: Mapped[User | None] = relationship()


class SupportEntry(TimestampMixin, db.Model):
    """The agency's support to a municipality, kept by the network admins for the report."""

    __tablename__ = "followup_support"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    date: Mapped[dt.date] = mapped_column(index=True)
    topic: Mapped[str] = mapped_column(String(200))
    form: Mapped[SupportForm] = mapped_column(String(16))
    hours: Mapped[float]
    given_by: Mapped[str] = mapped_column(String(120))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    municipality: Mapped[Municipality] = relationship()


class ExperienceReport(TimestampMixin, db.Model):
    __tablename__ = "followup_reports"
    __table_args__ = (Index("ix_followup_reports_status_published", "status", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    measure_id: Mapped[int | None] = mapped_column(
        ForeignKey("followup_measures.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    theme: Mapped[Theme] = mapped_column(String(32))
    problem: Mapped[str] = mapped_column(Text, default="")
    area_level: Mapped[str] = mapped_column(String(24), default="none")
    size_class: Mapped[SizeClass] = mapped_column(String(16))
    context: Mapped[str] = mapped_column(Text, default="")
    measure_summary: Mapped[str] = mapped_column(Text, default="")
    actors: Mapped[str] = mapped_column(Text, default="")
    # Organisation types taking part, stored ",polis,skola," so a LIKE filters on both backends.
    actor_types: Mapped[str] = mapped_column(String(300), default="")
    how: Mapped[str] = mapped_column(Text, default="")
    results: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[ReportStatus] = mapped_column(String(16), default=ReportStatus.DRAFT)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # What the reviewer said when sending the report back; why an admin published without review.
    review_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    override_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    municipality: Mapped[Municipality] = relationship()
    measure: Mapped[Measure | None] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    @property
    def actor_type_list(self) -> list[str]:
        return [t for t in self.actor_types.split(",") if t]

    @property
    def is_published(self) -> bool:
        return self.status == ReportStatus.PUBLISHED


class PlanDecision(db.Model):
    """A decision on an action plan (adoption or revision): who decided, when, until when.

    The rows are the plan's history; the newest decision is its current state.
    """

    __tablename__ = "followup_plan_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("followup_plans.id", ondelete="CASCADE"), index=True)
    # Denormalised from the plan so the overview finds each municipality's latest decision in one query.
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_on: Mapped[dt.date]
    reference: Mapped[str] = mapped_column(String(100), default="")
    next_revision_on: Mapped[dt.date | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    plan: Mapped[ActionPlan] = relationship()


class CoordinationRecord(db.Model):
    """Samordningsfunktion: how the municipality coordinates its work, recorded when it changes.

    The rows are the history; the one with the latest ``since`` is the current state.
    """

    __tablename__ = "followup_coordination"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    organised_as: Mapped[str] = mapped_column(Text)
    placement: Mapped[str] = mapped_column(String(200))
    contacts: Mapped[str] = mapped_column(Text, default="")
    since: Mapped[dt.date]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    recorded_by: Mapped[User | None] = relationship()
