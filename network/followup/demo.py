"""Demo content for follow-up: realistic plans, two years of quarterly measurements, published
experience reports and a support log, so the dashboard shows real charts after ``make run``.

``seed_demo(ctx)`` is registered with the accounts feature's ``register_seed`` hook when that
exists; ``flask followup-seed-demo`` runs it on its own. It uses the local groups, organisations,
areas and admin that exist and creates what is missing. ``seed_bench`` builds the large data set
for the dashboard benchmark with bulk inserts.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from flask import current_app, has_request_context
from sqlalchemy import func, insert, select

from network.accounts import services as accounts
from network.accounts.models import (
    Area,
    ClassificationLevel,
    Group,
    GroupKind,
    GroupVisibility,
    Membership,
    Municipality,
    Organisation,
    OrganisationType,
    User,
)
from network.extensions import db
from network.followup import demo_states, review, services
from network.followup.models import (
    ActionPlan,
    Indicator,
    Measure,
    Measurement,
    SituationPicture,
    SizeClass,
    SupportEntry,
)

MUNICIPALITIES = {
    "0181": ("Södertälje", SizeClass.LARGE, [("Ronna", "sarskilt_utsatt"), ("Hovsjö", "sarskilt_utsatt"),
                                            ("Fornhöjden", "utsatt")]),
    "1280": ("Malmö", SizeClass.CITY, [("Rosengård", "sarskilt_utsatt"), ("Seved", "risk"),
                                      ("Lindängen", "utsatt")]),
    "1880": ("Örebro", SizeClass.LARGE, [("Vivalla", "sarskilt_utsatt"), ("Oxhagen/Varberga", "utsatt")]),
}

MEASURES = [
    ("Föräldravandringar och trygghetsvandringar", "trygghet",
     "Många boende upplever otrygghet kvällstid vid centrum och busstorget.",
     [("Andel boende som känner sig trygga ute kvällstid", "procent", "Polisens trygghetsmätning",
       42.0, 55.0)]),
    ("Tidiga insatser för unga i riskzonen (SSPF)", "nyrekrytering",
     "Unga rekryteras till kriminella nätverk; orosanmälningar om 12–17-åringar ökar.",
     [("Antal unga i SSPF-insatser", "antal", "Socialtjänsten", 12.0, 30.0),
      ("Orosanmälningar om kriminalitet, 12–17 år", "antal per kvartal", "Socialtjänsten", 48.0, 30.0)]),
    ("Belysning och röjning vid gångstråk", "situationell",
     "Mörka gångtunnlar och buskage vid skolan skapar otrygghet och skadegörelse.",
     [("Anmälda skadegörelsebrott i området", "antal per kvartal", "Polisen, öppen statistik",
       35.0, 20.0)]),
    ("Samordnad lägesbild med polis och bostadsbolag", "samverkan",
     "Information om ordningsstörningar delas sent mellan aktörerna.",
     [("Ordningsstörningar rapporterade av bostadsbolaget", "antal per kvartal", "Bostadsbolaget",
       60.0, 40.0)]),
]

REPORT_TEXTS = {
    "how": ("Vi startade med en gemensam workshop för polis, socialtjänst, skola och bostadsbolag. "
            "Varje vecka gick vi igenom läget och fördelade insatser. Föreningar i området hjälpte "
            "till att nå föräldrar."),
    "lessons": ("- Börja med en gemensam lägesbild; den gör samverkan konkret.\n"
                "- Avsätt en samordnare med mandat.\n- Följ upp varje kvartal, inte bara årsvis."),
}


def _quarter_days(start: dt.date, count: int) -> list[dt.date]:
    days = []
    year, month = start.year, start.month
    for _ in range(count):
        month += 3
        if month > 12:
            year, month = year + 1, month - 12
        days.append(dt.date(year, month, 1) - dt.timedelta(days=1))
    return days


def _admin() -> User:
    admin = db.session.scalar(select(User).where(User.role == "admin").order_by(User.id).limit(1))
    if admin is None:
        admin = accounts.create_user("samordnare.demo@example.se", None, "Demo Samordnare", role="admin")
    return admin


def _organisation(name: str, kind: OrganisationType, code: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.name == name))
    return org or accounts.create_organisation(None, name, kind, municipality_code=code)


def _local_group(code: str, name: str) -> Group:
    group = db.session.scalar(select(Group).where(Group.kind == GroupKind.LOCAL.value,
                                                  Group.municipality_code == code).order_by(Group.id))
    return group or accounts.create_group(None, f"Lokal samverkan {name}", GroupKind.LOCAL,
                                          visibility=GroupVisibility.CLOSED, municipality_code=code)


def _local_author(code: str) -> User | None:
    """A member of the municipality's local group: the one who writes its experience report."""
    return db.session.scalar(
        select(User).join(Membership, Membership.user_id == User.id)
        .join(Group, Group.id == Membership.group_id)
        .where(Group.kind == GroupKind.LOCAL.value, Group.municipality_code == code)
        .order_by(Membership.created_at, User.id).limit(1))


