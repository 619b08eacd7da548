"""Event forms: validate wall-clock times in Europe/Stockholm, recurrences and agendas; never save."""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import format_date
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional

from network.events.models import EventType
from network.events.services import AgendaLine
from network.events.timeutil import LocalTimeError, Rule, RuleError, expand, to_utc
from network.forms import Form
from network.i18n import gettext as _
from network.i18n import lazy_gettext as _l

TYPE_LABELS = {
    EventType.NETWORK_MEETING: _l("Nätverksträff"),
    EventType.WORKSHOP: _l("Workshop"),
    EventType.WEBINAR: _l("Webbinarium"),
    EventType.STUDY_VISIT: _l("Studiebesök"),
    EventType.LOCAL_MEETING: _l("Lokalt samverkansmöte"),
}

VISIBILITY_LABELS = {
    "public": _l("Alla, även besökare utan konto"),
    "members": _l("Alla medlemmar i nätverket"),
    "group": _l("Bara gruppens medlemmar"),
}

REPEAT_CHOICES = [
    ("", _l("Upprepas inte")),
    ("weekly", _l("Varje vecka")),
    ("biweekly", _l("Varannan vecka")),
    ("monthly_date", _l("Varje månad, samma datum")),
    ("monthly_weekday", _l("Varje månad, samma veckodag (t.ex. tredje onsdagen)")),
]

AGENDA_LINE = re.compile(r"^\s*(?:(\d{1,2}[:.]\d{2})\s*[|;]\s*)?([^|;]+?)\s*(?:[|;]\s*(.*?))?\s*$")
MAX_AGENDA_ITEMS = 50


def time_error(exc: LocalTimeError) -> str:
    when = exc.value.strftime("%H:%M")
    day = format_date(exc.value.date(), "d MMMM y")
    if exc.kind == "nonexistent":
        return _("Klockan %(time)s finns inte den %(day)s: klockan ställs fram en timme vid "
                 "sommartidens början. Välj en annan tid.", time=when, day=day)
    return _("Klockan %(time)s inträffar två gånger den %(day)s: klockan ställs tillbaka en timme "
             "vid sommartidens slut. Välj en annan tid.", time=when, day=day)


RULE_ERRORS = {
    "unbounded": _l("Ange ett slutdatum eller ett antal tillfällen för upprepningen."),
    "count": _l("En serie kan ha högst 200 tillfällen."),
    "too_long": _l("En serie kan pågå i högst två år."),
    "until_before_start": _l("Upprepningens slutdatum ligger före första tillfället."),
    "interval": _l("Ogiltigt upprepningsintervall."),
    "freq": _l("Ogiltig upprepning."),
    "empty": _l("Upprepningen ger inga tillfällen."),
}


def parse_agenda(text: str) -> list[AgendaLine]:
    """One item per line: "09:30 | Rubrik | Talare" (time and speaker optional)."""
    items = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        match = AGENDA_LINE.match(raw)
        if match is None:
            raise ValueError(_("Rad %(n)s i programmet går inte att läsa.", n=number))
        time, title, speaker = match.group(1) or "", match.group(2).strip(), (match.group(3) or "").strip()
        if time:
            hours, minutes = (int(x) for x in re.split(r"[:.]", time))
            if hours > 23 or minutes > 59:
                raise ValueError(_("Rad %(n)s i programmet har en ogiltig tid.", n=number))
            time = f"{hours:02d}:{minutes:02d}"
        items.append(AgendaLine(time=time, title=title[:200], speaker=speaker[:200]))
    if len(items) > MAX_AGENDA_ITEMS:
        raise ValueError(_("Programmet kan ha högst %(n)s punkter.", n=MAX_AGENDA_ITEMS))
    return items


def format_agenda(items) -> str:
    return "\n".join(" | ".join(([i.time] if i.time else []) + [i.title] + ([i.speaker] if i.speaker else []))
                     for i in items)


