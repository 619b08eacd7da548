"""``/sok``: ranked, highlighted, access-filtered results with facets per kind."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from flask import Blueprint, render_template, request
from flask_login import current_user

from network import fulltext
from network.i18n import lazy_gettext as _l

bp = Blueprint("search", __name__, template_folder="templates")

PER_PAGE = 20
MAX_QUERY = 200
CODE = re.compile(r"^[0-9a-z_]{1,32}$")
# What each feature indexes, in the order facets are shown; unknown kinds still appear.
KIND_LABELS = {
    "forum_topic": _l("Forumtrådar"),
    "forum_post": _l("Foruminlägg"),
    "resource": _l("Resurser"),
    "event": _l("Evenemang"),
    "experience": _l("Erfarenhetsrapporter"),
    "measure": _l("Åtgärder i åtgärdsplaner"),
}
FORUM_KINDS = ("forum_topic", "forum_post")


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind.replace("_", " ").capitalize()))


def theme_choices() -> dict[str, list[str]]:
    """{label: codes}: the library and follow-up tag themes with their own codes, and a few
    themes have a code in each ("situationell" / "situationell_prevention"); one choice finds both."""
    from network.followup.labels import THEMES as FOLLOWUP
    from network.resources.models import THEMES as RESOURCES

    choices: dict[str, list[str]] = {}
    for code, label in [*FOLLOWUP.items(), *RESOURCES.items()]:
        choices.setdefault(str(label), []).append(str(code))
    return dict(sorted(choices.items()))


@dataclass
class HitGroup:
    """Hits sharing one title on a page (a topic and its replies): the title is shown once."""

    lead: fulltext.Hit
    more: list[fulltext.Hit] = field(default_factory=list)


def group_hits(hits: list[fulltext.Hit]) -> list[HitGroup]:
    groups: dict[tuple[str, str], HitGroup] = {}
    for hit in hits:
        family = "forum" if hit.entry.kind in FORUM_KINDS else hit.entry.kind
        key = (family, hit.entry.title.strip().casefold())
        if key in groups:
            groups[key].more.append(hit)
        else:
            groups[key] = HitGroup(hit)
    return list(groups.values())


def _day(name: str, end: bool = False) -> tuple[dt.date | None, dt.datetime | None]:
    try:
        day = dt.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None, None
    moment = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time.min, tzinfo=dt.UTC)
    return day, moment


def _code(name: str) -> str:
    value = request.args.get(name, "").strip()
    return value if CODE.match(value) else ""


@bp.get("/sok")
def index():
    q = fulltext.query.UNSAFE.sub(" ", request.args.get("q", "")).strip()[:MAX_QUERY]
    kind, theme, municipality = _code("typ"), _code("tema"), _code("kommun")
    page = max(1, request.args.get("page", 1, type=int) or 1)
    since_day, since = _day("fran")
    until_day, until = _day("till", end=True)
    themes = theme_choices()
    theme_codes = next((codes for codes in themes.values() if theme in codes), None) if theme else None
    results = fulltext.search(current_user, q, kind=kind or None, since=since, until=until,
                              theme=theme_codes, municipality=municipality or None,
                              page=page, per_page=PER_PAGE) if q else None
    facets = results.kind_counts if results else {}
    ordered = sorted(facets.items(), key=lambda kv: (list(KIND_LABELS).index(kv[0])
                                                      if kv[0] in KIND_LABELS else 99, kv[0]))
    params = {k: v for k, v in {"q": q, "typ": kind, "tema": theme, "kommun": municipality,
                                "fran": request.args.get("fran") if since_day else None,
                                "till": request.args.get("till") if until_day else None}.items() if v}
    return render_template("search/index.html", q=q, kind=kind, facets=ordered,
                           total=sum(facets.values()), results=results, kind_label=kind_label,
                           groups=group_hits(results.hits) if results else [],
                           themes=themes, theme=theme, municipality=municipality,
                           since=since_day, until=until_day, params=params,
                           cap=fulltext.COUNT_CAP)
