"""Library resources (metadata, versions, file links) and experience reports."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app
from marshmallow import RAISE, Schema, fields, validate
from sqlalchemy import or_, select

from network.api import paging
from network.api.blueprint import api_operation
from network.api.problems import Problem
from network.api.routing import PageArgs, Shaped
from network.api.schemas import ExperienceReportOut, ResourceDetailOut, ResourceOut, VersionOut
from network.extensions import db
from network.followup import permissions as followup_permissions
from network.followup.models import ExperienceReport, ReportStatus, Theme
from network.i18n import lazy_gettext as _l
from network.resources import catalogue
from network.resources import services as resources
from network.resources.models import THEMES, Resource, ResourceType

MUNICIPALITY_CODE = validate.Regexp(r"^\d{4}$")


class ResourceArgs(PageArgs):
    q = fields.String(validate=validate.Length(1, 200), metadata={"description": "Full-text search."})
    theme = fields.String(validate=validate.OneOf(list(THEMES)))
    type = fields.String(validate=validate.OneOf([t.value for t in ResourceType]))
    municipality = fields.String(validate=MUNICIPALITY_CODE)
    year = fields.Integer(validate=validate.Range(1900, 2200))


@api_operation("/resources", summary="Library resources the caller may see", tag="library",
               query=ResourceArgs, response=ResourceOut, paginated=True, statuses=(400,))
def resource_list(caller, args: dict) -> Any:
    """Newest first. The same access filter as the library's pages (closed groups' material only
    for their members; public requests only once approved)."""
    filters = resources.Filters(q=args.get("q", ""), theme=args.get("theme", ""),
                                type=args.get("type", ""), municipality=args.get("municipality", ""),
                                year=args.get("year"), sort="newest")
    stmt = catalogue.listed(caller.user, filters)
    rows, next_cursor = paging.by_key(stmt, Resource.id, args, descending=True, scalars=False)
    items = catalogue.entries_of_rows(rows, current_app.config["PUBLIC_BASE_URL"])
    return Shaped(items), next_cursor


def _resource(caller, resource_id: int) -> Resource:
    resource = resources.get_visible(caller.user, resource_id)
    if resource is None:
        abort(404)
    return resource


@api_operation("/resources/<int:resource_id>", summary="One resource with every version and its files",
               tag="library", response=ResourceDetailOut, statuses=(404,))
def resource_detail(caller, args: dict, resource_id: int) -> Any:
    return _resource(caller, resource_id)


class NewVersion(Schema):
    class Meta:
        unknown = RAISE

    change_note = fields.String(load_default="", validate=validate.Length(max=2000))
    files = fields.List(fields.Raw(metadata={"type": "string", "format": "binary"}), required=True,
                        validate=validate.Length(1, 10))


@api_operation("/resources/<int:resource_id>/versions", "POST", summary="Upload a new version",
               tag="library", scope="write", body=NewVersion, body_type="multipart",
               response=VersionOut, status=201, statuses=(400, 401, 403, 404, 413, 415))
def resource_add_version(caller, args: dict, resource_id: int, body: dict) -> Any:
    """The files become the current version (the library's own action decides who may, and sends
    public material back to review)."""
    resource = _resource(caller, resource_id)
    uploads = []
    for item in body["files"]:
        if not hasattr(item, "stream") or not getattr(item, "filename", ""):
            raise Problem("invalid-parameters", _l("Skicka filerna som filer."),
                          errors={"files": ["Not a file."]})
        uploads.append(resources.Upload(stream=item.stream, filename=item.filename))
    try:
        version = resources.add_version(caller.user, resource, uploads, body["change_note"])
    except resources.UploadTooLarge as error:
        raise Problem("too-large", str(error)) from None
    except resources.ResourceError as error:
        raise Problem("invalid-parameters", str(error)) from None
    db.session.commit()
    return version


# -- experience reports --------------------------------------------------------------------------


class ReportArgs(PageArgs):
    theme = fields.String(validate=validate.OneOf([t.value for t in Theme]))
    municipality = fields.String(validate=MUNICIPALITY_CODE)


def _visible_reports(user: Any):
    """Published reports for everyone, and the drafts of the caller's own municipalities: the
    rule of ``followup.permissions.can_view_report``, as SQL."""
    return select(ExperienceReport).where(or_(
        ExperienceReport.status == ReportStatus.PUBLISHED.value,
        followup_permissions.municipality_filter(user, ExperienceReport.municipality_code)))


@api_operation("/experience-reports", summary="Experience reports the caller may see", tag="library",
               query=ReportArgs, response=ExperienceReportOut, paginated=True, statuses=(400,))
def report_list(caller, args: dict) -> Any:
    stmt = _visible_reports(caller.user)
    if "theme" in args:
        stmt = stmt.where(ExperienceReport.theme == args["theme"])
    if "municipality" in args:
        stmt = stmt.where(ExperienceReport.municipality_code == args["municipality"])
    return paging.by_key(stmt, ExperienceReport.id, args, descending=True)


@api_operation("/experience-reports/<int:report_id>", summary="One experience report", tag="library",
               response=ExperienceReportOut, statuses=(404,))
def report_detail(caller, args: dict, report_id: int) -> Any:
    report = db.get_or_404(ExperienceReport, report_id)
    if not followup_permissions.can_view_report(caller.user, report):
        abort(404)
    return report
