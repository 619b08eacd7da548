"""Demo events for ``flask seed-demo``, registered with the accounts seed hook.

Everything is placed relative to the seed's "now" in Europe/Stockholm, so the demo always has a
meeting series with past and coming occurrences (one cancelled), a workshop that was held (with
its minutes from the library), a coming workshop that is full with one person waiting, and a
closed local group's own meeting, and a public webinar that visitors from any municipality can
see in the calendar and subscribe to. Later hooks find the coming workshop in
``ctx.shared["events.workshop"]`` (the chat gives it a room).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from network.events import registrations, services
from network.events.models import Event, EventType
from network.events.services import AgendaLine, EventData
from network.events.timeutil import Rule, to_local
from network.resources import services as resources

MEETING_URL = "https://meet.example.se/natverkstraff"
WORKSHOP_URL = "https://meet.example.se/workshop-nyrekrytering"


def third_wednesday(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(2 - first.weekday()) % 7 + 14)


def _months_back(day: dt.date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 - months
    return index // 12, index % 12 + 1


def on_weekday(day: dt.date, weekday: int) -> dt.date:
    """The nearest ``weekday`` (0 = Monday) on or before ``day``: meetings fall on working days,
    whatever day of the week the demo is seeded on."""
    return day - dt.timedelta(days=(day.weekday() - weekday) % 7)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A naive Stockholm wall-clock time (what the services take)."""
    return dt.datetime.combine(day, dt.time(hour, minute))


def seed_events(ctx: Any) -> None:
    today = to_local(ctx.now).date()
    series = _network_meetings(ctx, today)
    _held_workshop(ctx, today)
    workshop = _coming_workshop(ctx, today)
    _local_meeting(ctx, today)
    _public_webinar(ctx, today)
    ctx.shared["events.series"] = series
    ctx.shared["events.workshop"] = workshop


def _network_meetings(ctx: Any, today: dt.date) -> list[Event]:
    """Third Wednesday of every month, 13–15, online and at Brå; started three months ago."""
    year, month = _months_back(today, 3)
    start = third_wednesday(year, month)
    admin = ctx.users["admin"]
    data = EventData(
        type=EventType.NETWORK_MEETING, group=ctx.groups["uppfoljning"],
        title="Nationell nätverksträff", start=_at(start, 13), end=_at(start, 15),
        description=("Månatlig träff för hela nätverket: läget i kommunerna, nytt från Brå och "
                     "en kommun som berättar om ett arbetssätt. Delta på plats eller digitalt."),
        place="Brå, Tegnérgatan 23, Stockholm (konferensrum Agnes)", online_url=MEETING_URL,
        visibility="members",
        agenda=[AgendaLine("13:00", "Välkommen och läget i nätverket", "Karin Lindqvist"),
                AgendaLine("13:20", "En kommun berättar"),
                AgendaLine("14:15", "Frågor från kommunerna"),
                AgendaLine("14:50", "Nästa träff")])
    first = services.create_event(admin, data, Rule("monthly_weekday", count=12))
    occurrences = list(first.series.occurrences)
    coming = [e for e in occurrences if e.start_at > ctx.now]
    # The second coming meeting clashes with the national conference: cancelled.
    services.cancel_event(admin, coming[1])
    for key in ("malmo_samordnare", "orebro_samordnare", "uppsala_samordnare"):
        registrations.register(ctx.users[key], coming[0], now=ctx.now)
    return occurrences


def _held_workshop(ctx: Any, today: dt.date) -> Event:
    """Three weeks ago, with its minutes in the library attached."""
    organiser = ctx.users["bra_utredare"]
    day = on_weekday(today - dt.timedelta(days=19), 1)  # a Tuesday about three weeks ago
    event = services.create_event(organiser, EventData(
        type=EventType.WORKSHOP, group=ctx.groups["nyrekrytering"],
        title="Workshop: tidiga signaler på nyrekrytering", start=_at(day, 9, 30),
        end=_at(day, 12), place="Malmö stadshus, sal Kronan",
        description="Hur skola, socialtjänst och polis delar iakttagelser i tid.",
        visibility="members", capacity=30,
        agenda=[AgendaLine("09:30", "Inledning", "Johan Ekström"),
                AgendaLine("10:00", "Fall från Göteborg och Örebro"),
                AgendaLine("11:15", "Gruppdiskussion och medskick")]))
    minutes = resources.create_resource(
        organiser, title="Minnesanteckningar: tidiga signaler på nyrekrytering", type="rapport",
        visibility="members", group_id=ctx.groups["nyrekrytering"].id,
        themes=["nyrekrytering", "samverkan"], year=day.year,
        summary="Anteckningar och medskick från workshoppen.",
        uploads=[resources.Upload(io.BytesIO(_minutes_text(day).encode()),
                                  "minnesanteckningar-workshop.txt")])
    resources.attach(organiser, minutes, "event", event.id)
    return event


