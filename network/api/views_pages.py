"""HTML pages of the API: the documentation, and members' personal access tokens."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from network import permissions
from network.api import openapi, tokens
from network.api.blueprint import bp
from network.api.forms import TokenForm
from network.api.models import ApiToken, Scope
from network.api.permissions import can_list_all_tokens, can_revoke_token
from network.extensions import db, limiter
from network.i18n import lazy_gettext as _l

pages = Blueprint("api_pages", __name__, url_prefix="/api", template_folder="templates")


@bp.get("/openapi.json")
@limiter.exempt
def openapi_json():
    body = openapi.document_bytes()
    response = current_app.response_class(body, mimetype="application/json")
    response.set_etag(current_app.extensions["network_openapi_etag"]
                      if "network_openapi_etag" in current_app.extensions else _etag(body))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response.make_conditional(request)


def _etag(body: bytes) -> str:
    import hashlib

    tag = hashlib.sha256(body).hexdigest()[:32]
    current_app.extensions["network_openapi_etag"] = tag
    return tag


@bp.get("/docs")
@limiter.exempt
def docs():
    """The OpenAPI document as a page: rendered here, no scripts."""
    return render_template("api/docs.html", spec=openapi.document(), page_sections=openapi.page_sections,
                           schema_type=openapi.schema_type)


def _form() -> TokenForm:
    return TokenForm(may_followup=permissions.is_programme_staff(current_user),
                     max_days=current_app.config["API_TOKEN_MAX_DAYS"])


@pages.route("/nycklar", methods=["GET", "POST"])
@login_required
def token_list():
    form = _form()
    created = None
    if form.validate_on_submit():
        try:
            _row, created = tokens.create_token(current_user, name=form.name.data,
                                                scopes=form.scopes.data, days=form.days.data)
        except tokens.TokenError as error:
            form.name.errors = [*form.name.errors, str(error)]
        else:
            db.session.commit()
            form = _form()
            form.name.data = ""
    return render_template("api/tokens.html", form=form, created=created,
                           rows=tokens.tokens_of(current_user), scope_labels=_scope_labels(),
                           is_admin=can_list_all_tokens(current_user))


@pages.post("/nycklar/<int:token_id>/aterkalla")
@login_required
def token_revoke(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if not can_revoke_token(current_user, token):
        abort(404)
    tokens.revoke_token(current_user, token)
    db.session.commit()
    flash(_l("Nyckeln är återkallad och fungerar inte längre."), "success")
    if request.form.get("from") == "all" and can_list_all_tokens(current_user):
        return redirect(url_for("api_pages.all_tokens"))
    return redirect(url_for("api_pages.token_list"))


@pages.get("/nycklar/alla")
@login_required
def all_tokens():
    if not can_list_all_tokens(current_user):
        abort(403)
    return render_template("api/all_tokens.html", rows=tokens.active_tokens(),
                           scope_labels=_scope_labels())


def _scope_labels() -> dict[str, str]:
    return {s.value: s.label for s in Scope}