def _areas(code: str, specs) -> list[Area]:
    areas = []
    for area_name, level in specs:
        area = db.session.scalar(select(Area).where(Area.municipality_code == code, Area.name == area_name))
        if area is None:
            area = accounts.create_area(None, code, area_name)
            accounts.classify_area(None, area, 2025, ClassificationLevel(level))
        areas.append(area)
    return areas


SIZES = {"1280": SizeClass.CITY, "1480": SizeClass.CITY, "0180": SizeClass.CITY, "1880": SizeClass.LARGE,
         "0380": SizeClass.LARGE, "2081": SizeClass.LARGE, "0181": SizeClass.LARGE}


def seed_demo(ctx: Any = None) -> None:
    """Idempotent: does nothing if follow-up already has plans.

    With the accounts seed's ``ctx`` it works on that network (its local groups, areas,
    organisations and admin); without one (``flask followup-seed-demo``) it builds a small one."""
    if db.session.scalar(select(func.count(ActionPlan.id))):
        return
    if has_request_context():
        _seed_demo(ctx)
        return
    # Texts the services write (report prefill) are translated: they need a locale to choose.
    with current_app.test_request_context():
        _seed_demo(ctx)


def _targets(ctx: Any) -> list[tuple[str, str, SizeClass, list[Area]]]:
    if ctx is not None:
        groups = [g for g in ctx.groups.values() if g.kind == GroupKind.LOCAL and g.municipality_code]
        return [(g.municipality_code, g.municipality.name, SIZES.get(g.municipality_code, SizeClass.MEDIUM),
                 services.municipality_areas(g.municipality_code)) for g in groups]
    targets = []
    for code, (name, size, area_specs) in MUNICIPALITIES.items():
        municipality = db.session.get(Municipality, code)
        if municipality.participating_since is None:
            municipality.participating_since = dt.date(2025, 1, 1)
        _local_group(code, name)
        targets.append((code, name, size, _areas(code, area_specs)))
    return targets


def _org(code: str, kind: OrganisationType, fallback: str) -> Organisation:
    org = db.session.scalar(
        select(Organisation).where(Organisation.municipality_code == code, Organisation.type == kind.value)
        .order_by(Organisation.id))
    return org or _organisation(fallback, kind, code)


def _seed_demo(ctx: Any) -> None:
    rng = random.Random(2023196)
    admin = ctx.users["admin"] if ctx is not None and "admin" in ctx.users else _admin()
    for index, (code, name, size, areas) in enumerate(_targets(ctx)):
        if not areas:
            areas = _areas(code, [("Centrum", "utsatt")])
        _seed_municipality(admin, code, name, size, areas, rng)
        demo_states.apply_state(admin, _local_author(code), code, name, index)
    db.session.flush()