def _minutes_text(day: dt.date) -> str:
    return (f"Minnesanteckningar, workshop {day.isoformat()}\n\n"
            "1. Skolan ser frånvaro och nya kontakter först.\n"
            "2. Socialtjänsten vill få orosanmälningar tidigare.\n"
            "3. Medskick: en gemensam kontaktväg per område.\n")


def _coming_workshop(ctx: Any, today: dt.date) -> Event:
    """In three weeks: four seats, all taken, and one person on the waitlist."""
    organiser = ctx.users["admin"]
    day = on_weekday(today + dt.timedelta(days=24), 3)  # a Thursday about three weeks ahead
    event = services.create_event(organiser, EventData(
        type=EventType.WORKSHOP, group=ctx.groups["grovt_vald"],
        title="Workshop: trygghetsvandringar efter skjutningar", start=_at(day, 9),
        end=_at(day, 12), place="Länsstyrelsen Skåne, Malmö", online_url=WORKSHOP_URL,
        description=("Hur kommun, polis och bostadsbolag planerar trygghetsvandringar veckorna "
                     "efter en skjutning. Begränsat antal platser."),
        visibility="members", capacity=4, deadline=_at(day - dt.timedelta(days=7), 23, 59),
        agenda=[AgendaLine("09:00", "Välkommen", "Karin Lindqvist"),
                AgendaLine("09:15", "Erfarenheter från Malmö", "Sara Johansson"),
                AgendaLine("10:15", "Kaffe"),
                AgendaLine("10:30", "Övning: planera en vandring"),
                AgendaLine("11:45", "Sammanfattning")]))
    for key in ("malmo_polis", "goteborg_samordnare", "goteborg_polis", "civil", "lst_skane"):
        registrations.register(ctx.users[key], event, now=ctx.now)
    return event


def _local_meeting(ctx: Any, today: dt.date) -> Event:
    """Malmö's closed group meets on a Tuesday one to two weeks ahead; only its members see it."""
    organiser = ctx.users["malmo_samordnare"]
    day = today + dt.timedelta(days=(1 - today.weekday()) % 7 + 7)
    event = services.create_event(organiser, EventData(
        type=EventType.LOCAL_MEETING, group=ctx.groups["malmo"],
        title="Samverkansmöte Rosengård", start=_at(day, 14), end=_at(day, 16),
        place="Rosengårds stadsområdesförvaltning", visibility="group",
        description="Lägesbilden inför sommaren och uppföljning av åtgärdslistan.",
        agenda=[AgendaLine("14:00", "Lägesbild från polisen", "Sara Johansson"),
                AgendaLine("14:40", "Bostadsbolagets åtgärder", "Mikael Persson"),
                AgendaLine("15:20", "Sommarlovets insatser")]))
    for key in ("malmo_social", "malmo_polis", "bostad"):
        registrations.register(ctx.users[key], event, now=ctx.now)
    return event


def _public_webinar(ctx: Any, today: dt.date) -> Event:
    """A public webinar one to two weeks ahead: what a visitor's calendar and feed are for."""
    organiser = ctx.users["admin"]
    day = on_weekday(today + dt.timedelta(days=12), 1)  # a Tuesday six to twelve days ahead
    event = services.create_event(organiser, EventData(
        type=EventType.WEBINAR, group=ctx.groups["ordningsstorningar"],
        title="Webbinarium: trygga centrummiljöer", start=_at(day, 10), end=_at(day, 11, 30),
        online_url="https://meet.example.se/webbinarium-centrum",
        description=("Öppet webbinarium för alla kommuner: hur fastighetsägare, kommun och polis "
                     "tillsammans skapar trygga torg och centrum. Erfarenheter från Borlänge och "
                     "Uppsala, och tid för frågor."),
        visibility="public", capacity=200,
        agenda=[AgendaLine("10:00", "Inledning", "Karin Lindqvist"),
                AgendaLine("10:10", "Torget i Borlänge: från oro till mötesplats", "Linnea Dahl"),
                AgendaLine("10:40", "Centrumsamverkan i Uppsala", "Sofia Holm"),
                AgendaLine("11:10", "Frågor")]))
    for key in ("centrum", "borlange_polis", "uppsala_samordnare"):
        registrations.register(ctx.users[key], event, now=ctx.now)
    return event
