"""Follow-up data for the programme's analysis tools: plans, measures, indicators, measurements and
the support log. Programme staff only (a token needs the ``followup`` scope); each row also passes
follow-up's own municipality filter, the one its pages use."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from network.api import paging
from network.api.blueprint import api_operation
from network.api.permissions import can_read_followup
from network.api.problems import Problem
from network.api.routing import PageArgs
from network.api.schemas import columns
from network.followup import permissions as followup_permissions
from network.followup.models import ActionPlan, Indicator, Measure, Measurement, SupportEntry
from network.i18n import lazy_gettext as _l
from network.loaders import MAX_ID

MUNICIPALITY = validate.Regexp(r"^\d{4}$")


class PlanOut(columns(ActionPlan, "id", "municipality_code", "title", "start_year", "end_year",
                      "description")):
    pass


class MeasureOut(columns(Measure, "id", "plan_id", "municipality_code", "title", "problem", "theme",
                         "status", "start_date", "end_date", "public_charts")):
    pass


class IndicatorOut(columns(Indicator, "id", "measure_id", "name", "unit", "source", "baseline_value",
                           "baseline_date", "target_value", "target_date", "desired_direction")):
    pass


class MeasurementOut(columns(Measurement, "id", "indicator_id", "date", "value", "comment")):
    pass


class SupportOut(columns(SupportEntry, "id", "municipality_code", "date", "topic", "form", "hours",
                         "given_by")):
    pass


class FollowupArgs(PageArgs):
    municipality = fields.String(validate=MUNICIPALITY)


class MeasureArgs(FollowupArgs):
    plan_id = fields.Integer(validate=validate.Range(1, MAX_ID))


class IndicatorArgs(FollowupArgs):
    measure_id = fields.Integer(validate=validate.Range(1, MAX_ID))


class MeasurementArgs(FollowupArgs):
    indicator_id = fields.Integer(validate=validate.Range(1, MAX_ID))


def _staff(caller) -> None:
    if not can_read_followup(caller.user, caller.scopes):
        raise Problem("forbidden", _l("Uppföljningsdata är till för programmets personal."))


def _page(caller, args: dict, stmt: Any, key: Any, code_col: Any,
          parent: tuple[str, Any] | None = None) -> Any:
    """A page of ``stmt`` by ``key``, within the municipalities the caller may follow (the filter
    follow-up's pages use), narrowed by ``?municipality=`` and by the parent's ``?<name>_id=``."""
    _staff(caller)
    stmt = stmt.where(followup_permissions.municipality_filter(caller.user, code_col))
    if "municipality" in args:
        stmt = stmt.where(code_col == args["municipality"])
    if parent is not None and parent[0] in args:
        stmt = stmt.where(parent[1] == args[parent[0]])
    return paging.by_key(stmt, key, args)


FOLLOWUP = {"tag": "followup", "scope": "followup", "paginated": True, "statuses": (400, 401, 403)}


@api_operation("/followup/plans", summary="Action plans", query=FollowupArgs, response=PlanOut,
               **FOLLOWUP)
def plan_list(caller, args: dict) -> Any:
    return _page(caller, args, select(ActionPlan), ActionPlan.id, ActionPlan.municipality_code)


@api_operation("/followup/measures", summary="Measures of the action plans", query=MeasureArgs,
               response=MeasureOut, **FOLLOWUP)
def measure_list(caller, args: dict) -> Any:
    return _page(caller, args, select(Measure), Measure.id, Measure.municipality_code,
                 parent=("plan_id", Measure.plan_id))


@api_operation("/followup/indicators", summary="Indicators of the measures", query=IndicatorArgs,
               response=IndicatorOut, **FOLLOWUP)
def indicator_list(caller, args: dict) -> Any:
    stmt = select(Indicator).join(Measure, Measure.id == Indicator.measure_id)
    return _page(caller, args, stmt, Indicator.id, Measure.municipality_code,
                 parent=("measure_id", Indicator.measure_id))


@api_operation("/followup/measurements", summary="Measured indicator values", query=MeasurementArgs,
               response=MeasurementOut, **FOLLOWUP)
def measurement_list(caller, args: dict) -> Any:
    stmt = (select(Measurement).join(Indicator, Indicator.id == Measurement.indicator_id)
            .join(Measure, Measure.id == Indicator.measure_id))
    return _page(caller, args, stmt, Measurement.id, Measure.municipality_code,
                 parent=("indicator_id", Measurement.indicator_id))


@api_operation("/followup/support", summary="The programme's support log", query=FollowupArgs,
               response=SupportOut, **FOLLOWUP)
def support_list(caller, args: dict) -> Any:
    _staff(caller)
    if not followup_permissions.can_manage_support(caller.user):
        raise Problem("forbidden", _l("Stödloggen är till för programmets personal."))
    stmt = select(SupportEntry).options(selectinload(SupportEntry.municipality))
    if "municipality" in args:
        stmt = stmt.where(SupportEntry.municipality_code == args["municipality"])
    return paging.by_key(stmt, SupportEntry.id, args)
