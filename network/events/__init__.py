"""The events feature. See the issue for its scope; this package is filled in by its own work."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing to register yet."""
