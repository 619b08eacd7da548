"""Forms validate, they do not save. Numbers arrive as text so Swedish decimals are accepted
and refusals come from the service with one clear message."""

from __future__ import annotations

from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from network.accounts.models import ClassificationLevel
from network.followup.labels import (
    LEVELS,
    ORG_TYPES,
    SIZE_CLASSES,
    STATUSES,
    SUPPORT_FORMS,
    THEMES,
    choices,
)
from network.forms import Form
from network.i18n import lazy_gettext as _l

REQUIRED = _l("Fältet måste fyllas i.")
BAD_DATE = _l("Ange ett datum som ÅÅÅÅ-MM-DD.")


class PictureForm(Form):
    year = IntegerField(_l("År"), validators=[DataRequired(REQUIRED), NumberRange(2000, 2100)])
    crime_mapping = TextAreaField(_l("Kartläggning av brott och ordningsstörningar"),
                                  validators=[Length(max=50000)])
    other_info = TextAreaField(_l("Annan relevant information"), validators=[Length(max=50000)])
    analysis = TextAreaField(_l("Analys"), validators=[Length(max=50000)])
    areas = SelectMultipleField(_l("Berörda områden"), coerce=int, validate_choice=False)


class KeyFigureForm(Form):
    name = StringField(_l("Nyckeltal"), validators=[DataRequired(REQUIRED), Length(max=200)])
    value = StringField(_l("Värde"), validators=[DataRequired(REQUIRED), Length(max=40)])
    unit = StringField(_l("Enhet"), validators=[Length(max=40)])
    source = StringField(_l("Källa"), validators=[Length(max=200)])
    date = DateField(_l("Datum"), validators=[Optional()], format="%Y-%m-%d")


class PlanForm(Form):
    title = StringField(_l("Rubrik"), validators=[DataRequired(REQUIRED), Length(max=200)])
    start_year = IntegerField(_l("Från år"), validators=[DataRequired(REQUIRED), NumberRange(2000, 2100)])
    end_year = IntegerField(_l("Till år"), validators=[DataRequired(REQUIRED), NumberRange(2000, 2100)])
    description = TextAreaField(_l("Beskrivning"), validators=[Length(max=50000)])


