"""Error pages: Swedish (or the chosen language), no stack traces, the right status code."""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from network.i18n import lazy_gettext as _l

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Felaktig begäran"),
          _l("Begäran kunde inte behandlas. Om du skickade ett formulär: ladda om sidan och "
             "försök igen.")),
    403: (_l("Åtkomst nekad"), _l("Du har inte behörighet att se eller göra detta.")),
    404: (_l("Sidan hittades inte"),
          _l("Sidan finns inte, har tagits bort eller är inte synlig för dig.")),
    405: (_l("Metoden är inte tillåten"), _l("Sidan kan inte användas på det sättet.")),
    413: (_l("Filen eller formuläret är för stort"),
          _l("Det du skickade är större än vad som är tillåtet. Försök med en mindre fil.")),
    429: (_l("För många försök"),
          _l("Du har gjort för många försök på kort tid. Vänta en stund och försök igen.")),
    507: (_l("Servern har inte plats just nu"),
          _l("Det du skickade kunde inte tas emot eftersom serverns disk är full. Ingenting har "
             "sparats. Försök igen senare; administratören har fått en varning i loggen.")),
    503: (_l("Tjänsten är tillfälligt otillgänglig"),
          _l("Databasen svarar inte just nu. Ingenting av det du skickade har sparats. Försök "
             "igen om en stund.")),
    500: (_l("Något gick fel"),
          _l("Ett oväntat fel inträffade. Ingenting har sparats. Försök igen om en stund.")),
}


def render_error(code: int, detail: str | None = None, headers: dict | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=str(title), message=str(detail or message)), code, headers or {}
    return render_template("errors/error.html", code=code, title=title,
                           message=detail or message), code, headers or {}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, str(_l("Formuläret har gått ut eller saknar säkerhetskod. "
                                        "Ladda om sidan och försök igen.")))

    @app.errorhandler(PermissionError)
    def access_denied(error: PermissionError):
        # A service refused an action the view did not check for (``permissions.check_access``):
        # nothing was changed, so roll back whatever the request had started and answer 403.
        from network.extensions import db

        db.session.rollback()
        return render_error(403)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in MESSAGES:
            # Keep what the exception says about the response, e.g. Allow on 405, Retry-After.
            keep = {k: v for k, v in error.get_headers() if k.lower() in {"allow", "retry-after"}}
            return render_error(error.code, headers=keep)
        return error

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error: DBAPIError):
        # The connection broke (server restarted, backend terminated, network): the transaction
        # is gone with it, so nothing of this request was written. Say so, and that it is brief.
        from network.extensions import db

        log.warning("database unavailable on %s %s: %s", request.method, request.path,
                    (str(error.orig or error).splitlines() or [type(error).__name__])[0])
        with contextlib.suppress(DBAPIError):  # the connection may already be discarded
            db.session.rollback()
        return render_error(503, headers={"Retry-After": "30"})

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        log.exception("Unhandled error on %s %s", request.method, request.path)
        from network.extensions import db

        db.session.rollback()
        if app.config.get("TESTING") and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        return render_error(InternalServerError.code)
