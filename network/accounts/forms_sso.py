"""Single sign-on's one form: the domain whose password login an administrator turns off."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from network.forms import Form
from network.i18n import lazy_gettext as _l


class PasswordLoginBlockForm(Form):
    domain = StringField(_l("E-postdomän"), validators=[DataRequired(), Length(max=253)],
                         description=_l("Till exempel malmo.se. Adresser på domänen loggar då bara "
                                        "in med en inloggningstjänst som tar emot dem."))
