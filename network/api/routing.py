"""One decorator per endpoint: the route, its parameters, its answer and its OpenAPI entry.

``@operation(...)`` registers the Flask route and records what ``openapi.py`` publishes, from the
same marshmallow schemas that parse the request and shape the answer: the document cannot drift
from the code. Every operation identifies the caller, checks the token scope, refuses unknown or
ill-typed parameters, answers JSON with an ``ETag`` (``304`` when it still matches) and counts
against the caller's rate limit (``ratelimit.py``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, wraps
from typing import Any

import orjson
from flask import Blueprint, current_app, g, request
from flask_limiter import ExemptionScope
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from network.api import ratelimit
from network.api.auth import identify, require_scope
from network.api.problems import Problem
from network.extensions import installation_key, limiter
from network.i18n import lazy_gettext as _l
from network.loaders import MAX_ID

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


@dataclass
class Operation:
    rule: str
    method: str
    endpoint: str
    summary: str
    tag: str
    scope: str | None
    query: type[Schema] | None
    body: type[Schema] | None
    body_type: str
    response: type[Schema] | None
    paginated: bool
    statuses: tuple[int, ...]
    description: str = ""
    extra: dict = field(default_factory=dict)


def _rate_key() -> str:
    return installation_key("api:" + identify().rate_key())


class PageArgs(Schema):
    """Cursor pagination: ``limit`` items after ``cursor`` (from the previous page's ``next``)."""

    class Meta:
        unknown = RAISE

    limit = fields.Integer(load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(1, MAX_PAGE_SIZE),
                           metadata={"description": f"Items per page, at most {MAX_PAGE_SIZE}."})
    cursor = fields.String(validate=validate.Length(1, 200),
                           metadata={"description": "Opaque: the `next` of the previous page."})


def encode_cursor(position: list) -> str:
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, types: tuple[type, ...]) -> list | None:
    """The position a cursor names, checked against the expected types; Problem if malformed."""
    if cursor is None:
        return None
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        position = None
    if (not isinstance(position, list) or len(position) != len(types)
            or not all(isinstance(v, t) and not isinstance(v, bool) for v, t in zip(position, types,
                                                                                     strict=True))
            or any(isinstance(v, int) and abs(v) > MAX_ID for v in position)):
        raise Problem("invalid-cursor", _l("Markören känns inte igen. Börja om från första sidan."))
    return position


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


@cache
def _schema(schema_cls: type[Schema]) -> Schema:
    """One instance per schema class: building one copies every declared field, a fixed cost per
    call; marshmallow's ``load`` and ``dump`` keep no state on the instance."""
    return schema_cls()


@cache
def _list_fields(schema_cls: type[Schema] | None) -> frozenset[str]:
    return frozenset(name for name, f in (schema_cls._declared_fields.items() if schema_cls else ())
                     if isinstance(f, fields.List))


def _load(schema_cls: type[Schema] | None, data: Any, where: str) -> dict:
    if schema_cls is None:
        if where == "query" and data:
            raise Problem("invalid-parameters", _l("Anropet tar inga parametrar."),
                          errors={k: ["Unknown field."] for k in data})
        return {}
    try:
        return _schema(schema_cls).load(data)
    except ValidationError as error:
        raise Problem("invalid-parameters", _l("Kontrollera parametrarna."),
                      errors=error.normalized_messages()) from None


def _query_data(schema_cls: type[Schema] | None) -> dict:
    multi = _list_fields(schema_cls)
    return {k: (request.args.getlist(k) if k in multi else request.args.get(k)) for k in request.args}


def _body_data(body_type: str) -> dict:
    if body_type == "multipart":
        if not request.mimetype.startswith("multipart/form-data"):
            raise Problem("unsupported-media-type", _l("Skicka multipart/form-data."))
        data: dict[str, Any] = dict(request.form.items())
        for name in request.files:
            data[name] = request.files.getlist(name)
        return data
    if not request.is_json:
        raise Problem("unsupported-media-type", _l("Skicka application/json."))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Problem("bad-request", _l("Innehållet ska vara ett JSON-objekt."))
    return data


class Shaped(list):
    """Items a feature already built in the response schema's shape from plain rows (e.g. the
    library's catalogue), so the handler does not dump them again. The same schema documents them
    and the OpenAPI tests check the answers against it."""


# The json module's compact UTF-8 output: dates and dataclasses (none are expected: schemas dump
# text) go through ``str`` as ``json.dumps(default=str)`` did. Beside speed orjson differs only in
# numbers below 1e-4, written in decimal (0.00001, not 1e-05: the same value), and NaN/Infinity,
# written as null (json.dumps wrote NaN, which is not JSON).
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS


def encode(payload: Any) -> bytes:
    return orjson.dumps(payload, default=str, option=_ORJSON_OPTIONS)


def respond(payload: Any, status: int = 200) -> Any:
    """JSON with a strong ETag of its bytes; 304 when the caller already has them."""
    body = encode(payload)
    response = current_app.response_class(body, status=status, mimetype="application/json")
    if request.method == "GET":
        response.set_etag(hashlib.sha256(body).hexdigest()[:32])
        # Who asks changes the answer: never shared by a proxy, always revalidated.
        response.headers["Cache-Control"] = "private, no-cache"
        response.vary.update(("Authorization", "Cookie", "Accept-Language"))
        response.make_conditional(request)
    return response


def operation(bp: Blueprint, registry: list[Operation], rule: str, method: str = "GET", *,
              summary: str, tag: str, scope: str | None = "read", query: type[Schema] | None = None,
              body: type[Schema] | None = None, body_type: str = "json",
              response: type[Schema] | None = None, paginated: bool = False,
              statuses: tuple[int, ...] = (), description: str = "", status: int = 200) -> Callable:
    """Register ``view(caller, args, [body,] **url_values) -> data`` as an API endpoint."""

    def decorator(view: Callable) -> Callable:
        endpoint = f"{bp.name}.{view.__name__}"
        registry.append(Operation(
            rule=rule, method=method, endpoint=endpoint, summary=summary,
            tag=tag, scope=scope, query=query, body=body, body_type=body_type, response=response,
            paginated=paginated, statuses=statuses, description=description or (view.__doc__ or ""),
            extra={"status": status}))

        @wraps(view)
        def handler(**url_values: Any) -> Any:
            ratelimit.hit(endpoint, _rate_key())  # each endpoint counts apart, as it always has
            caller = identify()
            require_scope(caller, scope)
            args = _load(query, _query_data(query), "query")
            kwargs = dict(url_values)
            if body is not None:
                kwargs["body"] = _load(body, _body_data(body_type), "body")
            g.api_operation = rule
            result = view(caller, args, **kwargs)
            if isinstance(result, current_app.response_class):
                return result
            if response is not None:
                if paginated:
                    items, next_cursor = result
                    if not isinstance(items, Shaped):
                        items = _schema(response).dump(items, many=True)
                    result = {"items": items, "next": next_cursor}
                else:
                    result = _schema(response).dump(result)
            return respond(result, status)

        # The API's own limit replaces Flask-Limiter's defaults, as a decorated limit did.
        limiter.exempt(handler, flags=ExemptionScope.DEFAULT)
        bp.add_url_rule(rule, view.__name__, handler, methods=[method])
        return handler

    return decorator


def openapi_path(rule: str) -> str:
    return _openapi_path(rule)