def _seed_municipality(admin: User, code: str, name: str, size: SizeClass, areas: list[Area],
                       rng: random.Random) -> None:
    police = _org(code, OrganisationType.POLIS, f"Polisen, lokalpolisområde {name}")
    housing = _org(code, OrganisationType.BOSTADSBOLAG, f"{name} Bostäder AB")
    social = _org(code, OrganisationType.KOMMUN, f"{name} kommun, socialtjänsten")
    school = _org(code, OrganisationType.SKOLA, f"{areas[0].name}skolan")
    ngo = _org(code, OrganisationType.CIVILSAMHALLE, f"Föreningen Tryggt {areas[0].name}")
    for year in (2025, 2026):
        picture = services.save_picture(
            admin, code, year,
            crime_mapping=(f"Under {year - 1} anmäldes fler rån och skadegörelsebrott i "
                           f"{areas[0].name} än i kommunen i övrigt. **Öppen narkotikaförsäljning** "
                           "förekommer vid centrum."),
            other_info="Skolresultaten i området är lägre än kommunsnittet; hög arbetslöshet bland unga.",
            analysis=("Otryggheten hänger ihop med platser där unga samlas utan vuxennärvaro. "
                      "Tidiga insatser och situationell prevention prioriteras."),
            area_ids=[a.id for a in areas])
        services.add_key_figure(admin, picture, name="Anmälda brott per 1 000 invånare",
                                value=rng.randint(95, 140), unit="per 1 000 inv.",
                                source="Brå, anmälda brott", date=dt.date(year - 1, 12, 31))
        services.add_key_figure(admin, picture, name="Andel otrygga kvällstid", value=rng.randint(30, 45),
                                unit="procent", source="Polisens trygghetsmätning",
                                date=dt.date(year - 1, 10, 1))
    plan = services.save_plan(admin, code, title=f"Åtgärdsplan för brottsförebyggande arbete {name}",
                              start_year=2025, end_year=2027,
                              description="Planen bygger på lägesbilden och beslutades av "
                                          "kommunstyrelsen.")
    for index, (title, theme, problem, indicators) in enumerate(MEASURES):
        start = dt.date(2025, 1, 1)
        measure = services.save_measure(
            admin, plan, title=title, problem=problem,
            description=f"{title} i {areas[index % len(areas)].name}, tillsammans med polis och "
                        "bostadsbolag.",
            theme=theme, status="pagar" if index < 3 else "avslutad", start_date=start,
            end_date=dt.date(2027, 12, 31), responsible_id=[social, police, housing, social][index].id,
            partner_ids=[police.id, housing.id, school.id, ngo.id][: 2 + index % 3],
            area_ids=[areas[index % len(areas)].id])
        measure.public_charts = index == 0
        for ind_name, unit, source, baseline, target in indicators:
            indicator = services.save_indicator(
                admin, measure, name=ind_name, unit=unit, source=source, baseline_value=baseline,
                baseline_date=dt.date(2024, 12, 31), target_value=target,
                target_date=dt.date(2027, 12, 31))
            value = baseline
            for day in _quarter_days(start, 8):
                value += (target - baseline) / 10 + rng.uniform(-1.5, 1.5)
                services.add_measurement(admin, indicator, date=day, value=round(value, 1),
                                         comment="Kvartalsuppföljning" if day.month == 12 else "")
        services.add_note(admin, measure, period_start=dt.date(2025, 1, 1),
                          period_end=dt.date(2025, 12, 31),
                          done="Insatsen kom igång under våren; samverkansmöten varannan vecka.",
                          learned="Föräldrar nås bäst via föreningarna och skolan.")
        if index == 0:
            author = _local_author(code) or admin
            report = services.create_report_from_measure(author, measure)
            report.size_class = size
            report.how, report.lessons = REPORT_TEXTS["how"], REPORT_TEXTS["lessons"]
            report.contact = f"Samordnare brottsförebyggande arbete, {name} kommun"
            review.submit_report(author, report)
            if author.id == admin.id:
                review.override_publish_report(admin, report, "Demodata utan lokal samordnare.")
            else:
                review.approve_report(admin, report)
                review.publish_report(admin, report)
    for month in range(1, 13, 2):
        services.add_support(admin, code, date=dt.date(2025, month, 15),
                             topic=rng.choice(["Lägesbild och analys", "Indikatorer och uppföljning",
                                               "SSPF-samverkan", "Trygghetsvandringar"]),
                             form=rng.choice(["radgivning", "workshop", "experthjalp", "metodstod"]),
                             hours=rng.choice([1.5, 2, 3, 6]), given_by="Brå, regional samordnare")
    db.session.flush()


def seed_bench(municipalities: int = 50, measures: int = 20, measurements: int = 24) -> None:
    """The dashboard benchmark's data: one indicator per measure, bulk inserted."""
    rng = random.Random(1)
    codes = list(db.session.scalars(
        select(Municipality.code).order_by(Municipality.code).limit(municipalities)))
    start = dt.date(2024, 1, 1)
    days = [start + dt.timedelta(days=30 * i) for i in range(measurements)]
    for code in codes:
        db.session.get(Municipality, code).participating_since = dt.date(2025, 1, 1)
        db.session.add(SituationPicture(municipality_code=code, year=2026))
        plan = ActionPlan(municipality_code=code, title="Åtgärdsplan", start_year=2024, end_year=2026)
        db.session.add(plan)
        db.session.flush()
        measure_ids = []
        for i in range(measures):
            measure = Measure(plan_id=plan.id, municipality_code=code, title=f"Åtgärd {i + 1}",
                              theme="trygghet",
                              status=["planerad", "pagar", "avslutad", "avbruten"][i % 4], start_date=start,
                              end_date=dt.date(2026, 12, 31))
            db.session.add(measure)
            measure_ids.append(measure)
        db.session.flush()
        indicators = [Indicator(measure_id=m.id, name="Indikator", unit="antal", baseline_value=50.0,
                                baseline_date=start, target_value=30.0) for m in measure_ids]
        db.session.add_all(indicators)
        db.session.flush()
        db.session.execute(insert(Measurement), [
            {"indicator_id": ind.id, "date": day, "value": 50 - i + rng.uniform(-3, 3), "comment": ""}
            for ind in indicators for i, day in enumerate(days)])
        db.session.execute(insert(SupportEntry), [
            {"municipality_code": code, "date": days[i], "topic": "Stöd", "form": "radgivning",
             "hours": 2.0, "given_by": "Brå"} for i in range(4)])
    services.refresh_latest()
    db.session.flush()
