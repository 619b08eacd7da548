"""The chat feature. See its issue for the scope; this package is filled in by that work."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing to register yet."""
