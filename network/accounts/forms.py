from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Email, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-postadress"), validators=[
        DataRequired(_l("Fyll i din e-postadress.")),
        Email(_l("Det ser inte ut som en giltig e-postadress."), check_deliverability=False),
        Length(max=254)])
    password = PasswordField(_l("Lösenord"), validators=[DataRequired(_l("Fyll i ditt lösenord.")),
                                                         Length(max=1024)])
    remember = BooleanField(_l("Kom ihåg mig på den här datorn"))
    next = HiddenField()
