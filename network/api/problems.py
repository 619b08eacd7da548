"""Errors as RFC 9457 problem details (``application/problem+json``), in Swedish or English.

Every answer that is not a success goes through ``problem()``: one shape for validation errors,
unknown paths, refused tokens, missing permissions and rate limits, so a client handles them in
one place. ``type`` is a stable URI per kind of problem; ``title`` and ``detail`` follow the
caller's ``Accept-Language`` (Swedish unless English is preferred).
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, json, request

from network.i18n import get_locale
from network.i18n import lazy_gettext as _l

PROBLEM_MIMETYPE = "application/problem+json"
TYPE_BASE = "https://natverket.example/problems/"

TITLES = {
    "bad-request": (400, _l("Felaktig begäran")),
    "invalid-parameters": (400, _l("Ogiltiga parametrar")),
    "invalid-cursor": (400, _l("Ogiltig markör")),
    "token-in-query": (400, _l("Nyckeln får inte stå i adressen")),
    "unauthorized": (401, _l("Inloggning krävs")),
    "invalid-token": (401, _l("Ogiltig nyckel")),
    "insufficient-scope": (403, _l("Nyckeln saknar behörighet")),
    "forbidden": (403, _l("Åtkomst nekad")),
    "not-found": (404, _l("Hittades inte")),
    "method-not-allowed": (405, _l("Metoden är inte tillåten")),
    "not-acceptable": (406, _l("Formatet kan inte levereras")),
    "conflict": (409, _l("Kan inte genomföras")),
    "too-large": (413, _l("För stor begäran")),
    "unsupported-media-type": (415, _l("Fel innehållstyp")),
    "rate-limited": (429, _l("För många anrop")),
    "server-error": (500, _l("Något gick fel")),
}
BY_STATUS = {status: kind for kind, (status, _t) in reversed(list(TITLES.items()))}


class Problem(Exception):
    """Raise inside an API view; the blueprint answers with the problem document."""

    def __init__(self, kind: str, detail: Any = None, *, errors: dict | None = None,
                 headers: dict | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


def problem(kind: str, detail: Any = None, *, errors: dict | None = None,
            headers: dict | None = None) -> Response:
    status, title = TITLES[kind]
    body: dict[str, Any] = {
        "type": TYPE_BASE + kind,
        "title": str(title),
        "status": status,
        "detail": str(detail) if detail is not None else str(title),
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status,
                                          mimetype=PROBLEM_MIMETYPE)
    response.headers["Content-Language"] = str(get_locale() or "sv")
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_status(status: int, detail: Any = None, headers: dict | None = None) -> Response:
    return problem(BY_STATUS.get(status, "server-error" if status >= 500 else "bad-request"),
                   detail, headers=headers)
