"""The county view: a county's municipalities with their duties, measures, indicator trends,
support and activity (``activity.activity_by_municipality``) beside the county's and the
network's totals, for the programme year unless another period is asked for.

County-board staff (``User.overseen_county``) see their own county only; programme staff any.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from network import permissions
from network.accounts.models import County, Municipality
from network.extensions import db
from network.followup import dashboard
from network.followup.activity import (
    FIGURES,
    ActivityRow,
    activity_by_municipality,
    figure_headers,
    parse_period,
    totals,
)
from network.followup.labels import STATUSES
from network.followup.programme import trend_labels
from network.followup.views import bp

# -- the county view ---------------------------------------------------------------------------


def _may_see_county(code: str) -> bool:
    return permissions.is_programme_staff(current_user) or permissions.overseen_county(current_user) == code


@bp.get("/uppfoljning/lan")
@login_required
def counties():
    own = permissions.overseen_county(current_user)
    if own is not None:
        return redirect(url_for(".county", code=own, **request.args))
    if not permissions.is_programme_staff(current_user):
        abort(403)
    return render_template("followup/counties.html",
                           counties=list(db.session.scalars(select(County).order_by(County.name))))


@bp.get("/uppfoljning/lan/<code>")
@login_required
def county(code: str):
    county = db.get_or_404(County, code)
    if not _may_see_county(code):
        abort(404)
    since, until, error = parse_period(request.args)
    municipalities = db.session.execute(select(Municipality.code, Municipality.name)
                                        .where(Municipality.county_code == code)
                                        .order_by(Municipality.name)).all()
    # The table reads the county's municipalities only; the network's totals beside it need every
    # municipality's activity and support, which are grouped counts, not the table's rows.
    rows = dashboard.municipality_rows(since, until, codes=[c for c, _n in municipalities])
    activity = activity_by_municipality(since, until, dashboard.support_by_municipality(since, until))
    activity_rows = [ActivityRow(c, n, activity.get(c, dict.fromkeys(FIGURES, 0))) for c, n in municipalities]
    return render_template(
        "followup/county.html", county=county, rows=rows, since=since, until=until, error=error,
        statuses=STATUSES, trends=trend_labels(), activity_rows=activity_rows, headers=figure_headers(),
        figures=FIGURES, county_total=totals([r.figures for r in activity_rows]),
        network_total=totals(list(activity.values())), link=True)
