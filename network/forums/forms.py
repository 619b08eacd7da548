from __future__ import annotations

import re
import uuid

from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from network.forms import Form
from network.i18n import lazy_gettext as _l
from network.markdown import MAX_LENGTH, MAX_NESTING, nesting_depth

CLIENT_KEY = re.compile(r"^[A-Za-z0-9-]{16,64}$")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value):
    """Drop control characters (PostgreSQL refuses NUL) and normalise line endings."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _strip(value):
    value = clean_text(value)
    return value.strip() if isinstance(value, str) else value


def valid_body(form, field) -> None:
    text = field.data or ""
    if not text.strip():
        raise ValidationError(_l("Skriv något i inlägget."))
    if len(text) > MAX_LENGTH:
        raise ValidationError(_l("Inlägget får vara högst %(max)s tecken långt (det är %(n)s).",
                                 max=f"{MAX_LENGTH:,}".replace(",", " "),
                                 n=f"{len(text):,}".replace(",", " ")))
    if nesting_depth(text) > MAX_NESTING:
        raise ValidationError(_l("Citat och listor får vara inbäddade i högst %(max)s nivåer.",
                                 max=MAX_NESTING))


class BodyField(TextAreaField):
    """The Markdown textarea. The length check is a validator so the message is ours."""


def new_client_key() -> str:
    return str(uuid.uuid4())


class ResourceIdsField(SelectMultipleField):
    """Resource ids from a list the view fills with what the user may see (or has attached).

    Anything else (a tampered id, a resource the user cannot see) is refused with our message.
    """

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, coerce=int, **kwargs)

    def process_formdata(self, valuelist) -> None:
        self.data = [int(v) for v in valuelist if str(v).isdigit() and len(str(v)) < 10]
        self._invalid = len(self.data) != len(valuelist)

    def pre_validate(self, form) -> None:
        offered = {value for value, _label in self.choices or []}
        if getattr(self, "_invalid", False) or any(v not in offered for v in self.data or []):
            raise ValidationError(_l("Välj bara material ur listan."))


class CheckboxIdsField(ResourceIdsField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AttachmentFields:
    """Files to upload and library resources to link, on every form that writes a post."""

    files = MultipleFileField(_l("Bifoga filer"))
    library = ResourceIdsField(_l("Bifoga material från biblioteket"), choices=[],
                               render_kw={"size": 6})


class PostFormBase(AttachmentFields, Form):
    body = BodyField(_l("Inlägg"), validators=[valid_body], filters=[clean_text],
                     render_kw={"rows": 10, "data-mentions": "true"})
    # A random key per rendered form: a double-click submits it twice and gets one post.
    client_key = HiddenField(default=new_client_key)

    def validate_client_key(self, field) -> None:
        if field.data and not CLIENT_KEY.match(field.data):
            field.data = None


class TopicForm(PostFormBase):
    title = StringField(_l("Rubrik"), filters=[_strip], validators=[
        DataRequired(_l("Skriv en rubrik.")),
        Length(min=3, max=200, message=_l("Rubriken ska vara 3–200 tecken."))])


class ReplyForm(PostFormBase):
    reply_to = HiddenField()


class EditPostForm(AttachmentFields, Form):
    title = StringField(_l("Rubrik"), filters=[_strip], validators=[
        Optional(), Length(min=3, max=200, message=_l("Rubriken ska vara 3–200 tecken."))])
    body = BodyField(_l("Inlägg"), validators=[valid_body], filters=[clean_text],
                     render_kw={"rows": 12})
    remove = CheckboxIdsField(_l("Ta bort bilagor"), choices=[])


class FlagForm(Form):
    reason = RadioField(_l("Varför ska inlägget granskas?"), choices=[
        ("inappropriate", _l("Olämpligt eller kränkande")),
        ("personal_data", _l("Innehåller känsliga personuppgifter")),
        ("spam", _l("Reklam eller skräp")),
        ("other", _l("Annat")),
    ], validators=[DataRequired(_l("Välj ett skäl."))])
    note = TextAreaField(_l("Kommentar till moderatorerna (valfri)"), filters=[clean_text],
                         validators=[Length(max=1000)], render_kw={"rows": 3})


class CategoryForm(Form):
    name = StringField(_l("Namn"), filters=[_strip], validators=[
        DataRequired(_l("Ge kategorin ett namn.")), Length(max=120)])
    description = TextAreaField(_l("Beskrivning"), validators=[Length(max=2000)],
                                filters=[clean_text],
                                render_kw={"rows": 3})
    visibility = SelectField(_l("Vem kan läsa"), choices=[])
    is_qa = BooleanField(_l("Rådgivning: frågor där ett svar kan markeras som lösning"))
    # Choices: "" (none) and the library's themes, set by the view (``theme_choices``).
    theme = SelectField(_l("Tema för frågor till experter"), choices=[],
                        validators=[Optional()])

    def theme_choices(self, themes: dict) -> None:
        self.theme.choices = [("", _l("Inget tema"))] + [(k, str(v)) for k, v in themes.items()]


class MoveForm(Form):
    category = SelectField(_l("Flytta till kategori"), coerce=int, choices=[])


class SearchForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Sök i forumet"), filters=[_strip], validators=[Length(max=200)])
    group = SelectField(_l("Grupp"), coerce=int, choices=[], validate_choice=False, default=0)
    since = DateField(_l("Från och med"), validators=[Optional()])
    until = DateField(_l("Till och med"), validators=[Optional()])
    page = IntegerField(default=1, validators=[Optional()])
