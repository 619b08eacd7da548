"""What the API answers: marshmallow schemas that shape each object and document it (OpenAPI).

Only what a page shows to the same caller goes out; e.g. an event's place and meeting link are
left out here (the page shows them to registered participants only), and a post's author is a
display name, never an email address.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import current_app
from marshmallow import Schema, fields

from network.accounts.models import Area, AreaClassification, Group, Municipality
from network.events.models import Event
from network.followup.models import ExperienceReport
from network.forums.models import Category, Post, Topic
from network.resources.models import Resource, ResourceFile, ResourceVersion


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


FIELD_FOR_PYTHON_TYPE = {bool: fields.Boolean, int: fields.Integer, float: fields.Float,
                         str: fields.String, dt.datetime: fields.DateTime, dt.date: fields.Date}


def columns(model: type, *names: str) -> type[Schema]:
    """A schema of these columns of ``model``, each field typed after its column and nullable where
    the column is, so the API document cannot drift from the tables; an answer always carries
    every field (``required``). Subclass it to add computed fields."""
    table_columns = sa.inspect(model).columns

    def field(name: str) -> fields.Field:
        column = table_columns[name]
        stored = getattr(column.type, "impl_instance", column.type)  # a TypeDecorator's own type
        return FIELD_FOR_PYTHON_TYPE[stored.python_type](required=True, allow_none=bool(column.nullable))

    return Schema.from_dict({name: field(name) for name in names}, name=f"{model.__name__}Columns")


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """``{"items": [...], "next": cursor or null}``: every paginated list answers this shape."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item), required=True),
        "next": fields.String(allow_none=True, required=True,
                              metadata={"description": "Cursor of the next page; null on the last."}),
    }, name=name)


# -- library -----------------------------------------------------------------------------------


class FileOut(columns(ResourceFile, "id", "filename", "content_type", "size", "sha256")):
    download_url = ComputedUrl(lambda f: f"/bibliotek/fil/{f.id}/{f.filename}", required=True)


class VersionOut(columns(ResourceVersion, "number", "change_note", "created_at")):
    files = fields.List(fields.Nested(FileOut), required=True)


class ResourceOut(columns(Resource, "id", "title", "summary", "type", "language", "licence", "year",
                          "group_id", "external_url", "published_at", "created_at", "updated_at")):
    themes = fields.List(fields.String(), required=True)
    visibility = fields.String(attribute="effective_visibility", required=True)
    organisation = Computed(lambda r: r.organisation.name if r.organisation else None, allow_none=True,
                            required=True)
    municipalities = fields.Method("_municipalities", required=True,
                                   metadata={"type": "array", "items": {"type": "string"}})
    current_version = ComputedInt(lambda r: r.current_version.number if r.current_version else None,
                                  allow_none=True, required=True)
    url = ComputedUrl(lambda r: f"/bibliotek/{r.id}", required=True)

    def _municipalities(self, obj: Any) -> list[str]:
        return [m.code for m in obj.municipalities]


class ResourceDetailOut(ResourceOut):
    versions = fields.List(fields.Nested(VersionOut), required=True)


class ExperienceReportOut(columns(ExperienceReport, "id", "title", "municipality_code", "theme",
                                  "area_level", "size_class", "problem", "context", "measure_summary",
                                  "actors", "how", "results", "lessons", "status", "published_at")):
    url = ComputedUrl(lambda r: f"/erfarenhetsbank/{r.id}", required=True)


# -- events ------------------------------------------------------------------------------------


class EventOut(columns(Event, "id", "title", "type", "description", "start_at", "end_at", "all_day",
                       "status", "visibility", "group_id", "capacity", "registration_deadline")):
    series_id = fields.Integer(allow_none=True, required=True,
                               metadata={"description": "Set on each occurrence of a recurring event."})
    url = ComputedUrl(lambda e: f"/evenemang/{e.id}", required=True)


class RegistrationOut(Schema):
    event_id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"description": "registered or waitlisted"})
    created_at = fields.DateTime(required=True)


# -- groups and places -------------------------------------------------------------------------


class GroupOut(columns(Group, "id", "name", "slug", "kind", "description", "visibility",
                       "municipality_code", "archived")):
    pass


class ClassificationOut(columns(AreaClassification, "year", "level")):
    pass


class AreaOut(columns(Area, "id", "municipality_code", "name", "description")):
    current_level = fields.String(required=True)
    classifications = fields.List(fields.Nested(ClassificationOut), required=True,
                                  metadata={"description": "History, newest year first."})


class MunicipalityOut(columns(Municipality, "code", "name", "county_code", "participating_since")):
    pass


class MunicipalityDetailOut(MunicipalityOut):
    areas = fields.List(fields.Nested(AreaOut), required=True)


# -- forums ------------------------------------------------------------------------------------


def _name(user: Any) -> str | None:
    return user.display_name if user is not None else None


class CategoryOut(columns(Category, "id", "name", "description", "group_id", "visibility", "is_qa",
                          "archived", "topic_count")):
    pass


class TopicOut(columns(Topic, "id", "category_id", "title", "created_at", "last_post_at", "reply_count",
                       "pinned", "locked", "closed")):
    author = Computed(lambda t: _name(t.author), allow_none=True, required=True)
    url = ComputedUrl(lambda t: f"/forum/t/{t.id}", required=True)


class PostOut(columns(Post, "id", "topic_id", "number", "created_at", "edited_at")):
    author = Computed(lambda p: None if p.deleted_at else _name(p.author), allow_none=True, required=True)
    body = Computed(lambda p: "" if p.deleted_at else p.body, required=True,
                    metadata={"description": "Markdown as written; empty once deleted."})
    deleted = fields.Function(lambda p: p.deleted_at is not None, required=True,
                              metadata={"type": "boolean"})
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