class EventForm(Form):
    title = StringField(_l("Rubrik"), validators=[DataRequired(_l("Ge evenemanget en rubrik.")),
                                                 Length(max=200)])
    type = SelectField(_l("Typ av evenemang"),
                       choices=[(t.value, label) for t, label in TYPE_LABELS.items()])
    group_id = SelectField(_l("Arrangerande grupp"), coerce=int, validate_choice=True)
    visibility = SelectField(_l("Vem kan se evenemanget"), choices=list(VISIBILITY_LABELS.items()))
    description = TextAreaField(_l("Beskrivning"), validators=[Length(max=20000)])
    all_day = BooleanField(_l("Heldag"))
    start_date = DateField(_l("Startdatum"), validators=[DataRequired(_l("Ange ett giltigt startdatum."))])
    start_time = TimeField(_l("Starttid"), validators=[Optional()])
    end_date = DateField(_l("Slutdatum"), validators=[DataRequired(_l("Ange ett giltigt slutdatum."))])
    end_time = TimeField(_l("Sluttid"), validators=[Optional()])
    place = TextAreaField(_l("Plats (adress)"), validators=[Length(max=1000)])
    online_url = URLField(_l("Länk till onlinemöte"),
                          validators=[Optional(), URL(message=_l("Ange en fullständig webbadress.")),
                                      Length(max=500)])
    capacity = IntegerField(_l("Antal platser"), validators=[
        Optional(), NumberRange(min=0, max=100000, message=_l("Antalet platser kan inte vara negativt."))])
    deadline_date = DateField(_l("Sista anmälningsdag"), validators=[Optional()])
    deadline_time = TimeField(_l("Sista anmälningstid"), validators=[Optional()])
    agenda = TextAreaField(_l("Program"), validators=[Length(max=10000)])
    # An omitted field means "does not repeat"; unknown values are refused in _rule.
    repeat = SelectField(_l("Upprepning"), choices=REPEAT_CHOICES, default="", validate_choice=False)
    repeat_until = DateField(_l("Upprepa till och med"), validators=[Optional()])
    repeat_count = IntegerField(_l("Antal tillfällen"), validators=[Optional()])

    def __init__(self, *args, series_allowed: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.series_allowed = series_allowed
        self.clean: dict = {}

    def _local(self, day: dt.date, time: dt.time | None, field) -> dt.datetime | None:
        value = dt.datetime.combine(day, time or dt.time(0, 0))
        if self.all_day.data:
            return value
        if time is None:
            field.errors.append(_("Ange en tid, eller markera evenemanget som heldag."))
            return None
        try:
            to_utc(value)
        except LocalTimeError as exc:
            field.errors.append(time_error(exc))
            return None
        return value

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        start = self._local(self.start_date.data, self.start_time.data, self.start_time)
        end = self._local(self.end_date.data, self.end_time.data, self.end_time)
        if start is None or end is None:
            return False
        if end < start or (end == start and not self.all_day.data):
            self.end_date.errors.append(_("Slutet måste komma efter början."))
            return False
        deadline = None
        if self.deadline_date.data:
            deadline = dt.datetime.combine(self.deadline_date.data,
                                           self.deadline_time.data or dt.time(23, 59))
            try:
                to_utc(deadline)
            except LocalTimeError as exc:
                self.deadline_time.errors.append(time_error(exc))
                return False
            if deadline > start:
                self.deadline_date.errors.append(_("Sista anmälningsdag måste vara före evenemanget."))
                return False
        try:
            agenda = parse_agenda(self.agenda.data)
        except ValueError as exc:
            self.agenda.errors.append(str(exc))
            return False
        rule = None
        if self.series_allowed and self.repeat.data:
            rule = self._rule(start, end)
            if rule is False:
                return False
        self.clean = {"start": start, "end": end, "deadline": deadline, "agenda": agenda, "rule": rule}
        return True

    def _rule(self, start: dt.datetime, end: dt.datetime):
        if self.repeat_count.data is not None and self.repeat_until.data is not None:
            self.repeat_count.errors.append(_("Ange antingen slutdatum eller antal tillfällen, inte båda."))
            return False
        if self.repeat_count.data is not None and self.repeat_count.data < 1:
            self.repeat_count.errors.append(_("Antalet tillfällen måste vara minst 1."))
            return False
        if end.date() != start.date() and not self.all_day.data:
            self.repeat.errors.append(_("Återkommande evenemang måste börja och sluta samma dag."))
            return False
        freq = self.repeat.data
        if freq not in dict(REPEAT_CHOICES):
            self.repeat.errors.append(str(RULE_ERRORS["freq"]))
            return False
        rule = Rule(freq="weekly" if freq == "biweekly" else freq, interval=2 if freq == "biweekly" else 1,
                    until=self.repeat_until.data, count=self.repeat_count.data)
        try:
            starts = expand(rule, start)
        except RuleError as exc:
            target = self.repeat_count if exc.code == "count" and self.repeat_count.data else (
                self.repeat_until if exc.code in {"too_long", "until_before_start"} else self.repeat)
            target.errors.append(str(RULE_ERRORS[exc.code]))
            return False
        if not self.all_day.data:
            for local in starts:
                for value in (local, local + (end - start)):
                    try:
                        to_utc(value)
                    except LocalTimeError as exc:
                        self.repeat.errors.append(time_error(exc))
                        return False
        return rule


class RegistrationForm(Form):
    needs = TextAreaField(_l("Behov (valfritt)"), validators=[Length(max=1000)])


class FilterForm(Form):
    class Meta:
        csrf = False

    grupp = SelectField(_l("Grupp"), coerce=str, validate_choice=False)
    typ = SelectField(_l("Typ"), validate_choice=False,
                      choices=[("", _l("Alla typer"))] + [(t.value, lbl) for t, lbl in TYPE_LABELS.items()])


class SeriesForm(Form):
    """What can change for a whole series at once: content, not times."""

    title = EventForm.title
    type = EventForm.type
    description = EventForm.description
    place = EventForm.place
    online_url = EventForm.online_url
    capacity = EventForm.capacity
    agenda = EventForm.agenda

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        try:
            self.clean = {"agenda": parse_agenda(self.agenda.data)}
        except ValueError as exc:
            self.agenda.errors.append(str(exc))
            return False
        return True
