"""Response headers every page gets. A view may set a stricter policy of its own (downloads do)."""

from __future__ import annotations

from flask import Flask, Response
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


def init_app(app: Flask) -> None:
    proxies = app.config.get("PROXY_COUNT", 0)
    if proxies:
        # Trust exactly that many proxies for the client address, scheme and host.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    headers_of_every_page = list(SECURITY_HEADERS)
    if app.config.get("SESSION_COOKIE_SECURE"):
        headers_of_every_page.append(("Strict-Transport-Security", "max-age=31536000"))

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        add_missing(response, headers_of_every_page)
        return response


def add_missing(response: Response, headers: list[tuple[str, str]]) -> None:
    """Add each header the response does not already have (a view's own stricter value wins).

    The names already set are collected once: asking ``Headers`` for a missing name one by one
    raises and catches an exception for each, a fixed cost on every response.
    """
    present = {name.lower() for name, _value in response.headers}
    response.headers.extend([(name, value) for name, value in headers
                             if name.lower() not in present])
