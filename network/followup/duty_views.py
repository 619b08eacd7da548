"""Pages for the law's duties: recording a decision on a plan and the coordination function.

Load, authorise, act: the loaders answer 404 to those who may not see the municipality, editing
is asked of the registry (the actions ask it again).
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from network import permissions
from network.followup import duties, forms
from network.followup.views import bp, commit_or_flash, load_municipality, load_plan
from network.i18n import gettext as _


@bp.route("/uppfoljning/plan/<int:plan_id>/beslut", methods=["GET", "POST"])
@login_required
def plan_decision(plan_id: int):
    plan = load_plan(plan_id)
    if not permissions.allowed("followup.record_plan_decision", current_user, plan):
        abort(403)
    form = forms.PlanDecisionForm()
    if form.validate_on_submit() and commit_or_flash(lambda: duties.record_plan_decision(
            current_user, plan, decided_by=form.decided_by.data, decided_on=form.decided_on.data,
            reference=form.reference.data or "", next_revision_on=form.next_revision_on.data),
            _("Beslutet är registrerat.")):
        return redirect(url_for(".plan", plan_id=plan.id))
    history = [d for d in duties.plan_decisions(plan.municipality_code) if d.plan_id == plan.id]
    status = 400 if request.method == "POST" else 200
    return render_template("followup/plan_decision.html", plan=plan, form=form,
                           history=history), status


@bp.route("/uppfoljning/kommun/<code>/samordning", methods=["GET", "POST"])
@login_required
def coordination(code: str):
    municipality = load_municipality(code)
    can_edit = permissions.allowed("followup.record_coordination", current_user, code)
    form = forms.CoordinationForm()
    if request.method == "POST":
        if not can_edit:
            abort(403)
        if form.validate_on_submit() and commit_or_flash(lambda: duties.record_coordination(
                current_user, code, organised_as=form.organised_as.data, placement=form.placement.data,
                contacts=form.contacts.data or "", since=form.since.data),
                _("Samordningsfunktionen är registrerad.")):
            return redirect(url_for(".municipality", code=code))
    status = 400 if request.method == "POST" else 200
    return render_template("followup/coordination.html", municipality=municipality, form=form,
                           can_edit=can_edit, state=duties.state_for(code).coordination,
                           history=duties.coordination_history(code)), status


@bp.app_context_processor
def duty_texts() -> dict:
    return {"fu_picture_text": duties.picture_text, "fu_plan_text": duties.plan_text,
            "fu_coordination_text": duties.coordination_text}
