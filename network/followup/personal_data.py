"""What follow-up keeps about a person, for their data export (``accounts.privacy``).

What they wrote: situation pictures (lägesbilder), measures, follow-up notes, measurements,
support entries they recorded and experience reports. Nothing is erased with the account: the
municipality's follow-up is a public-sector record; it stays, shown as by "Tidigare medlem".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from network.extensions import db
from network.followup.models import (
    ExperienceReport,
    FollowupNote,
    Indicator,
    Measure,
    Measurement,
    SituationPicture,
    SupportEntry,
)


def export_personal_data(user: Any) -> dict:
    def rows(model: Any, author: Any, order: Any) -> list:
        return list(db.session.scalars(select(model).where(author == user.id).order_by(order)))

    return {
        "situation_pictures": [
            {"municipality": p.municipality_code, "year": p.year, "crime_mapping": p.crime_mapping,
             "other_info": p.other_info, "analysis": p.analysis, "updated_at": p.updated_at}
            for p in rows(SituationPicture, SituationPicture.author_id, SituationPicture.year)],
        "measures": [
            {"id": m.id, "municipality": m.municipality_code, "title": m.title,
             "problem": m.problem, "description": m.description, "theme": str(m.theme),
             "status": str(m.status), "start_date": m.start_date, "end_date": m.end_date,
             "created_at": m.created_at}
            for m in rows(Measure, Measure.created_by_id, Measure.id)],
        "follow_up_notes": [
            {"measure_id": n.measure_id, "period_start": n.period_start,
             "period_end": n.period_end, "done": n.done, "learned": n.learned,
             "created_at": n.created_at}
            for n in rows(FollowupNote, FollowupNote.author_id, FollowupNote.id)],
        "measurements": [
            {"indicator": name, "measure_id": measure_id, "date": m.date, "value": m.value,
             "comment": m.comment, "created_at": m.created_at}
            for m, name, measure_id in db.session.execute(
                select(Measurement, Indicator.name, Indicator.measure_id)
                .join(Indicator, Indicator.id == Measurement.indicator_id)
                .where(Measurement.author_id == user.id).order_by(Measurement.id))],
        "support_recorded": [
            {"municipality": s.municipality_code, "date": s.date, "topic": s.topic,
             "form": str(s.form), "hours": s.hours, "given_by": s.given_by}
            for s in rows(SupportEntry, SupportEntry.author_id, SupportEntry.id)],
        "experience_reports": [
            {"id": r.id, "municipality": r.municipality_code, "title": r.title,
             "status": str(r.status), "problem": r.problem, "context": r.context,
             "measure_summary": r.measure_summary, "how": r.how, "results": r.results,
             "lessons": r.lessons, "contact": r.contact, "created_at": r.created_at,
             "published_at": r.published_at}
            for r in rows(ExperienceReport, ExperienceReport.author_id, ExperienceReport.id)],
    }


def keep_on_erasure(user: Any) -> None:
    """The follow-up record outlives the account (see the module docstring)."""
