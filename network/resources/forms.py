"""Forms validate; the views hand clean data to the services."""

from __future__ import annotations

from wtforms import (
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from network.forms import Form
from network.i18n import lazy_gettext as _l
from network.resources.models import LANGUAGES, LICENCES, THEMES, TYPE_LABELS


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


VISIBILITY_CHOICES = [
    ("public", _l("Alla, även besökare utan konto (granskas först)")),
    ("members", _l("Alla medlemmar i nätverket")),
    ("group", _l("Bara gruppens medlemmar")),
]


class ResourceForm(Form):
    title = StringField(_l("Titel"), validators=[DataRequired(_l("Ange en titel.")), Length(max=300)])
    summary = TextAreaField(_l("Sammanfattning"), validators=[Length(max=5000)])
    type = SelectField(_l("Typ"), choices=[(k.value, v) for k, v in TYPE_LABELS.items()])
    themes = MultiCheckboxField(_l("Teman"), choices=list(THEMES.items()))
    group_id = SelectField(_l("Grupp"), coerce=_optional_int, validate_choice=True)
    organisation_id = SelectField(_l("Organisation"), coerce=_optional_int)
    municipalities = SelectMultipleField(_l("Kommuner"))
    areas = SelectMultipleField(_l("Områden"), coerce=int)
    language = SelectField(_l("Språk"), choices=list(LANGUAGES.items()), default="sv")
    licence = SelectField(_l("Licens"), choices=list(LICENCES.items()), default="alla-rattigheter")
    year = IntegerField(_l("Utgivningsår"), validators=[Optional(), NumberRange(1990, 2100)])
    visibility = RadioField(_l("Vem får se resursen?"), choices=VISIBILITY_CHOICES, default="members")
    external_url = URLField(_l("Länk (för film eller webbsida)"),
                            validators=[Optional(), URL(message=_l("Ange en giltig webbadress.")),
                                        Length(max=1000)])
    files = MultipleFileField(_l("Filer"))
    change_note = StringField(_l("Kommentar till versionen"), validators=[Length(max=500)])

    def validate_visibility(self, field) -> None:
        if field.data == "group" and not self.group_id.data:
            raise ValidationError(_l("Välj en grupp för material som bara gruppen ska se."))


class EditResourceForm(ResourceForm):
    """The same fields without files; new files come as a new version."""

    files = None
    change_note = None
    group_id = None

    def validate_visibility(self, field) -> None:
        return None


class VersionForm(Form):
    files = MultipleFileField(_l("Filer"), validators=[DataRequired(_l("Välj minst en fil."))])
    change_note = StringField(_l("Vad har ändrats?"),
                              validators=[DataRequired(_l("Beskriv kort vad som har ändrats.")),
                                          Length(max=500)])


class RejectForm(Form):
    note = TextAreaField(_l("Motivering till den som laddade upp"), validators=[Length(max=2000)])


class OverrideForm(Form):
    """An admin publishes without a review by someone else; the reason is kept and audited."""

    reason = TextAreaField(_l("Varför publiceras resursen utan granskning av någon annan?"),
                           validators=[DataRequired(_l("Skriv varför granskningen hoppas över.")),
                                       Length(min=10, max=2000,
                                              message=_l("Skriv minst 10 och högst 2000 tecken."))])


class ResourcePickerField(SelectField):
    """Pick one existing resource the user may see. Fill with ``picker_choices(user)``.

    ``form.resource.choices = [("", _("Välj…"))] + services.picker_choices(current_user)``;
    validation accepts only offered ids, so a hidden resource can never be picked.
    """

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label or _l("Resurs från biblioteket"), validators, coerce=_optional_int,
                         **kwargs)
