"""What the API answers: marshmallow schemas that shape each object and document it (OpenAPI).

Only what a page shows to the same caller goes out; e.g. an event's place and meeting link are
left out here (the page shows them to registered participants only), and a post's author is a
display name, never an email address.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import Schema, fields


class AbsoluteUrl(fields.String):
    """A path made absolute with ``PUBLIC_BASE_URL``."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return current_app.config["PUBLIC_BASE_URL"] + str(value)


class _Computed:
    """A value computed from the object by ``function(obj)``, documented as its field type."""

    def __init__(self, function: Any, **kwargs: Any) -> None:
        super().__init__(dump_only=True, **kwargs)
        self.function = function

    def serialize(self, attr: str, obj: Any, accessor: Any = None, **kwargs: Any) -> Any:
        return self._serialize(self.function(obj), attr, obj, **kwargs)


class Computed(_Computed, fields.String):
    pass


class ComputedInt(_Computed, fields.Integer):
    pass


class ComputedUrl(_Computed, AbsoluteUrl):
    pass


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """``{"items": [...], "next": cursor or null}``: every paginated list answers this shape."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item), required=True),
        "next": fields.String(allow_none=True, required=True,
                              metadata={"description": "Cursor of the next page; null on the last."}),
    }, name=name)


# -- library -----------------------------------------------------------------------------------


class FileOut(Schema):
    id = fields.Integer(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    download_url = ComputedUrl(lambda f: f"/bibliotek/fil/{f.id}/{f.filename}", required=True)


class VersionOut(Schema):
    number = fields.Integer(required=True)
    change_note = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    files = fields.List(fields.Nested(FileOut), required=True)


class ResourceOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    type = fields.String(required=True)
    language = fields.String(required=True)
    licence = fields.String(required=True)
    year = fields.Integer(required=True)
    themes = fields.List(fields.String(), required=True)
    visibility = fields.String(attribute="effective_visibility", required=True)
    group_id = fields.Integer(allow_none=True, required=True)
    organisation = Computed(lambda r: r.organisation.name if r.organisation else None, allow_none=True,
                            required=True)
    municipalities = fields.Method("_municipalities", required=True,
                                   metadata={"type": "array", "items": {"type": "string"}})
    external_url = fields.String(allow_none=True, required=True)
    current_version = ComputedInt(lambda r: r.current_version.number if r.current_version else None,
                                  allow_none=True, required=True)
    published_at = fields.DateTime(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    url = ComputedUrl(lambda r: f"/bibliotek/{r.id}", required=True)

    def _municipalities(self, obj: Any) -> list[str]:
        return [m.code for m in obj.municipalities]


class ResourceDetailOut(ResourceOut):
    versions = fields.List(fields.Nested(VersionOut), required=True)


class ExperienceReportOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    municipality_code = fields.String(required=True)
    theme = fields.String(required=True)
    area_level = fields.String(required=True)
    size_class = fields.String(required=True)
    problem = fields.String(required=True)
    context = fields.String(required=True)
    measure_summary = fields.String(required=True)
    actors = fields.String(required=True)
    how = fields.String(required=True)
    results = fields.String(required=True)
    lessons = fields.String(required=True)
    status = fields.String(required=True)
    published_at = fields.DateTime(allow_none=True, required=True)
    url = ComputedUrl(lambda r: f"/erfarenhetsbank/{r.id}", required=True)


# -- events ------------------------------------------------------------------------------------


class EventOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    type = fields.String(required=True)
    description = fields.String(required=True)
    start_at = fields.DateTime(required=True)
    end_at = fields.DateTime(required=True)
    all_day = fields.Boolean(required=True)
    status = fields.String(required=True)
    visibility = fields.String(required=True)
    group_id = fields.Integer(required=True)
    capacity = fields.Integer(allow_none=True, required=True)
    registration_deadline = fields.DateTime(allow_none=True, required=True)
    series_id = fields.Integer(allow_none=True, required=True,
                               metadata={"description": "Set on each occurrence of a recurring event."})
    url = ComputedUrl(lambda e: f"/evenemang/{e.id}", required=True)


class RegistrationOut(Schema):
    event_id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"description": "registered or waitlisted"})
    created_at = fields.DateTime(required=True)


# -- groups and places -------------------------------------------------------------------------


class GroupOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    slug = fields.String(required=True)
    kind = fields.String(required=True)
    description = fields.String(required=True)
    visibility = fields.String(required=True)
    municipality_code = fields.String(allow_none=True, required=True)
    archived = fields.Boolean(required=True)


class ClassificationOut(Schema):
    year = fields.Integer(required=True)
    level = fields.String(required=True)


class AreaOut(Schema):
    id = fields.Integer(required=True)
    municipality_code = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    current_level = fields.String(required=True)
    classifications = fields.List(fields.Nested(ClassificationOut), required=True,
                                  metadata={"description": "History, newest year first."})


class MunicipalityOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    county_code = fields.String(required=True)
    participating_since = fields.Date(allow_none=True, required=True)


class MunicipalityDetailOut(MunicipalityOut):
    areas = fields.List(fields.Nested(AreaOut), required=True)


# -- forums ------------------------------------------------------------------------------------


def _name(user: Any) -> str | None:
    return user.display_name if user is not None else None


class CategoryOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    group_id = fields.Integer(allow_none=True, required=True)
    visibility = fields.String(required=True)
    is_qa = fields.Boolean(required=True)
    archived = fields.Boolean(required=True)
    topic_count = fields.Integer(required=True)


class TopicOut(Schema):
    id = fields.Integer(required=True)
    category_id = fields.Integer(required=True)
    title = fields.String(required=True)
    author = Computed(lambda t: _name(t.author), allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    last_post_at = fields.DateTime(required=True)
    reply_count = fields.Integer(required=True)
    pinned = fields.Boolean(required=True)
    locked = fields.Boolean(required=True)
    closed = fields.Boolean(required=True)
    url = ComputedUrl(lambda t: f"/forum/t/{t.id}", required=True)


class PostOut(Schema):
    id = fields.Integer(required=True)
    topic_id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    author = Computed(lambda p: None if p.deleted_at else _name(p.author), allow_none=True, required=True)
    body = Computed(lambda p: "" if p.deleted_at else p.body, required=True,
                    metadata={"description": "Markdown as written; empty once deleted."})
    deleted = fields.Function(lambda p: p.deleted_at is not None, required=True,
                              metadata={"type": "boolean"})
    created_at = fields.DateTime(required=True)
    edited_at = fields.DateTime(allow_none=True, required=True)
    url = ComputedUrl(lambda p: f"/forum/inlagg/{p.id}", required=True)


# -- search ------------------------------------------------------------------------------------


class HitOut(Schema):
    kind = fields.String(required=True)
    object_id = fields.Integer(required=True)
    title = fields.String(required=True)
    url = AbsoluteUrl(required=True)
    created_at = fields.DateTime(allow_none=True, required=True)


class SearchOut(Schema):
    total = fields.Integer(required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                         metadata={"description": "Hits per kind, after the access filter."})
    items = fields.List(fields.Nested(HitOut), required=True)
    next = fields.String(allow_none=True, required=True)
