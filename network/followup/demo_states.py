"""Demo data that shows what the overview is for: municipalities in different states.

The first four demo municipalities get, in turn: measures that work (adopted plan, current
lägesbild, coordination function), no adopted plan, a stale lägesbild, and measures that were
stopped with an overdue revision. Each measure gets its own experience report, told differently.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from network.accounts.models import User
from network.extensions import db
from network.followup import duties, review, services
from network.followup.models import ActionPlan, Measure, MeasureStatus, SituationPicture

STATES = ("working", "no_plan", "stale_picture", "stopped")

LESSONS = [
    "Föräldrarna kom när skolan bjöd in, inte när kommunen gjorde det.",
    "Kvällsvandringarna behövde fasta tider; spontana pass lockade ingen.",
    "SSPF fungerade först när socialtjänsten hade en namngiven kontakt hos polisen.",
    "Orosanmälningarna minskade inte förrän skolan var med från start.",
    "Belysningen gav effekt direkt; röjningen behövde upprepas varje vår.",
    "Bostadsbolagets felanmälan var den snabbaste källan till lägesbilden.",
    "En gemensam veckorapport ersatte tre olika möten.",
    "Vi mätte för mycket i början; två indikatorer räckte.",
    "Föreningarna nådde ungdomar som ingen myndighet nådde.",
    "Insatsen avbröts när finansieringen tog slut; planera för drift från dag ett.",
    "Samordnaren behövde mandat att boka om andras resurser.",
    "Resultaten syntes först efter ett år; avbryt inte efter första kvartalet.",
]

HOW = [
    "Vi började i liten skala i ett kvarter och utvidgade efter tre månader.",
    "Polis, skola och socialtjänst träffades varannan vecka med en gemensam dagordning.",
    "Boende var med och valde platserna genom en trygghetsvandring.",
    "Vi använde bostadsbolagets data varje månad för att styra insatserna.",
]


def apply_state(admin: User, author: User | None, code: str, name: str, index: int) -> None:
    state = STATES[index % len(STATES)]
    today = duties.today()
    plans = list(db.session.scalars(select(ActionPlan).where(ActionPlan.municipality_code == code)))
    if state != "no_plan":
        for plan in plans:
            revision = dt.date(today.year - 1, 6, 1) if state == "stopped" else dt.date(today.year + 1, 2, 1)
            duties.record_plan_decision(admin, plan, decided_by="Kommunfullmäktige",
                                        decided_on=dt.date(2025, 2, 10), reference=f"KF 2025/{10 + index}",
                                        next_revision_on=revision)
        duties.record_coordination(
            admin, code, organised_as="Brottsförebyggande råd med en samordnare på heltid",
            placement="Kommunledningskontoret" if index % 2 == 0 else "Socialförvaltningen",
            contacts=f"Samordnare brottsförebyggande arbete, {name} kommun", since=dt.date(2024, 9, 1))
    if state == "stale_picture":
        stale = dt.datetime.combine(duties.year_before(today) - dt.timedelta(days=60), dt.time(12),
                                    tzinfo=dt.UTC)
        pictures = select(SituationPicture).where(SituationPicture.municipality_code == code)
        for picture in db.session.scalars(pictures):
            picture.updated_at = stale
    measures = list(db.session.scalars(select(Measure).where(Measure.municipality_code == code)
                                       .order_by(Measure.id)))
    if state == "stopped":
        for measure in measures:
            measure.status = MeasureStatus.CANCELLED
    writer = author or admin
    for number, measure in enumerate(measures[1:], start=1):
        report = services.create_report_from_measure(writer, measure)
        report.title = f"{measure.title} i {name}"
        report.how = HOW[(index + number) % len(HOW)]
        report.lessons = LESSONS[(index * 3 + number) % len(LESSONS)]
        report.contact = f"samordnare@{name.lower().replace('ö', 'o').replace('ä', 'a')}.example.se"
        review.submit_report(writer, report)
        if writer.id == admin.id:
            review.override_publish_report(admin, report, "Demodata utan lokal samordnare.")
        else:
            review.approve_report(admin, report)
            review.publish_report(admin, report)
    db.session.flush()
