"""Logging, configured once per process (not per app the factory builds), and a request id.

Production logs one JSON object per line (``LOG_FORMAT=json``): time, level, logger, message and
the request's id, which nginx passes as ``X-Request-Id`` (or the app makes one) and the response
repeats, so a line in the app's log can be found from nginx's log and from what a user saw.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid

from flask import Flask, g, has_app_context, request

_configured: str | None = None
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # A request's id, or in a background job the id of the request that queued it
        # (network/jobs.py sets it in the job's app context).
        record.request_id = getattr(g, "request_id", "-") if has_app_context() else "-"
        return True


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(log_format: str) -> None:
    """Set the root handler once per process; later calls (more apps, tests) change nothing."""
    global _configured
    if _configured is not None:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JSONFormatter() if log_format == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
    logging.getLogger("network").setLevel(logging.INFO)
    _configured = log_format


def init_app(app: Flask) -> None:
    @app.before_request
    def _request_id() -> None:
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex

    @app.after_request
    def _echo_request_id(response):
        request_id = getattr(g, "request_id", None)
        if request_id:
            response.headers["X-Request-Id"] = request_id
        return response
