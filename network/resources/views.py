"""The library's pages under /bibliotek: load, authorise, act."""

from __future__ import annotations

import datetime as dt
from functools import cache
from urllib.parse import quote

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
from markupsafe import Markup
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.utils import send_file as werkzeug_send_file

from network import atom as atom_format
from network import httpcache, permissions
from network.accounts.models import Area, ClassificationLevel, Group, Municipality, Organisation
from network.actions import commit_or_flash
from network.choices import bounded_choices
from network.extensions import db
from network.fragments import shared
from network.i18n import gettext as _
from network.i18n import lazy_gettext as _l
from network.pagecache import cached_page
from network.resources import filetypes, services, storage
from network.resources.forms import EditResourceForm, OverrideForm, RejectForm, ResourceForm, VersionForm
from network.resources.listing import listing_scope
from network.resources.models import (
    LANGUAGES,
    LICENCES,
    THEMES,
    TYPE_LABELS,
    Resource,
    ResourceVersion,
    ReviewStatus,
)
from network.resources.permissions import (
    can_create_resource,
    can_delete_resource,
    can_edit_resource,
    can_override_review,
    can_review_resource,
    can_see_review_queue,
    can_view_resource,
)

bp = Blueprint("resources", __name__, url_prefix=services.URL_PREFIX, template_folder="templates")

DOWNLOAD_CSP = "default-src 'none'; sandbox"
PUBLIC_FILE_RECHECK_SECONDS = 300
LEVEL_LABELS = {
    ClassificationLevel.SARSKILT_UTSATT.value: _l("Särskilt utsatt område"),
    ClassificationLevel.RISK.value: _l("Riskområde"),
    ClassificationLevel.UTSATT.value: _l("Utsatt område"),
}


@bp.app_context_processor
def labels() -> dict:
    return {"resource_type_labels": TYPE_LABELS, "resource_theme_labels": THEMES,
            "resource_licence_labels": LICENCES, "resource_language_labels": LANGUAGES,
            "area_level_labels": LEVEL_LABELS}


def _load(resource_id: int) -> Resource:
    resource = db.session.execute(_resource_page(), {"resource_id": resource_id}).scalar()
    # 404, not 403: whether a hidden resource exists is itself private.
    if resource is None or not can_view_resource(current_user, resource):
        abort(404)
    return resource


@cache
def _resource_page() -> Select:
    """A resource with all its page shows, built once per process (the id is a parameter). What
    it has one of (organisation, group, who added and reviewed it; a version's author) comes in
    the same query as its owner; each list in one more."""
    return select(Resource).where(Resource.id == bindparam("resource_id")).options(
        joinedload(Resource.organisation), joinedload(Resource.group),
        joinedload(Resource.created_by), joinedload(Resource.reviewed_by),
        selectinload(Resource.versions).selectinload(ResourceVersion.files),
        selectinload(Resource.versions).joinedload(ResourceVersion.created_by),
        selectinload(Resource.theme_rows), selectinload(Resource.municipalities),
        selectinload(Resource.areas), selectinload(Resource.links),
    )


# -- finding -----------------------------------------------------------------------------------


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _filters() -> services.Filters:
    args = request.args
    sort = args.get("sort", "")
    q = args.get("q", "").strip()[:200]
    if sort not in ("newest", "downloads", "relevance"):
        sort = "relevance" if q else "newest"
    return services.Filters(
        q=q, theme=args.get("tema", "") if args.get("tema") in THEMES else "",
        type=args.get("typ", "") if args.get("typ") in {t.value for t in TYPE_LABELS} else "",
        organisation_id=_int_arg("organisation"),
        municipality=args.get("kommun", "")[:4] if args.get("kommun", "").isdigit() else "",
        level=args.get("klass", "") if args.get("klass") in LEVEL_LABELS else "",
        year=_int_arg("ar"), sort=sort,
    )


@bp.get("/")
@cached_page(ttl=60, scopes=lambda: ("resources",))
def index():
    filters = _filters()
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "resources/index.html", results=_results(filters, _int_arg("page") or 1, args),
        filter_form=_filter_form(filters, args),
        can_create=can_create_resource(current_user),
        show_review_link=can_see_review_queue(current_user),
    )


