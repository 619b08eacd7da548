"""``seed-scale``'s later stages: events, library, follow-up and notifications (see scale.py)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import bindparam, select

from network.accounts.models import Organisation, User
from network.deploy import scale_text as words
from network.deploy.scale import (
    BATCH,
    BUSY_UNREAD,
    Scale,
    batches,
    index_rows,
    insert_rows,
    past,
    search_row,
    weekday_at,
    zipf_weights,
)
from network.events.models import Event, Registration
from network.extensions import db
from network.followup.models import (
    ActionPlan,
    CoordinationRecord,
    ExperienceReport,
    Indicator,
    Measure,
    Measurement,
    PlanDecision,
    SituationPicture,
    SupportEntry,
)
from network.notifications.models import Notification
from network.resources import totals as resource_totals
from network.resources.models import Resource, ResourceMunicipality, ResourceTheme, ResourceVersion

EVENT_TYPES = ("natverkstraff", "workshop", "webbinarium", "studiebesok", "samverkansmote")
RESOURCE_TYPES = ("metodstod", "lagesbild", "atgardsplan", "utvardering", "rapport",
                  "presentation", "mall", "film_lank", "transkript", "ovrigt")
THEMES = ("nyrekrytering", "grovt_vald", "ordningsstorningar", "trygghet", "situationell",
          "foraldraskapsstod", "samverkan", "narkotika", "ovrigt")


def _codes(values) -> str:
    values = [v for v in values if v]
    return ("," + ",".join(dict.fromkeys(values)) + ",")[:300] if values else ""


def make_events(s: Scale) -> None:
    open_groups = [g for g in s.groups]
    weights = zipf_weights(len(open_groups), 1.0)
    s.rng.shuffle(weights)
    today = s.now.date()
    rows, meta = [], []
    busiest_day = today + dt.timedelta(days=(7 - today.weekday()) % 7 + 14)  # a Monday ahead
    for n in range(s.sizes["events"]):
        group = s.rng.choices(open_groups, weights=weights)[0]
        # One day carries a national conference week's load (the month view's "+N fler").
        day = busiest_day if n % 67 == 0 else today + dt.timedelta(days=s.rng.randint(-400, 300))
        start = weekday_at(day, s.rng.choice([8, 9, 10, 13, 14, 15]), s.rng.choice([0, 30]))
        kind = s.rng.choice(EVENT_TYPES)
        rows.append({"type": kind, "group_id": group["id"], "created_by_id": s.rng.choice(s.users),
                     "title": s.rng.choice(words.EVENT_TITLES).format(t=words.title(s.rng).lower()),
                     "description": words.paragraph(s.rng, 2, 4), "description_html": "",
                     "start_at": start, "end_at": start + dt.timedelta(hours=s.rng.choice([1, 2, 3])),
                     "all_day": False, "place": "Stadshuset, sal 2" if kind != "webbinarium" else "",
                     "online_url": "", "visibility": group["visibility"],
                     "capacity": s.rng.choice([None, 20, 40, 100]),
                     "status": "cancelled" if n % 40 == 3 else "scheduled",
                     "cancelled_at": s.now if n % 40 == 3 else None, "sequence": 0,
                     "created_at": start - dt.timedelta(days=30), "updated_at": s.now})
        meta.append(group)
    ids = []
    for chunk in batches(rows):
        ids += insert_rows(Event, chunk, ids=True)
    entries = [search_row(s, "event", i, title=r["title"], body=r["description"],
                          url=f"/evenemang/{i}", visibility=r["visibility"], group_id=r["group_id"],
                          created_at=r["start_at"]) for i, r in zip(ids, rows, strict=True)]
    for chunk in batches(entries):
        index_rows(chunk)
    # Registrations: mostly the group's own members, a few events very popular.
    target, regs = s.sizes["registrations"], []
    popularity = [s.rng.paretovariate(1.3) for _ in ids]
    total = sum(popularity)
    for event_id, group, weight in zip(ids, meta, popularity, strict=True):
        pool = s.members_of.get(group["id"]) or s.users
        k = min(len(pool), int(target * weight / total + s.rng.random()))
        for user_id in s.rng.sample(pool, k):
            regs.append({"event_id": event_id, "user_id": user_id, "status": "registered",
                         "needs": "", "created_at": s.now, "updated_at": s.now})
    for chunk in batches(regs):
        insert_rows(Registration, chunk)
    # Each event's seats taken, the running total the registration services keep one by one.
    seats = Counter(r["event_id"] for r in regs)
    db.session.execute(Event.__table__.update().where(Event.id == bindparam("eid"))
                       .values(registered_total=bindparam("n")),
                       [{"eid": e, "n": n} for e, n in seats.items()])
    s.counts["events"], s.counts["registrations"] = len(ids), len(regs)


def make_resources(s: Scale) -> None:
    org_weights = zipf_weights(len(s.organisations), 0.8)
    # Each resource stores where its sharer's organisation was when it was shared, as the services do.
    places = dict(db.session.execute(select(User.id, Organisation.municipality_code)
                                     .join(Organisation, Organisation.id == User.organisation_id)).all())
    count = 0
    for start in range(0, s.sizes["resources"], BATCH):
        rows, extra = [], []
        for _ in range(min(BATCH, s.sizes["resources"] - start)):
            group = s.rng.choice(s.groups) if s.rng.random() < 0.3 else None
            visibility = group["visibility"] if group else s.rng.choice(["public", "public", "members"])
            created = past(s, 8 * 365)
            rows.append({"title": words.title(s.rng), "summary": words.paragraph(s.rng, 1, 3),
                         "type": s.rng.choice(RESOURCE_TYPES), "language": "sv",
                         "licence": "alla-rattigheter", "year": created.year,
                         "organisation_id": s.rng.choices(s.organisations, weights=org_weights)[0],
                         "group_id": group["id"] if group else None,
                         "created_by_id": s.rng.choice(s.users), "visibility": visibility,
                         "effective_visibility": visibility,
                         "review_status": "pending" if s.rng.random() < 0.02 else "not_needed",
                         "published_at": created, "download_count": int(s.rng.paretovariate(1.2)) - 1,
                         "created_at": created, "updated_at": created})
            rows[-1]["municipality_code"] = places.get(rows[-1]["created_by_id"])
            extra.append((s.rng.sample(THEMES, s.rng.randint(1, 3)),
                          s.rng.sample(s.municipalities, s.rng.choice([0, 1, 1, 2]))))
        ids = insert_rows(Resource, rows, ids=True)
        insert_rows(ResourceVersion, [{"resource_id": i, "number": 1, "change_note": "",
                                       "created_by_id": r["created_by_id"], "created_at": r["created_at"]}
                                      for i, r in zip(ids, rows, strict=True)])
        insert_rows(ResourceTheme, [{"resource_id": i, "theme": t}
                                    for i, (themes, _) in zip(ids, extra, strict=True) for t in themes])
        insert_rows(ResourceMunicipality, [{"resource_id": i, "municipality_code": c}
                                           for i, (_, codes) in zip(ids, extra, strict=True) for c in codes])
        index_rows([search_row(s, "resource", i, title=r["title"], body=r["summary"],
                               url=f"/bibliotek/{i}", visibility=r["effective_visibility"],
                               group_id=r["group_id"], created_at=r["created_at"],
                               themes=_codes(themes), places=_codes(codes))
                    for i, r, (themes, codes) in zip(ids, rows, extra, strict=True)])
        count += len(ids)
    resource_totals.rebuild()  # downloads so far, which the services keep download by download
    resource_totals.rebuild_shared()  # and resources shared per day, kept resource by resource
    s.counts["resources"] = count


def make_followup(s: Scale) -> None:
    """Municipalities in different states: no picture yet, a stale or current one, a plan with or
    without a decision; measures in every status with monthly measurements."""
    year = s.now.year
    active = [n for n in range(len(s.participating)) if (n + 3) % 5 != 0]
    per = max(1, -(-s.sizes["measures"] // len(active)))
    months = max(1, s.sizes["measurements"] // s.sizes["measures"])
    local_group = {}
    for group in s.groups:
        if group["code"] and group["code"] not in local_group:
            local_group[group["code"]] = group["id"]
    measures = indicators = measurements = reports = 0
    for n, code in enumerate(s.participating):
        state = (n + 3) % 5  # 0: starting out, 1: stale picture, 2: plan undecided, 3/4: decided
        if state == 0:
            continue
        insert_rows(SituationPicture, [{"municipality_code": code, "year": year - (2 if state == 1 else 0),
                                        "analysis": words.paragraph(s.rng), "created_at": s.now,
                                        "updated_at": s.now}])
        plan_id = insert_rows(ActionPlan, [{"municipality_code": code, "title": "Åtgärdsplan",
                                            "start_year": year - 1, "end_year": year + 1,
                                            "description": words.paragraph(s.rng),
                                            "created_at": s.now, "updated_at": s.now}], ids=True)[0]
        if state >= 3:
            insert_rows(PlanDecision, [{
                "plan_id": plan_id, "municipality_code": code, "decided_by": "Kommunstyrelsen",
                "decided_on": dt.date(year - 1, 3, 14), "reference": f"KS {year - 1}/{n}",
                "created_at": s.now}])
            insert_rows(CoordinationRecord, [{
                "municipality_code": code, "organised_as": "Samordnare på kommunledningskontoret",
                "placement": "Kommunledningskontoret", "since": dt.date(year - 2, 9, 1),
                "created_at": s.now}])
        rows = [{"plan_id": plan_id, "municipality_code": code,
                 "title": s.rng.choice(words.MEASURE_TITLES).format(m=code),
                 "problem": words.sentence(s.rng), "description": words.paragraph(s.rng),
                 "theme": s.rng.choice(THEMES),
                 "status": s.rng.choices(["planerad", "pagar", "avslutad", "avbruten"], [2, 5, 2, 1])[0],
                 "start_date": dt.date(year - 1, 1, 1), "end_date": dt.date(year + 1, 12, 31),
                 "created_at": s.now, "updated_at": s.now} for _ in range(per)]
        measure_ids = insert_rows(Measure, rows, ids=True)
        index_rows([search_row(s, "measure", i, title=r["title"], body=r["description"],
                               url=f"/uppfoljning/atgard/{i}", visibility="group",
                               group_id=local_group.get(code), created_at=s.now,
                               themes=_codes([r["theme"]]), places=_codes([code]))
                    for i, r in zip(measure_ids, rows, strict=True)])
        indicator_ids = insert_rows(Indicator, [
            {"measure_id": m, "name": "Anmälda brott i området", "unit": "antal",
             "baseline_value": 50.0, "baseline_date": dt.date(year - 2, 1, 1), "target_value": 30.0,
             "desired_direction": "down", "created_at": s.now, "updated_at": s.now}
            for m in measure_ids], ids=True)
        points = [{"indicator_id": i, "date": dt.date(year - 2, 1, 1) + dt.timedelta(days=30 * k),
                   "value": round(50 - k * 0.8 + s.rng.uniform(-4, 4), 1), "comment": "",
                   "created_at": s.now} for i in indicator_ids for k in range(months)]
        for chunk in batches(points):
            insert_rows(Measurement, chunk)
        insert_rows(SupportEntry, [{"municipality_code": code, "date": past(s, 300).date(),
                                    "topic": "Stöd i lägesbildsarbetet", "form": "radgivning",
                                    "hours": 2.0, "given_by": "Länsstyrelsen", "created_at": s.now,
                                    "updated_at": s.now} for _ in range(3)])
        status = ["utkast", "granskas", "godkand", "publicerad"][state - 1]
        insert_rows(ExperienceReport, [{"municipality_code": code, "measure_id": measure_ids[0],
                                        "title": rows[0]["title"], "theme": rows[0]["theme"],
                                        "size_class": "15000_50000", "results": words.paragraph(s.rng),
                                        "status": status, "created_at": s.now, "updated_at": s.now,
                                        "published_at": s.now if status == "publicerad" else None}])
        measures, indicators = measures + len(measure_ids), indicators + len(indicator_ids)
        measurements, reports = measurements + len(points), reports + 1
    s.counts.update(measures=measures, indicators=indicators, measurements=measurements,
                    reports=reports, participating=len(s.participating))


def make_notifications(s: Scale) -> None:
    """Most members have a few, some hundreds; older ones read. The busy member has unread ones."""
    weights = [s.rng.paretovariate(1.2) for _ in s.users]
    total, target, rows, count = sum(weights), s.sizes["notifications"], [], 0
    for user_id, weight in zip(s.users, weights, strict=True):
        for k in range(int(target * weight / total + s.rng.random())):
            topic = s.rng.choice(s.topics)
            rows.append({"user_id": user_id, "kind": "forum.post", "title": "Nytt svar i en tråd du bevakar",
                         "body": "", "url": f"/forum/t/{topic}", "subject_type": "forum_topic",
                         "subject_id": topic, "created_at": s.now - dt.timedelta(hours=3 * k + 1),
                         "read_at": s.now if k > 3 else None})
            if len(rows) == BATCH:
                insert_rows(Notification, rows)
                count, rows = count + len(rows), []
    busy = s.special["busy"]
    rows += [{"user_id": busy, "kind": "forum.post", "title": "Nytt svar i en tråd du bevakar",
              "body": "", "url": f"/forum/t/{t}", "subject_type": "forum_topic", "subject_id": t,
              "created_at": s.now - dt.timedelta(minutes=k), "read_at": None}
             for k, t in enumerate(s.rng.choices(s.topics, k=BUSY_UNREAD))]
    insert_rows(Notification, rows)
    s.counts["notifications"] = count + len(rows)
