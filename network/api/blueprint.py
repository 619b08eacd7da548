"""The ``/api/v1`` blueprint, its operation registry and its problem-details error handling."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request
from werkzeug.exceptions import HTTPException

from network.api.problems import Problem, from_status, problem
from network.api.routing import Operation, operation
from network.i18n import lazy_gettext as _l

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX, template_folder="templates")
OPERATIONS: list[Operation] = []


def api_operation(rule: str, method: str = "GET", **options: Any):
    return operation(bp, OPERATIONS, rule, method, **options)


@bp.errorhandler(Problem)
def _problem(error: Problem):
    from network.extensions import db

    if request.method != "GET":
        db.session.rollback()
    return problem(error.kind, error.detail, errors=error.errors, headers=error.headers)


@bp.errorhandler(PermissionError)
def _denied(error: PermissionError):
    # A service refused (``check_access``): nothing was changed.
    from network.extensions import db

    db.session.rollback()
    return problem("forbidden", _l("Du har inte behörighet att göra detta."))


@bp.errorhandler(HTTPException)
def _http(error: HTTPException):
    keep = {k: v for k, v in error.get_headers() if k.lower() in {"allow", "retry-after"}}
    if error.code == 429:
        return problem("rate-limited", _l("För många anrop på kort tid. Vänta och försök igen."),
                       headers=keep)
    return from_status(error.code or 500, headers=keep)


@bp.route("/<path:unknown>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(unknown: str):
    """Unknown paths under /api/v1 answer in problem details too (404, or 405 with Allow)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            rule, _args = adapter.match(request.path, method=method, return_rule=True)
        except HTTPException:
            continue
        if rule.endpoint != "api.not_found":
            allowed.append(method)
    if allowed:
        return problem("method-not-allowed", headers={"Allow": ", ".join(allowed)})
    return problem("not-found", _l("Det finns ingen sådan adress i API:et."))
