"""The address links point to: ``PUBLIC_BASE_URL``, or in development the address served.

Production requires ``PUBLIC_BASE_URL`` (config.py refuses to start without it). Development
without it follows whatever address the server is reached at (``make run HOST=… PORT=…``): each
request records its own root URL as the base for the links built while it runs (feeds, emails,
invitations), so services keep reading one setting and never the request. Development serves
one person at one address; two addresses at once would only make links follow the latest.
"""

from __future__ import annotations

from flask import Flask, request


def served_address(host: str, port: int) -> str:
    """``http://host:port`` for a server bound to ``host`` (a wildcard bind becomes loopback)."""
    if host in {"", "0.0.0.0", "::"}:  # noqa: S104 - naming a wildcard bind, not binding one
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def init_app(app: Flask) -> None:
    if not app.config.get("PUBLIC_BASE_URL_FROM_REQUEST"):
        return

    @app.before_request
    def follow_the_served_address() -> None:
        app.config["PUBLIC_BASE_URL"] = request.url_root.rstrip("/")
