"""Groups, municipalities and areas with their classification history."""

from __future__ import annotations

from typing import Any

from flask import abort
from marshmallow import fields, validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from network import permissions
from network.accounts.models import Area, Group, GroupKind, Municipality
from network.accounts.permissions import visible_groups_filter
from network.api import paging
from network.api.blueprint import api_operation
from network.api.routing import PageArgs
from network.api.schemas import AreaOut, GroupOut, MunicipalityDetailOut, MunicipalityOut
from network.extensions import db


class GroupArgs(PageArgs):
    kind = fields.String(validate=validate.OneOf([k.value for k in GroupKind]))
    include_archived = fields.Boolean(load_default=False)


@api_operation("/groups", summary="Groups the caller may see", tag="groups", query=GroupArgs,
               response=GroupOut, paginated=True, statuses=(400,))
def group_list(caller, args: dict) -> Any:
    stmt = select(Group).where(visible_groups_filter(caller.user))
    if "kind" in args:
        stmt = stmt.where(Group.kind == args["kind"])
    if not args["include_archived"]:
        stmt = stmt.where(Group.archived.is_(False))
    return paging.by_key(stmt, Group.id, args)


@api_operation("/groups/<int:group_id>", summary="One group", tag="groups", response=GroupOut,
               statuses=(404,))
def group_detail(caller, args: dict, group_id: int) -> Any:
    group = db.get_or_404(Group, group_id)
    if not permissions.can_view_group(caller.user, group):
        abort(404)
    return group


class MunicipalityArgs(PageArgs):
    county = fields.String(validate=validate.Regexp(r"^\d{2}$"))
    participating = fields.Boolean()


@api_operation("/municipalities", summary="Sweden's municipalities", tag="places",
               query=MunicipalityArgs, response=MunicipalityOut, paginated=True, statuses=(400,))
def municipality_list(caller, args: dict) -> Any:
    stmt = select(Municipality)
    if "county" in args:
        stmt = stmt.where(Municipality.county_code == args["county"])
    if "participating" in args:
        column = Municipality.participating_since
        stmt = stmt.where(column.is_not(None) if args["participating"] else column.is_(None))
    return paging.by_key(stmt, Municipality.code, args, key_type=str)


@api_operation("/municipalities/<code>", summary="One municipality with its areas", tag="places",
               response=MunicipalityDetailOut, statuses=(404,))
def municipality_detail(caller, args: dict, code: str) -> Any:
    if len(code) != 4:
        abort(404)
    return db.first_or_404(
        select(Municipality).where(Municipality.code == code)
        .options(selectinload(Municipality.areas).selectinload(Area.classifications)))


class AreaArgs(PageArgs):
    municipality = fields.String(validate=validate.Regexp(r"^\d{4}$"))


@api_operation("/areas", summary="Areas with their classification history", tag="places",
               query=AreaArgs, response=AreaOut, paginated=True, statuses=(400,))
def area_list(caller, args: dict) -> Any:
    stmt = select(Area).options(selectinload(Area.classifications))
    if "municipality" in args:
        stmt = stmt.where(Area.municipality_code == args["municipality"])
    return paging.by_key(stmt, Area.id, args)


@api_operation("/areas/<int:area_id>", summary="One area", tag="places", response=AreaOut,
               statuses=(404,))
def area_detail(caller, args: dict, area_id: int) -> Any:
    area = db.get_or_404(Area, area_id)
    return area