def _filter_form(filters: services.Filters, args: dict) -> Markup:
    """The search and filter form, rendered once for every reader of the same listing scope
    (the years offered) and organisation (listed first among many) and the same filters."""
    own = getattr(current_user, "organisation_id", None)
    scope = listing_scope(current_user)

    def render() -> str:
        organisations = bounded_choices(
            select(Organisation), Organisation.id, Organisation.name,
            query=request.args.get("organisationsnamn", ""), selected=filters.organisation_id,
            preferred=[own] if own else None)
        municipalities = db.session.execute(
            select(Municipality.code, Municipality.name)
            .where(Municipality.code.in_(
                select(Organisation.municipality_code).where(Organisation.municipality_code.isnot(None))
            ) | Municipality.participating_since.isnot(None) | Municipality.code.in_(
                select(Area.municipality_code)
            ))
            .order_by(Municipality.name)
        ).all()
        return render_template("resources/_filters.html", filters=filters,
                               organisations=organisations, municipalities=municipalities,
                               years=services.years_in_use(current_user, scope))

    return shared("resources:filters", (scope, own,
                                        tuple(sorted(args.items()))), ("resources",), render)


def _results(filters: services.Filters, page: int, args: dict) -> Markup:
    """The list, rendered once for every reader of the same listing scope and URL while the
    library holds; a search reads each match's rights for its reader and is rendered for them."""
    scope = None if filters.q else listing_scope(current_user)

    def render() -> str:
        found = services.browse(current_user, filters, page=page, scope=scope)
        return render_template("resources/_results.html", page=found, args=args)

    if filters.q:
        return Markup(render())  # noqa: S704 - rendered by a template, which escaped it
    return shared("resources:list", (scope, page, tuple(sorted(args.items()))), ("resources",),
                  render)


