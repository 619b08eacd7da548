"""``/sok``: ranked, highlighted, access-filtered results with facets per kind."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from network import fulltext

bp = Blueprint("search", __name__, template_folder="templates")

PER_PAGE = 20
MAX_QUERY = 200
# What each feature indexes, in the order facets are shown; unknown kinds still appear.
KIND_LABELS = {
    "forum_topic": _l("Forumtrådar"),
    "forum_post": _l("Foruminlägg"),
    "resource": _l("Resurser"),
    "event": _l("Evenemang"),
    "experience": _l("Erfarenhetsrapporter"),
    "measure": _l("Åtgärder i åtgärdsplaner"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind.replace("_", " ").capitalize()))


def _day(name: str, end: bool = False) -> tuple[dt.date | None, dt.datetime | None]:
    try:
        day = dt.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None, None
    moment = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time.min, tzinfo=dt.UTC)
    return day, moment


@bp.get("/sok")
def index():
    q = request.args.get("q", "").strip()[:MAX_QUERY]
    kind = request.args.get("typ", "").strip()[:32]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    since_day, since = _day("fran")
    until_day, until = _day("till", end=True)
    facets = fulltext.kind_counts(current_user, q, since=since, until=until) if q else {}
    ordered = sorted(facets.items(), key=lambda kv: (list(KIND_LABELS).index(kv[0])
                                                      if kv[0] in KIND_LABELS else 99, kv[0]))
    results = fulltext.search(current_user, q, kinds=[kind] if kind else None, since=since, until=until,
                              page=page, per_page=PER_PAGE) if q else None
    params = {k: v for k, v in {"q": q, "typ": kind, "fran": request.args.get("fran") if since_day else None,
                                "till": request.args.get("till") if until_day else None}.items() if v}
    return render_template("search/index.html", q=q, kind=kind, facets=ordered,
                           total=sum(facets.values()), results=results, kind_label=kind_label,
                           since=since_day, until=until_day, params=params)