class MeasureForm(Form):
    title = StringField(_l("Åtgärdens namn"), validators=[DataRequired(REQUIRED), Length(max=200)])
    problem = TextAreaField(_l("Problem som åtgärden ska påverka"),
                            validators=[DataRequired(REQUIRED), Length(max=10000)])
    description = TextAreaField(_l("Beskrivning"), validators=[Length(max=50000)])
    theme = SelectField(_l("Tema"), choices=[])
    status = SelectField(_l("Status"), choices=[])
    start_date = DateField(_l("Startdatum"), validators=[DataRequired(BAD_DATE)], format="%Y-%m-%d")
    end_date = DateField(_l("Slutdatum"), validators=[DataRequired(BAD_DATE)], format="%Y-%m-%d")
    responsible = SelectField(_l("Ansvarig organisation"), coerce=int, validate_choice=False)
    partners = SelectMultipleField(_l("Deltagande organisationer"), coerce=int, validate_choice=False)
    areas = SelectMultipleField(_l("Målområden"), coerce=int, validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.theme.choices = choices(THEMES)
        self.status.choices = choices(STATUSES)


class IndicatorForm(Form):
    name = StringField(_l("Indikator"), validators=[DataRequired(REQUIRED), Length(max=200)])
    unit = StringField(_l("Enhet"), validators=[DataRequired(REQUIRED), Length(max=40)])
    source = StringField(_l("Källa"), validators=[Length(max=200)])
    baseline_value = StringField(_l("Baslinje (värde)"), validators=[DataRequired(REQUIRED), Length(max=40)])
    baseline_date = DateField(_l("Baslinjens datum"), validators=[DataRequired(BAD_DATE)], format="%Y-%m-%d")
    target_value = StringField(_l("Målvärde"), validators=[Optional(), Length(max=40)])
    target_date = DateField(_l("Måldatum"), validators=[Optional()], format="%Y-%m-%d")
    desired_direction = SelectField(_l("Önskad riktning"), choices=[
        ("", _l("Följer av baslinje och mål")), ("down", _l("Lägre är bättre")),
        ("up", _l("Högre är bättre"))])


class MeasurementForm(Form):
    date = DateField(_l("Datum"), validators=[DataRequired(BAD_DATE)], format="%Y-%m-%d")
    value = StringField(_l("Värde"), validators=[DataRequired(REQUIRED), Length(max=40)])
    unit = StringField(_l("Enhet"), validators=[Length(max=40)])
    comment = TextAreaField(_l("Kommentar"), validators=[Length(max=5000)])


class NoteForm(Form):
    period_start = DateField(_l("Periodens början"), validators=[DataRequired(BAD_DATE)], format="%Y-%m-%d")
    period_end = DateField(_l("Periodens slut"), validators=[DataRequired(BAD_DATE)], format="%Y-%m-%d")
    done = TextAreaField(_l("Vad gjordes"), validators=[DataRequired(REQUIRED), Length(max=20000)])
    learned = TextAreaField(_l("Vad lärde vi oss"), validators=[Length(max=20000)])


class SupportForm(Form):
    municipality = SelectField(_l("Kommun"), validators=[DataRequired(REQUIRED)], validate_choice=True)
    date = DateField(_l("Datum"), validators=[DataRequired(BAD_DATE)], format="%Y-%m-%d")
    topic = StringField(_l("Ämne"), validators=[DataRequired(REQUIRED), Length(max=200)])
    form = SelectField(_l("Form"), choices=[])
    hours = StringField(_l("Tid (timmar)"), validators=[DataRequired(REQUIRED), Length(max=20)])
    given_by = StringField(_l("Av vem"), validators=[DataRequired(REQUIRED), Length(max=120)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.choices = choices(SUPPORT_FORMS)


class ReportForm(Form):
    title = StringField(_l("Rubrik"), validators=[DataRequired(REQUIRED), Length(max=200)])
    theme = SelectField(_l("Tema"), choices=[])
    problem = TextAreaField(_l("Problem"), validators=[DataRequired(REQUIRED), Length(max=20000)])
    area_level = SelectField(_l("Områdets klassning"), choices=[])
    size_class = SelectField(_l("Kommunens storlek"), choices=[])
    context = TextAreaField(_l("Sammanhang"), validators=[Length(max=20000)])
    measure_summary = TextAreaField(_l("Åtgärden"), validators=[Length(max=20000)])
    actors = TextAreaField(_l("Inblandade aktörer"), validators=[Length(max=20000)])
    actor_types = SelectMultipleField(_l("Typer av aktörer"), choices=[])
    how = TextAreaField(_l("Så gjorde vi"), validators=[Length(max=50000)])
    results = TextAreaField(_l("Resultat (med indikatordata)"), validators=[Length(max=50000)])
    lessons = TextAreaField(_l("Lärdomar"), validators=[Length(max=50000)])
    contact = StringField(_l("Kontakt"), validators=[Length(max=300)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.theme.choices = choices(THEMES)
        self.area_level.choices = [(lv.value, LEVELS[lv]) for lv in ClassificationLevel]
        self.size_class.choices = choices(SIZE_CLASSES)
        self.actor_types.choices = choices(ORG_TYPES)


class PlanDecisionForm(Form):
    decided_by = StringField(_l("Beslutande organ"), validators=[DataRequired(REQUIRED), Length(max=200)],
                             description=_l("Till exempel kommunfullmäktige eller kommunstyrelsen."))
    decided_on = DateField(_l("Beslutsdatum"), validators=[DataRequired(BAD_DATE)], format="%Y-%m-%d")
    reference = StringField(_l("Diarienummer eller paragraf"), validators=[Length(max=100)])
    next_revision_on = DateField(_l("Nästa revision senast"), validators=[Optional()], format="%Y-%m-%d")


class CoordinationForm(Form):
    organised_as = TextAreaField(_l("Hur samordningen är organiserad"),
                                 validators=[DataRequired(REQUIRED), Length(max=5000)])
    placement = StringField(_l("Var funktionen finns"), validators=[DataRequired(REQUIRED), Length(max=200)],
                            description=_l("Till exempel kommunledningskontoret eller en förvaltning."))
    contacts = TextAreaField(_l("Kontaktpersoner"), validators=[Length(max=2000)])
    since = DateField(_l("Gäller från"), validators=[DataRequired(BAD_DATE)], format="%Y-%m-%d")