@bp.get("/flode.atom")
def atom():
    resources = services.public_feed_entries()
    base = current_app.config["PUBLIC_BASE_URL"]
    items = [
        atom_format.Entry(
            id=f"{base}{services.resource_url(r.id)}", title=r.title,
            url=f"{base}{services.resource_url(r.id)}", summary=r.summary,
            published=r.published_at or r.created_at,
            updated=max(r.updated_at, r.published_at or r.created_at),
            author=r.organisation.name if r.organisation else "",
            categories=[atom_format.Category(str(r.type_label))],
        )
        for r in resources
    ]
    body = atom_format.feed(
        feed_id=f"{base}{url_for('resources.atom')}",
        title=_("Nya resurser i biblioteket") + " · " + current_app.config["NETWORK_NAME"],
        self_url=f"{base}{url_for('resources.atom')}", site_url=f"{base}{url_for('resources.index')}",
        author=current_app.config["NETWORK_NAME"], entries=items,
    )
    response = current_app.response_class(body, mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# -- one resource ------------------------------------------------------------------------------


@bp.get("/<int:resource_id>")
@cached_page(ttl=60)
def detail(resource_id: int):
    resource = _load(resource_id)
    return render_template(
        "resources/detail.html", resource=resource,
        usages=services.usages(current_user, resource),
        can_edit=can_edit_resource(current_user, resource),
        can_delete=can_delete_resource(current_user, resource),
        can_review=can_review_resource(current_user, resource)
        and resource.review_status == ReviewStatus.PENDING,
        can_override=can_override_review(current_user, resource)
        and resource.review_status == ReviewStatus.PENDING,
        reject_form=RejectForm(), override_form=OverrideForm(),
    )


def _group_choices() -> list[tuple]:
    stmt = select(Group).where(Group.archived.is_(False)).order_by(Group.name)
    if not permissions.is_admin(current_user):
        stmt = stmt.where(Group.id.in_(permissions.group_ids(current_user) or {-1}))
    return [("", _("Ingen grupp (hela nätverket)"))] + [(g.id, g.name) for g in db.session.scalars(stmt)]


def _fill_choices(form: ResourceForm) -> None:
    if form.group_id is not None:
        form.group_id.choices = _group_choices()
    form.organisation_id.choices = [("", _("Ingen organisation"))] + [
        (row.id, row.name) for row in db.session.execute(
            select(Organisation.id, Organisation.name).order_by(Organisation.name))
    ]
    form.municipalities.choices = [
        (row.code, row.name) for row in db.session.execute(
            select(Municipality.code, Municipality.name).order_by(Municipality.name))
    ]
    form.areas.choices = [
        (area.id, f"{area.name} ({area.municipality.name})") for area in db.session.scalars(
            select(Area).options(selectinload(Area.municipality)).order_by(Area.name))
    ]


def _uploads(field_name: str = "files") -> list[services.Upload]:
    return [services.Upload(f.stream, f.filename or "") for f in request.files.getlist(field_name)
            if f and (f.filename or f.content_length)]


def _metadata(form: ResourceForm) -> dict:
    return dict(
        title=form.title.data or "", summary=form.summary.data or "", type=form.type.data,
        themes=form.themes.data or [], organisation_id=form.organisation_id.data,
        municipality_codes=form.municipalities.data or [], area_ids=form.areas.data or [],
        language=form.language.data, licence=form.licence.data, visibility=form.visibility.data,
        external_url=form.external_url.data or None, year=form.year.data,
    )


def _form_failure(form, error: services.ResourceError, field=None):
    target = field if field is not None else form.title
    target.errors = [*list(target.errors or []), str(error)]


def _upload_failure(form, error: services.ResourceError, *, about_files: bool) -> int:
    """Roll back a refused upload, show why at the right field, and answer with its status:
    413 too large, 507 the disk is full, 422 anything else the reader can fix."""
    db.session.rollback()
    about_files = about_files or isinstance(error, services.UploadRefused)
    _form_failure(form, error, form.files if about_files else None)
    if isinstance(error, services.UploadTooLarge):
        return 413
    return 507 if isinstance(error, services.StorageFull) else 422


@bp.route("/ny", methods=["GET", "POST"])
@login_required
def create():
    if not can_create_resource(current_user):
        abort(403)
    form = ResourceForm()
    _fill_choices(form)
    if request.method == "GET":
        form.organisation_id.data = current_user.organisation_id
        form.year.data = dt.date.today().year
    status = 200
    if form.validate_on_submit():
        group_id = form.group_id.data
        group = db.session.get(Group, group_id) if group_id else None
        if not can_create_resource(current_user, group):
            abort(403)
        try:
            resource = services.create_resource(
                current_user, group_id=group_id, uploads=_uploads(),
                change_note=form.change_note.data or "", **_metadata(form),
            )
            db.session.commit()
        except services.ResourceError as exc:
            status = _upload_failure(form, exc, about_files=False)
        else:
            if resource.review_status == ReviewStatus.PENDING:
                flash(_("Resursen är sparad. Den visas för besökare när en samordnare har godkänt "
                        "den."), "success")
            else:
                flash(_("Resursen är sparad."), "success")
            return redirect(url_for("resources.detail", resource_id=resource.id))
    elif request.method == "POST":
        status = 422
    return render_template("resources/form.html", form=form, resource=None,
                           max_size=services.upload_limit_text()), status


@bp.route("/<int:resource_id>/redigera", methods=["GET", "POST"])
@login_required
def edit(resource_id: int):
    resource = _load(resource_id)
    if not can_edit_resource(current_user, resource):
        abort(403)
    form = EditResourceForm(obj=resource if request.method == "GET" else None)
    _fill_choices(form)
    if request.method == "GET":
        form.themes.data = resource.themes
        form.municipalities.data = [m.code for m in resource.municipalities]
        form.areas.data = [a.id for a in resource.areas]
    status = 200
    if form.validate_on_submit():
        try:
            services.update_resource(current_user, resource, **_metadata(form))
            db.session.commit()
        except services.ResourceError as exc:
            db.session.rollback()
            _form_failure(form, exc)
            status = 422
        else:
            flash(_("Ändringarna är sparade."), "success")
            return redirect(url_for("resources.detail", resource_id=resource.id))
    elif request.method == "POST":
        status = 422
    return render_template("resources/form.html", form=form, resource=resource), status


@bp.route("/<int:resource_id>/ny-version", methods=["GET", "POST"])
@login_required
def new_version(resource_id: int):
    resource = _load(resource_id)
    if not can_edit_resource(current_user, resource):
        abort(403)
    form = VersionForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.add_version(current_user, resource, _uploads(), form.change_note.data)
            db.session.commit()
        except services.ResourceError as exc:
            status = _upload_failure(form, exc, about_files=True)
        else:
            flash(_("Den nya versionen är sparad."), "success")
            return redirect(url_for("resources.detail", resource_id=resource_id))
    elif request.method == "POST":
        status = 422
    return render_template("resources/version_form.html", form=form, resource=resource,
                           max_size=services.upload_limit_text()), status


@bp.post("/<int:resource_id>/ta-bort")
@login_required
def delete(resource_id: int):
    resource = _load(resource_id)
    if not can_delete_resource(current_user, resource):
        abort(403)
    services.delete_resource(current_user, resource)
    db.session.commit()
    flash(_("Resursen är borttagen."), "success")
    return redirect(url_for("resources.index"))


# -- review ------------------------------------------------------------------------------------


@bp.get("/granskning")
@login_required
def review_queue():
    if not can_see_review_queue(current_user):
        abort(403)
    return render_template("resources/review.html", resources=services.review_queue(current_user))


@bp.post("/<int:resource_id>/godkann")
@login_required
def approve(resource_id: int):
    resource = _load(resource_id)
    if not can_review_resource(current_user, resource):
        abort(403)
    commit_or_flash(lambda: services.approve(current_user, resource),
                    _("Resursen är godkänd och visas nu för alla."), services.ResourceError)
    return redirect(url_for("resources.detail", resource_id=resource_id))


@bp.post("/<int:resource_id>/publicera-utan-granskning")
@login_required
def override(resource_id: int):
    resource = _load(resource_id)
    if not can_override_review(current_user, resource):
        abort(403)
    form = OverrideForm()
    if not form.validate_on_submit():
        for error in form.reason.errors or [_("Formuläret kunde inte skickas. Försök igen.")]:
            flash(str(error), "error")
        return redirect(url_for("resources.detail", resource_id=resource_id))
    commit_or_flash(lambda: services.override_publish(current_user, resource, form.reason.data),
                    _("Resursen är publicerad för alla. Skälet är sparat i granskningsloggen."),
                    services.ResourceError)
    return redirect(url_for("resources.detail", resource_id=resource_id))


@bp.post("/<int:resource_id>/avsla")
@login_required
def reject(resource_id: int):
    resource = _load(resource_id)
    if not can_review_resource(current_user, resource):
        abort(403)
    form = RejectForm()
    if not form.validate_on_submit():
        abort(400)
    commit_or_flash(lambda: services.reject(current_user, resource, form.note.data or ""),
                    _("Resursen publiceras inte för besökare. Medlemmarna kan fortfarande se den."),
                    services.ResourceError)
    return redirect(url_for("resources.detail", resource_id=resource_id))


# -- downloads ---------------------------------------------------------------------------------


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the exact UTF-8 name (RFC 6266 / RFC 5987)."""
    fallback = filetypes.ascii_fallback(filename).replace("\\", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _download_headers(response, file) -> None:
    headers = response.headers
    # As stored (``text/plain; charset=utf-8``): a mimetype argument would get a second charset.
    headers["Content-Type"] = file.content_type
    headers["Content-Disposition"] = content_disposition(file.filename)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Content-Security-Policy"] = DOWNLOAD_CSP
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if file.effective_visibility == permissions.Visibility.PUBLIC:
        headers["Cache-Control"] = "public, no-cache"
    else:
        headers["Cache-Control"] = "private, no-cache"
        headers["Vary"] = "Cookie"


def _counts_as_download(status: int) -> bool:
    """A full GET, or the first part of a resumed one; not HEAD, 304 or later ranges."""
    if request.method != "GET" or status not in (200, 206):
        return False
    if status == 206:
        ranges = request.range
        return bool(ranges and ranges.ranges and ranges.ranges[0][0] == 0)
    return True


@bp.route("/fil/<int:file_id>", methods=["GET", "HEAD"])
@bp.route("/fil/<int:file_id>/<path:name>", methods=["GET", "HEAD"])
def download(file_id: int, name: str | None = None):
    file = services.download_info(file_id)
    # The same rule as the resource page (permissions.can_view_content on the resource's
    # effective visibility and group), for every version's files and every direct URL.
    if file is None or not permissions.can_view_content(current_user, file.effective_visibility,
                                                        file.group_id):
        abort(404)
    if file.effective_visibility == permissions.Visibility.PUBLIC:
        # Files never change under their id; a changed visibility is a write, which ends this.
        httpcache.shareable(PUBLIC_FILE_RECHECK_SECONDS)
    path = storage.path_for(file.storage_key)
    prefix = current_app.config.get("X_ACCEL_REDIRECT_PREFIX")
    if prefix:
        response = _accel_response(file, prefix)
    else:
        if not path.is_file():
            abort(404)
        environ = request.environ
        if "HTTP_RANGE" in environ:
            # The server's file wrapper (sendfile) cannot seek, so Werkzeug would read and drop
            # everything before the range; its own wrapper seeks straight to it.
            environ = {k: v for k, v in environ.items() if k != "wsgi.file_wrapper"}
        response = werkzeug_send_file(
            path, environ, mimetype=file.content_type, as_attachment=True,
            download_name=file.filename, conditional=True, etag=file.sha256,
            last_modified=file.created_at, max_age=None, response_class=current_app.response_class,
        )
    _download_headers(response, file)
    if _counts_as_download(response.status_code):
        services.record_download(file, current_user)
        db.session.commit()
    return response


def _accel_response(file, prefix: str):
    """Let nginx send the bytes (and Ranges); the permission check stayed here."""
    response = current_app.response_class(mimetype=file.content_type)
    response.set_etag(file.sha256)
    response.last_modified = file.created_at
    response.make_conditional(request)
    if response.status_code != 304:
        response.headers["X-Accel-Redirect"] = (
            prefix.rstrip("/") + "/" + storage.relative_path(file.storage_key)
        )
    return response
