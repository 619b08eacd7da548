"""Forms validate; the token service saves."""

from __future__ import annotations

from wtforms import IntegerField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from network.api.models import Scope, WebhookEvent
from network.forms import Form
from network.i18n import lazy_gettext as _l


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TokenForm(Form):
    name = StringField(_l("Namn"), validators=[DataRequired(), Length(max=80)],
                       description=_l("Vad nyckeln används till, t.ex. kommunens intranät."))
    scopes = MultiCheckboxField(_l("Behörigheter"), validators=[DataRequired()])
    days = IntegerField(_l("Giltig i antal dagar"), default=90, validators=[InputRequired()])

    def __init__(self, *args, may_followup: bool = False, max_days: int = 365, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scopes.choices = [(s.value, s.label) for s in Scope
                               if s != Scope.FOLLOWUP or may_followup]
        self.days.validators = [InputRequired(), NumberRange(1, max_days)]


class WebhookForm(Form):
    url = StringField(_l("Adress (https://)"), validators=[DataRequired(), Length(max=500)])
    events = MultiCheckboxField(_l("Händelser"), validators=[DataRequired()],
                                choices=[(e.value, e.label) for e in WebhookEvent])
