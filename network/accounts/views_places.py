"""Municipalities with their areas and Police classifications, and organisations.

Municipality pages are public: the reference data and the Police's classifications are public
information. Changing them is network administration, and every change is audited.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from network import permissions
from network.accounts import services
from network.accounts.forms import AreaForm, ClassificationForm, OrganisationForm, ParticipationForm
from network.accounts.models import (
    Area,
    ClassificationLevel,
    County,
    Group,
    GroupKind,
    Municipality,
    Organisation,
)
from network.accounts.permissions import visible_groups_filter
from network.accounts.views import bp
from network.actions import commit_or_flash
from network.extensions import db
from network.i18n import gettext as _
from network.pagecache import cached_page


def _require_admin() -> None:
    if not permissions.can_administer(current_user):
        abort(403)


def _load_municipality(code: str) -> Municipality:
    municipality = db.get_or_404(Municipality, code)
    return municipality


def _load_area(area_id: int) -> Area:
    area = db.get_or_404(Area, area_id)
    return area


@bp.get("/kommuner")
@cached_page(ttl=60)
def municipalities():
    county = request.args.get("lan", "")
    participating = request.args.get("deltar") == "1"
    sort = "name" if request.args.get("sortering") == "namn" else "priority"
    all_counties = services.counties()
    if county and county not in {c.code for c in all_counties}:
        county = ""
    rows = services.municipality_list(county_code=county or None, participating_only=participating,
                                      sort=sort)
    return render_template("accounts/municipalities.html", rows=rows, counties=all_counties,
                           county=county, participating=participating, sort=sort,
                           priority_levels={lvl.priority: lvl.value for lvl in ClassificationLevel})


@bp.get("/kommuner/<code>")
@cached_page(ttl=60)
def municipality(code: str):
    municipality = _load_municipality(code)
    groups = list(db.session.scalars(
        select(Group).where(Group.municipality_code == code, Group.kind == GroupKind.LOCAL,
                            Group.archived.is_(False),
                            visible_groups_filter(current_user))
        .order_by(Group.name)))
    is_admin = permissions.can_administer(current_user)
    return render_template(
        "accounts/municipality.html", municipality=municipality,
        areas=services.municipality_areas(municipality),
        organisations=services.organisations(municipality_code=code), groups=groups,
        is_admin=is_admin,
        participation_form=ParticipationForm(
            participating=municipality.is_participating,
            since=municipality.participating_since) if is_admin else None,
        classification_form=ClassificationForm() if is_admin else None)


@bp.post("/kommuner/<code>/deltagande")
@login_required
def set_participation(code: str):
    _require_admin()
    municipality = _load_municipality(code)
    form = ParticipationForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("accounts.municipality", code=code))
    services.set_participating(current_user, municipality,
                               form.since.data if form.participating.data else None)
    db.session.commit()
    flash(_("Deltagandet är sparat."), "success")
    return redirect(url_for("accounts.municipality", code=code))


@bp.route("/kommuner/<code>/omraden/nytt", methods=["GET", "POST"])
@login_required
def new_area(code: str):
    _require_admin()
    municipality = _load_municipality(code)
    form = AreaForm()
    if form.validate_on_submit():
        try:
            services.create_area(current_user, code, form.name.data, form.description.data or "")
        except services.AccountError as exc:
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Området är tillagt."), "success")
            return redirect(url_for("accounts.municipality", code=code))
    return render_template("accounts/area_form.html", form=form, municipality=municipality,
                           area=None), 422 if form.errors else 200


@bp.route("/omraden/<int:area_id>/redigera", methods=["GET", "POST"])
@login_required
def edit_area(area_id: int):
    _require_admin()
    area = _load_area(area_id)
    form = AreaForm(obj=area if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update_area(current_user, area, name=form.name.data,
                                 description=form.description.data or "")
        except services.AccountError as exc:
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Området är sparat."), "success")
            return redirect(url_for("accounts.municipality", code=area.municipality_code))
    return render_template("accounts/area_form.html", form=form, municipality=area.municipality,
                           area=area), 422 if form.errors else 200


@bp.post("/omraden/<int:area_id>/klassning")
@login_required
def classify_area(area_id: int):
    _require_admin()
    area = _load_area(area_id)
    form = ClassificationForm()
    if form.validate_on_submit():
        commit_or_flash(
            lambda: services.classify_area(current_user, area, form.year.data, form.level.data),
            _("Klassningen för %(area)s är sparad.", area=area.name))
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
    return redirect(url_for("accounts.municipality", code=area.municipality_code)
                    + f"#omrade-{area.id}")


# -- organisations (administration) ------------------------------------------------------------


def _organisation_form(**kwargs) -> OrganisationForm:
    return OrganisationForm(
        municipalities=db.session.scalars(select(Municipality).order_by(Municipality.name)),
        counties=db.session.scalars(select(County).order_by(County.code)), **kwargs)


@bp.get("/admin/organisationer")
@login_required
def organisations():
    _require_admin()
    return render_template("accounts/organisations.html", organisations=services.organisations())


@bp.route("/admin/organisationer/ny", methods=["GET", "POST"])
@login_required
def new_organisation():
    _require_admin()
    form = _organisation_form()
    if form.validate_on_submit():
        try:
            services.create_organisation(current_user, form.name.data, form.type.data,
                                         municipality_code=form.municipality_code.data or None,
                                         county_code=form.county_code.data or None)
        except services.AccountError as exc:
            form.municipality_code.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Organisationen är tillagd."), "success")
            return redirect(url_for("accounts.organisations"))
    return render_template("accounts/organisation_form.html", form=form, organisation=None), (
        422 if form.errors else 200)


@bp.route("/admin/organisationer/<int:org_id>", methods=["GET", "POST"])
@login_required
def edit_organisation(org_id: int):
    _require_admin()
    org = db.get_or_404(Organisation, org_id)
    form = _organisation_form(obj=org if request.method == "GET" else None)
    if request.method == "GET":
        form.municipality_code.data = org.municipality_code or ""
        form.county_code.data = org.county_code or ""
    if form.validate_on_submit():
        try:
            services.update_organisation(current_user, org, name=form.name.data,
                                         type=form.type.data,
                                         municipality_code=form.municipality_code.data or None,
                                         county_code=form.county_code.data or None)
        except services.AccountError as exc:
            form.municipality_code.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Organisationen är sparad."), "success")
            return redirect(url_for("accounts.organisations"))
    return render_template("accounts/organisation_form.html", form=form, organisation=org), (
        422 if form.errors else 200)


@bp.post("/admin/organisationer/<int:org_id>/ta-bort")
@login_required
def delete_organisation(org_id: int):
    _require_admin()
    org = db.get_or_404(Organisation, org_id)
    if not commit_or_flash(lambda: services.delete_organisation(current_user, org),
                           _("Organisationen är borttagen.")):
        return redirect(url_for("accounts.edit_organisation", org_id=org_id))
    return redirect(url_for("accounts.organisations"))
