"""Forms validate; views hand the clean data to services."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from network.accounts.models import (
    ClassificationLevel,
    EmailPreference,
    GroupKind,
    GroupRole,
    GroupVisibility,
    OrganisationType,
)
from network.accounts.passwords import MIN_LENGTH
from network.forms import Form
from network.i18n import lazy_gettext as _l


def _email_field(label=None):
    return EmailField(label or _l("E-postadress"), validators=[
        DataRequired(_l("Fyll i en e-postadress.")),
        Email(_l("Det ser inte ut som en giltig e-postadress."), check_deliverability=False),
        Length(max=254, message=_l("E-postadressen är för lång."))])


def _new_password_fields(label=None):
    password = PasswordField(label or _l("Nytt lösenord"), validators=[
        DataRequired(_l("Välj ett lösenord.")),
        Length(min=MIN_LENGTH, max=1024,
               message=_l("Lösenordet måste ha minst %(n)d tecken.", n=MIN_LENGTH))])
    confirm = PasswordField(_l("Upprepa lösenordet"), validators=[
        DataRequired(_l("Upprepa lösenordet.")),
        EqualTo("password", _l("Lösenorden är inte likadana."))])
    return password, confirm


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class LoginForm(Form):
    email = EmailField(_l("E-postadress"), validators=[
        DataRequired(_l("Fyll i din e-postadress.")),
        Email(_l("Det ser inte ut som en giltig e-postadress."), check_deliverability=False),
        Length(max=254)])
    password = PasswordField(_l("Lösenord"), validators=[DataRequired(_l("Fyll i ditt lösenord.")),
                                                         Length(max=1024)])
    remember = BooleanField(_l("Kom ihåg mig på den här datorn"))
    next = HiddenField()


class InviteForm(Form):
    email = _email_field()
    organisation_id = SelectField(_l("Organisation"), coerce=_optional_int, validate_choice=True)
    group_id = SelectField(_l("Grupp"), coerce=_optional_int, validate_choice=True)
    group_role = RadioField(_l("Roll i gruppen"), default=GroupRole.MEMBER.value,
                            choices=[])

    def __init__(self, *args, organisations=(), groups=(), group_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = [("", _l("– Ingen vald –"))] + [
            (o.id, o.name) for o in organisations]
        none = [] if group_required else [("", _l("– Ingen grupp –"))]
        self.group_id.choices = none + [(g.id, g.name) for g in groups]
        self.group_role.choices = [(r.value, r.label) for r in GroupRole]
        self._group_required = group_required

    def validate_group_id(self, field):
        if self._group_required and field.data is None:
            raise ValidationError(_l("Välj en grupp."))


class AcceptInvitationForm(Form):
    name = StringField(_l("Namn"), validators=[DataRequired(_l("Fyll i ditt namn.")),
                                               Length(max=120)])
    title = StringField(_l("Titel eller roll"), validators=[Optional(), Length(max=120)])
    phone = TelField(_l("Telefon (frivilligt)"), validators=[Optional(), Length(max=40)])
    password, confirm = _new_password_fields(_l("Lösenord"))


class ForgotPasswordForm(Form):
    email = _email_field()


class ResetPasswordForm(Form):
    password, confirm = _new_password_fields()


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Nuvarande lösenord"), validators=[
        DataRequired(_l("Fyll i ditt nuvarande lösenord.")), Length(max=1024)])
    password, confirm = _new_password_fields()


class ProfileForm(Form):
    name = StringField(_l("Namn"), validators=[DataRequired(_l("Fyll i ditt namn.")),
                                               Length(max=120)])
    email = _email_field()
    title = StringField(_l("Titel eller roll"), validators=[Optional(), Length(max=120)])
    organisation_id = SelectField(_l("Organisation"), coerce=_optional_int, validate_choice=True)
    phone = TelField(_l("Telefon (frivilligt)"), validators=[Optional(), Length(max=40)])
    show_email = BooleanField(_l("Visa min e-postadress för andra medlemmar"))
    show_phone = BooleanField(_l("Visa mitt telefonnummer för andra medlemmar"))
    email_notifications = RadioField(_l("Notiser via e-post"),
                                     choices=[])
    locale = SelectField(_l("Språk"), choices=[("sv", "Svenska"), ("en", "English")])

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = [("", _l("– Ingen vald –"))] + [
            (o.id, o.name) for o in organisations]
        self.email_notifications.choices = [(p.value, p.label) for p in EmailPreference]


class DeleteAccountForm(Form):
    password = PasswordField(_l("Ditt lösenord"), validators=[
        DataRequired(_l("Fyll i ditt lösenord för att bekräfta.")), Length(max=1024)])
    confirm = BooleanField(_l("Jag förstår att mitt konto tas bort och inte kan återställas"),
                           validators=[DataRequired(_l("Bekräfta att kontot ska tas bort."))])


class DeleteSsoAccountForm(DeleteAccountForm):
    """For an account without a password (single sign-on only): the address confirms it."""

    password = StringField(_l("Skriv din e-postadress för att bekräfta"), validators=[
        DataRequired(_l("Skriv din e-postadress för att bekräfta.")), Length(max=320)],
        render_kw={"autocomplete": "off", "spellcheck": "false"})


class OrganisationForm(Form):
    name = StringField(_l("Namn"), validators=[DataRequired(_l("Fyll i ett namn.")),
                                               Length(max=200)])
    type = SelectField(_l("Typ"), choices=[])
    municipality_code = SelectField(_l("Kommun"), validate_choice=True)
    county_code = SelectField(_l("Län"), validate_choice=True)

    def __init__(self, *args, municipalities=(), counties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = [(t.value, t.label) for t in OrganisationType]
        self.municipality_code.choices = [("", _l("– Ingen –"))] + [
            (m.code, m.name) for m in municipalities]
        self.county_code.choices = [("", _l("– Följer kommunen –"))] + [
            (c.code, c.name) for c in counties]


class ParticipationForm(Form):
    participating = BooleanField(_l("Kommunen deltar i programmet"))
    since = DateField(_l("Datum då kommunen gick med"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        # Optional() ends the field's own chain on an empty date, so the rule lives here.
        ok = super().validate(extra_validators)
        if ok and self.participating.data and self.since.data is None:
            self.since.errors = [*self.since.errors, _l("Ange datumet då kommunen gick med.")]
            return False
        return ok


class AreaForm(Form):
    name = StringField(_l("Områdets namn"), validators=[DataRequired(_l("Fyll i ett namn.")),
                                                        Length(max=120)])
    description = TextAreaField(_l("Beskrivning"), validators=[Optional(), Length(max=5000)])


class ClassificationForm(Form):
    year = IntegerField(_l("År"), validators=[
        InputRequired(_l("Ange ett år.")),
        NumberRange(2000, 2100, _l("Ange ett år mellan %(min)s och %(max)s."))])
    level = SelectField(_l("Nivå"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = [(lvl.value, lvl.label) for lvl in ClassificationLevel]


class GroupForm(Form):
    name = StringField(_l("Namn"), validators=[DataRequired(_l("Fyll i ett namn.")),
                                               Length(max=160)])
    kind = RadioField(_l("Typ av grupp"), choices=[],
                      default=GroupKind.LOCAL.value)
    municipality_code = SelectField(_l("Kommun (för lokala grupper)"), validate_choice=True)
    visibility = RadioField(_l("Synlighet"), default=GroupVisibility.MEMBERS.value,
                            choices=[])
    description = TextAreaField(_l("Beskrivning"), validators=[Optional(), Length(max=5000)])

    def __init__(self, *args, municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k.value, k.label) for k in GroupKind]
        self.visibility.choices = [(v.value, v.label) for v in GroupVisibility]
        self.municipality_code.choices = [("", _l("– Ingen –"))] + [
            (m.code, m.name) for m in municipalities]

    def validate_municipality_code(self, field):
        if self.kind.data == GroupKind.LOCAL.value and not field.data:
            raise ValidationError(_l("En lokal samverkansgrupp behöver en kommun."))


class AddMemberForm(Form):
    email = _email_field(_l("E-postadress till en befintlig medlem"))
    role = RadioField(_l("Roll"), default=GroupRole.MEMBER.value,
                      choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [(r.value, r.label) for r in GroupRole]


class RoleForm(Form):
    role = SelectField(_l("Roll"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [(r.value, r.label) for r in GroupRole]
