"""Pages that belong to no single feature: the start page, language choice and health."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Flask,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
)
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import text
from werkzeug.exceptions import BadRequest

from network import chrome
from network.chrome import UNREAD_BADGE
from network.extensions import db
from network.i18n import get_locale, gettext
from network.i18n import lazy_gettext as _l
from network.pagecache import cached_page, page_user_id, register_personal_value

bp = Blueprint("main", __name__)

# A start-page panel: callable(user) -> (template name, context), its HTML already rendered
# (a part shared by many readers, ``network/fragments.py``), or None to skip.
Panel = Callable[[Any], tuple[str, dict] | Markup | None]


def register_nav(app: Flask, endpoint: str, label: Any, order: int = 50,
                 members_only: bool = False, when: Callable[[Any], bool] | None = None) -> None:
    """Add a main-menu entry; ``when(user) -> bool`` narrows it further (e.g. admins only)."""
    app.extensions["network_nav"].append(
        {"endpoint": endpoint, "label": label, "order": order, "members_only": members_only,
         "when": when}
    )
    app.extensions["network_nav"].sort(key=lambda item: item["order"])


# counter(user_id, load_user) -> the member's unread count; load_user() gives their account,
# for a count not kept (the cached page knows the member by id alone).
UnreadCounter = Callable[[int, Callable[[], Any]], int]


def register_unread_counter(app: Flask, counter: UnreadCounter) -> None:
    """The header's unread badge: notifications registers how to count a member's unread. The
    badge is filled into every response (``pagecache.register_personal_value``), so a member's
    cached pages stay when their notifications come and go, and their badge is always current."""
    app.extensions["network_unread_counter"] = counter


def _unread_badge() -> Markup:
    counter = current_app.extensions.get("network_unread_counter")
    user_id = page_user_id()
    if counter is None or user_id is None:
        return Markup("")
    count = counter(user_id, current_user._get_current_object)
    if not count:
        return Markup("")
    return Markup(' <span class="badge">{}<span class="visually-hidden"> {}</span></span>').format(
        count if count <= 99 else "99+", gettext("olästa"))


def register_panel(app: Flask, panel: Panel, order: int = 50) -> None:
    app.extensions["network_panels"].append((order, panel))
    app.extensions["network_panels"].sort(key=lambda item: item[0])


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Only same-site relative paths are followed after login or a language switch."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback


@bp.get("/")
@cached_page(ttl=60)  # "upcoming" and "new since" panels change with the clock too
def index():
    panels = []
    for _order, panel in current_app.extensions["network_panels"]:
        result = panel(current_user)
        if result:
            panels.append(result if isinstance(result, tuple) else (None, result))
    return render_template("index.html", panels=panels)


def _in_language(name: str) -> str:
    """Long documents are written whole per language (``pages/<name>.<lang>.html``) rather than
    cut into many catalog strings; Swedish is the fallback."""
    lang = get_locale().language if get_locale() else "sv"
    return f"pages/{name}.{lang if lang in ('sv', 'en') else 'sv'}.html"


@bp.get("/tillganglighet")
def accessibility():
    return render_template(_in_language("accessibility"))


@bp.get("/integritet")
def privacy():
    return render_template(_in_language("privacy"))


@bp.post("/sprak")
def set_language():
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        raise BadRequest()
    session["lang"] = lang
    if current_user.is_authenticated:
        current_user.locale = lang
        db.session.commit()
    return redirect(safe_next(request.form.get("next")))


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for it at the root whatever the page says; behind nginx it is static."""
    return send_from_directory(current_app.static_folder, "favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=7 * 24 * 3600)


@bp.get("/healthz")
def healthz():
    """Liveness: the database answers. ``?ready=1`` (readiness) also checks Redis, when
    configured, and that the storage folder takes a file."""
    checks = {"database": _check(lambda: db.session.execute(text("SELECT 1")))}
    if request.args.get("ready"):
        if current_app.config.get("REDIS_URL"):
            checks["redis"] = _check(_ping_redis)
        checks["storage"] = _check(_probe_storage)
    status = 200 if all(v == "ok" for v in checks.values()) else 503
    return jsonify(status="ok" if status == 200 else "error", **checks), status


def _check(probe) -> str:
    try:
        probe()
    except Exception:  # noqa: BLE001 - any failure means the dependency is not usable
        return "unavailable"
    return "ok"


def _ping_redis() -> None:
    import redis

    client = redis.Redis.from_url(current_app.config["REDIS_URL"], socket_connect_timeout=1,
                                  socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()


def _probe_storage() -> None:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryFile(dir=Path(current_app.config["STORAGE_DIR"])):
        pass


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_personal_value(UNREAD_BADGE, _unread_badge)
    register_nav(app, "main.index", _l("Start"), order=0)

    @app.context_processor
    def navigation() -> dict:
        return {"site_header": chrome.site_header, "site_footer": chrome.site_footer,
                "network_name": app.config["NETWORK_NAME"],
                "get_locale": get_locale,
                "contact_email": app.config["CONTACT_EMAIL"],
                "has_endpoint": app.view_functions.__contains__}
