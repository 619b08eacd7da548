"""Forms for the pages around the live chat (the chat itself talks over Socket.IO)."""

from __future__ import annotations

from wtforms import HiddenField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from network.chat.models import JoinRule
from network.chat.services import MAX_TITLE_LENGTH
from network.forms import Form
from network.i18n import lazy_gettext as _l


class RoomForm(Form):
    title = StringField(_l("Namn på rummet"), validators=[
        DataRequired(_l("Ge rummet ett namn.")), Length(max=MAX_TITLE_LENGTH)])
    group_id = SelectField(_l("Grupp"), coerce=int,
                           validators=[DataRequired(_l("Välj vilken grupp rummet hör till."))])
    join_rule = RadioField(_l("Vilka får delta"), default=JoinRule.GROUP.value, choices=[
        (JoinRule.GROUP.value, _l("Alla medlemmar i gruppen")),
    ])
    # Set when the room is opened from an event occurrence's page.
    occurrence_id = HiddenField()

    def for_occurrence(self) -> None:
        """An occurrence's room may instead be limited to those registered for it."""
        self.join_rule.choices = [
            (JoinRule.REGISTERED.value, _l("Anmälda deltagare till evenemanget")),
            (JoinRule.GROUP.value, _l("Alla medlemmar i gruppen")),
        ]
