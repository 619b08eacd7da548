"""Forms of member administration (``views_members``)."""

from __future__ import annotations

from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from network.accounts.members import LAST_LOGIN_CHOICES, SORTS
from network.accounts.models import GroupRole, NetworkRole, OrganisationType
from network.forms import Form
from network.i18n import lazy_gettext as _l


def _any(label):
    return [("", label)]


class MemberFilterForm(Form):
    """The list's search and filters: a GET form, so links to a filtered list can be shared."""

    class Meta:
        csrf = False

    q = StringField(_l("Sök namn, e-post eller titel"), validators=[Optional()])
    organisation_id = SelectField(_l("Organisation"), choices=[], validators=[Optional()])
    organisation_type = SelectField(_l("Organisationstyp"), choices=[], validators=[Optional()])
    municipality_code = SelectField(_l("Kommun"), choices=[], validators=[Optional()])
    county_code = SelectField(_l("Län"), choices=[], validators=[Optional()])
    group_id = SelectField(_l("Grupp"), choices=[], validators=[Optional()])
    role = SelectField(_l("Roll i nätverket"), choices=[], validators=[Optional()])
    expert = SelectField(_l("Expert"), choices=[], validators=[Optional()])
    status = SelectField(_l("Status"), choices=[], validators=[Optional()])
    last_login = SelectField(_l("Senast inloggad"), choices=[], validators=[Optional()])
    sort = SelectField(_l("Sortera efter"), choices=[], validators=[Optional()])
    order = SelectField(_l("Ordning"), choices=[], validators=[Optional()])

    def __init__(self, *args, organisations=(), municipalities=(), counties=(), groups=(), **kw):
        super().__init__(*args, **kw)
        self.organisation_id.choices = _any(_l("Alla organisationer")) + [
            (str(o.id), o.name) for o in organisations]
        self.organisation_type.choices = _any(_l("Alla typer")) + [
            (t.value, t.label) for t in OrganisationType]
        self.municipality_code.choices = _any(_l("Alla kommuner")) + [
            (m.code, m.name) for m in municipalities]
        self.county_code.choices = _any(_l("Alla län")) + [(c.code, c.name) for c in counties]
        self.group_id.choices = _any(_l("Alla grupper")) + [(str(g.id), g.name) for g in groups]
        self.role.choices = _any(_l("Alla roller")) + [(r.value, r.label) for r in NetworkRole]
        self.expert.choices = _any(_l("Alla")) + [("yes", _l("Experter")),
                                                  ("no", _l("Inte experter"))]
        self.status.choices = _any(_l("Alla")) + [("active", _l("Aktiva")),
                                                  ("deactivated", _l("Inaktiverade"))]
        labels = {"never": _l("Aldrig"), "30": _l("De senaste 30 dagarna"),
                  "90": _l("De senaste 90 dagarna"), "older90": _l("Inte på 90 dagar")}
        self.last_login.choices = _any(_l("När som helst")) + [(c, labels[c]) for c in LAST_LOGIN_CHOICES]
        sort_labels = {"name": _l("Namn"), "email": _l("E-post"), "organisation": _l("Organisation"),
                       "municipality": _l("Kommun"), "role": _l("Roll i nätverket"),
                       "last_login": _l("Senast inloggad"), "created": _l("Konto skapat")}
        self.sort.choices = [(s, sort_labels[s]) for s in SORTS]
        self.order.choices = [("asc", _l("Stigande")), ("desc", _l("Fallande"))]


class NetworkRoleForm(Form):
    role = SelectField(_l("Roll i nätverket"), choices=[], validators=[DataRequired()])
    county_code = SelectField(_l("Län (för länsstyrelsepersonal)"), choices=[],
                              validators=[Optional()])

    def __init__(self, *args, counties=(), **kw):
        super().__init__(*args, **kw)
        self.role.choices = [(r.value, r.label) for r in NetworkRole]
        self.county_code.choices = _any(_l("Inget län")) + [(c.code, c.name) for c in counties]


class ExpertiseForm(Form):
    themes = SelectMultipleField(_l("Expert på"), choices=[], validators=[Optional()],
                                 widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput())

    def __init__(self, *args, themes=None, **kw):
        super().__init__(*args, **kw)
        self.themes.choices = [(key, str(label)) for key, label in (themes or {}).items()]


class AddToGroupForm(Form):
    group_id = SelectField(_l("Grupp"), choices=[], validators=[DataRequired(_l("Välj en grupp."))])
    role = SelectField(_l("Roll i gruppen"), choices=[])

    def __init__(self, *args, groups=(), **kw):
        super().__init__(*args, **kw)
        self.group_id.choices = [(str(g.id), g.name) for g in groups]
        self.role.choices = [(r.value, r.label) for r in GroupRole]


class TransferForm(Form):
    successor_id = SelectField(_l("Ny samordnare"), choices=[],
                               validators=[DataRequired(_l("Välj vem som tar över."))])

    def __init__(self, *args, candidates=(), **kw):
        super().__init__(*args, **kw)
        self.successor_id.choices = [("", _l("Välj person"))] + [
            (str(u.id), u.name) for u in candidates]


class AccountRequestForm(Form):
    """The public form. ``website`` is a honeypot: hidden from people, filled in by bots."""

    name = StringField(_l("Namn"), validators=[DataRequired(_l("Fyll i ditt namn.")),
                                               Length(max=120)])
    email = StringField(_l("E-postadress"), validators=[
        DataRequired(_l("Fyll i en e-postadress.")),
        Email(_l("Det ser inte ut som en giltig e-postadress."), check_deliverability=False),
        Length(max=254)])
    organisation_name = StringField(_l("Organisation"), validators=[
        DataRequired(_l("Fyll i din organisation.")), Length(max=200)])
    role_title = StringField(_l("Roll eller titel"), validators=[Optional(), Length(max=120)])
    municipality_code = SelectField(_l("Kommun"), choices=[], validators=[Optional()])
    reason = TextAreaField(_l("Varför vill du vara med?"), validators=[
        DataRequired(_l("Berätta kort varför du vill vara med.")), Length(max=4000)])
    website = StringField(_l("Lämna det här fältet tomt"), validators=[Optional()])

    def __init__(self, *args, municipalities=(), **kw):
        super().__init__(*args, **kw)
        self.municipality_code.choices = [("", _l("– Ingen vald –"))] + [
            (m.code, m.name) for m in municipalities]


class ApproveRequestForm(Form):
    group_id = SelectField(_l("Grupp"), choices=[], validators=[Optional()])
    group_role = SelectField(_l("Roll i gruppen"), choices=[])

    def __init__(self, *args, groups=(), **kw):
        super().__init__(*args, **kw)
        self.group_id.choices = [("", _l("– Ingen grupp –"))] + [(str(g.id), g.name) for g in groups]
        self.group_role.choices = [(r.value, r.label) for r in GroupRole]


class DeclineRequestForm(Form):
    message = TextAreaField(_l("Meddelande till den som frågade (valfritt)"),
                            validators=[Optional(), Length(max=4000)])
