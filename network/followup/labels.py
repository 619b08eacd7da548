"""Swedish labels (msgids) for the follow-up vocabularies, shared by pages and exports."""

from __future__ import annotations

from network.accounts.models import ClassificationLevel, OrganisationType
from network.followup.models import MeasureStatus, ReportStatus, SizeClass, SupportForm, Theme
from network.i18n import lazy_gettext as _l

THEMES = {
    Theme.NYREKRYTERING: _l("Nyrekrytering till kriminella nätverk"),
    Theme.GROVT_VALD: _l("Grovt våld"),
    Theme.ORDNINGSSTORNINGAR: _l("Ordningsstörningar i offentlig miljö"),
    Theme.TRYGGHET: _l("Trygghet"),
    Theme.SITUATIONELL: _l("Situationell prevention"),
    Theme.FORALDRASKAPSSTOD: _l("Föräldraskapsstöd"),
    Theme.SAMVERKAN: _l("Samverkan"),
    Theme.NARKOTIKA: _l("Narkotika"),
    Theme.OVRIGT: _l("Övrigt"),
}

STATUSES = {
    MeasureStatus.PLANNED: _l("Planerad"),
    MeasureStatus.ONGOING: _l("Pågår"),
    MeasureStatus.FINISHED: _l("Avslutad"),
    MeasureStatus.CANCELLED: _l("Avbruten"),
}

SUPPORT_FORMS = {
    SupportForm.ADVICE: _l("Rådgivning"),
    SupportForm.WORKSHOP: _l("Workshop"),
    SupportForm.EXPERT: _l("Experthjälp"),
    SupportForm.METHOD: _l("Metodstöd"),
}

SIZE_CLASSES = {
    SizeClass.SMALL: _l("Under 15 000 invånare"),
    SizeClass.MEDIUM: _l("15 000–50 000 invånare"),
    SizeClass.LARGE: _l("50 000–200 000 invånare"),
    SizeClass.CITY: _l("Över 200 000 invånare"),
}

REPORT_STATUSES = {
    ReportStatus.DRAFT: _l("Utkast"),
    ReportStatus.IN_REVIEW: _l("Väntar på granskning"),
    ReportStatus.APPROVED: _l("Granskad, ej publicerad"),
    ReportStatus.PUBLISHED: _l("Publicerad"),
}

LEVELS = {
    ClassificationLevel.SARSKILT_UTSATT: _l("Särskilt utsatt område"),
    ClassificationLevel.RISK: _l("Riskområde"),
    ClassificationLevel.UTSATT: _l("Utsatt område"),
    ClassificationLevel.NONE: _l("Inte klassat"),
}

ORG_TYPES = {
    OrganisationType.KOMMUN: _l("Kommun/socialtjänst"),
    OrganisationType.POLIS: _l("Polis"),
    OrganisationType.LANSSTYRELSE: _l("Länsstyrelse"),
    OrganisationType.REGION: _l("Region"),
    OrganisationType.BOSTADSBOLAG: _l("Bostadsbolag"),
    OrganisationType.FASTIGHETSAGARE: _l("Fastighetsägare"),
    OrganisationType.SKOLA: _l("Skola"),
    OrganisationType.CIVILSAMHALLE: _l("Civilsamhälle"),
    OrganisationType.MYNDIGHET: _l("Myndighet"),
    OrganisationType.OVRIGT: _l("Övrigt"),
}

DIRECTIONS = {"up": _l("Ska öka"), "down": _l("Ska minska"), "hold": _l("Ska hållas")}


def label(mapping: dict, value) -> str:
    """The label for a stored value, or the value itself if the vocabulary no longer has it."""
    try:
        return str(mapping[value])
    except KeyError:
        return str(value)


def choices(mapping: dict) -> list[tuple[str, str]]:
    return [(key.value, str(text)) for key, text in mapping.items()]
