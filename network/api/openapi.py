"""The OpenAPI 3.1 document, built from the operation registry and its marshmallow schemas.

apispec (marshmallow-code's spec builder) turns the very schemas that parse requests and shape
answers into JSON Schema; nothing is written twice. The document is built once per app.
"""

from __future__ import annotations

import json
import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, current_app
from marshmallow import Schema

from network.api.blueprint import OPERATIONS, PREFIX
from network.api.problems import PROBLEM_MIMETYPE
from network.api.routing import MAX_ID, Operation, openapi_path
from network.api.schemas import page_of

TAGS = [
    ("library", "Library resources and experience reports"),
    ("events", "Events, occurrences and registrations"),
    ("groups", "Groups of the network"),
    ("places", "Municipalities and areas with classification history"),
    ("forum", "Forum categories, topics and posts"),
    ("search", "One search over all content"),
    ("followup", "Follow-up data for the programme's staff"),
]
COMMON_ERRORS = (400, 401, 403, 429)
ERROR_TEXT = {400: "Invalid request (problem details)",
              401: "Missing, unknown, expired or revoked token",
              403: "Not allowed, or the token lacks the scope",
              404: "Not found, or not visible to the caller",
              409: "The action cannot be carried out now", 413: "Too large",
              415: "Wrong content type", 429: "Rate limit reached"}
SCOPES = {"read": "Read everything the token's owner may see",
          "write": "Register for events, reply in the forum, upload resource versions",
          "followup": "Follow-up data (programme staff)"}
_PAGES: dict[type[Schema], type[Schema]] = {}


def _page_schema(item: type[Schema]) -> type[Schema]:
    if item not in _PAGES:
        _PAGES[item] = page_of(item, item.__name__.removesuffix("Out") + "Page")
    return _PAGES[item]


def _schema_name(schema: Any) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__name__.removesuffix("Out")


def _path_parameters(rule: str) -> list[dict]:
    params = []
    for converter, name in re.findall(r"<(?:([a-z]+):)?([a-z_]+)>", rule):
        schema = ({"type": "integer", "minimum": 0, "maximum": MAX_ID} if converter == "int"
                  else {"type": "string"})
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _operation(op: Operation) -> dict:
    ok = op.extra["status"]
    content_schema = _page_schema(op.response) if op.paginated else op.response
    responses: dict[str, Any] = {
        str(ok): {"description": "OK" if ok == 200 else "Created",
                  "content": {"application/json": {"schema": content_schema}}}
        if content_schema is not None else {"description": "OK"},
    }
    if op.method == "GET":
        responses["304"] = {"description": "Not modified (If-None-Match matched the ETag)"}
    for status in sorted(set(COMMON_ERRORS) | set(op.statuses) | ({404} if "<" in op.rule else set())):
        responses[str(status)] = {"$ref": f"#/components/responses/Error{status}"}
    spec: dict[str, Any] = {
        "operationId": op.endpoint.split(".", 1)[1],
        "summary": op.summary,
        "tags": [op.tag],
        "responses": responses,
        "parameters": _path_parameters(op.rule) + ([{"in": "query", "schema": op.query}] if op.query else []),
        "security": ([{}] if op.scope == "read" else []) + [{"bearerAuth": [op.scope]}],
    }
    description = " ".join((op.description or "").split())
    if description:
        spec["description"] = description
    if op.body is not None:
        media = "multipart/form-data" if op.body_type == "multipart" else "application/json"
        spec["requestBody"] = {"required": True, "content": {media: {"schema": op.body}}}
    return spec


def _problem_schema() -> dict:
    return {
        "type": "object", "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "format": "uri"}, "title": {"type": "string"},
            "status": {"type": "integer"}, "detail": {"type": "string"},
            "instance": {"type": "string"},
            "errors": {"type": "object", "description": "Per field (or parameter): what is wrong."},
        },
    }


def build(app: Flask) -> dict:
    spec = APISpec(
        title=f"{app.config['NETWORK_NAME']}: API", version="1.0.0", openapi_version="3.1.0",
        plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
        info={"description": "Read what the network shares, with the same access rules as its pages. "
                             "Visitors see public content; a personal access token "
                             "(`Authorization: Bearer`) sees what its owner sees, within its scopes. "
                             "Errors are RFC 9457 problem details in Swedish or English "
                             "(`Accept-Language`)."},
        servers=[{"url": app.config["PUBLIC_BASE_URL"] + PREFIX}],
        tags=[{"name": name, "description": text} for name, text in TAGS],
    )
    spec.components.security_scheme("bearerAuth", {
        "type": "http", "scheme": "bearer",
        "description": "A personal access token, made on your profile page. Scopes: "
                       + "; ".join(f"`{k}`: {v}" for k, v in SCOPES.items())})
    spec.components.schema("Problem", _problem_schema())
    for status, text in ERROR_TEXT.items():
        spec.components.response(f"Error{status}", {
            "description": text,
            "content": {PROBLEM_MIMETYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}})
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(openapi_path(op.rule), {})[op.method.lower()] = _operation(op)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def document() -> dict:
    cached = current_app.extensions.get("network_openapi")
    if cached is None:
        built = build(current_app)
        cached = (built, json.dumps(built, ensure_ascii=False, indent=1).encode())
        current_app.extensions["network_openapi"] = cached
    return cached[0]


def document_bytes() -> bytes:
    document()
    return current_app.extensions["network_openapi"][1]


# -- the documentation page ----------------------------------------------------------------------


def schema_type(schema: dict) -> str:
    """A short human reading of a JSON Schema: ``string``, ``integer | null``, ``array of Event``."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[1]
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        return " | ".join(kind if "array" not in kind else
                          [f"array of {schema_type(schema.get('items', {}))}" if k == "array" else k
                           for k in kind])
    if kind == "array":
        return f"array of {schema_type(schema.get('items', {}))}"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    if "enum" in schema:
        return f"{kind}: " + ", ".join(str(v) for v in schema["enum"])
    return kind


def page_sections(spec: dict) -> list[dict]:
    """Operations grouped by tag, in the order of ``TAGS``, for the template."""
    sections = {name: {"name": name, "description": text, "operations": []} for name, text in TAGS}
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            body = op.get("requestBody", {}).get("content", {})
            media, body_schema = next(iter(body.items()), (None, {}))
            ok = next((s for s in op["responses"] if s.startswith("2")), None)
            ok_schema = (op["responses"][ok].get("content", {}).get("application/json", {})
                         .get("schema")) if ok else None
            sections[op["tags"][0]]["operations"].append({
                "id": op["operationId"], "method": method.upper(), "path": path,
                "summary": op.get("summary", ""), "description": op.get("description", ""),
                "parameters": op.get("parameters", []),
                "body_media": media, "body_schema": body_schema.get("schema") if body_schema else None,
                "ok": ok, "ok_schema": ok_schema,
                "errors": [s for s in op["responses"] if s[0] in "45"],
                "scopes": [scope for entry in op.get("security", [])
                           for scope in entry.get("bearerAuth", [])],
                "anonymous": {} in op.get("security", []),
            })
    return [s for s in sections.values() if s["operations"]]
