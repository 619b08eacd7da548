"""Conditional GETs answered in front of Flask, from what the full path answered before.

Calendar apps poll their feeds every few minutes and download managers re-check files; nearly
all of those requests end in 304 Not Modified. A view whose answer is the same for everyone who
may ask for that URL (a public file, a public feed, a feed whose URL carries its own secret token)
calls ``shareable(ttl)``. When such a request ends in 304, its headers are kept together with the
data generation read *before* the request began (see ``network/cache.py``). The next conditional
request for the same URL gets the same 304 here, without session, routing or database, while:

- the data generation is unchanged (a changed visibility, a revoked token, a moved event: any
  write makes every kept answer invalid), and
- the kept answer is younger than its TTL (feeds also change with the clock), and
- the request's own validators still match (``If-None-Match`` / ``If-Modified-Since``, the same
  rules Werkzeug applies).

Access stays with the view: an answer is kept only after the view's own permission check passed
for a response that does not depend on who asks, and a URL nobody was allowed to see never gets
an entry (wrong tokens, private files). An answer that sets a cookie is never kept. (Flask adds
``Vary: Cookie`` to nearly every response, since Flask-Login looks at the session after each
request; for an answer the view marked shareable it says nothing about who may have it.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, request
from werkzeug.http import is_resource_modified

from network.cache import Cache

SHAREABLE = "network.httpcache.ttl"
_SKIPPED_HEADERS = ("x-ratelimit-",)


def shareable(ttl: float) -> None:
    """Mark this request's answer as the same for everyone allowed to ask for its URL."""
    marks = request.environ.get(SHAREABLE)
    if marks is not None:  # None: a conditional request it cannot keep anyway
        marks["ttl"] = ttl


class ConditionalGetCache:
    """WSGI middleware; one per app, entries per process (the generation is shared)."""

    def __init__(self, wsgi_app: Callable, app: Flask, max_entries: int = 4096) -> None:
        self.wsgi_app = wsgi_app
        self.generation = app.extensions["network_cache"].generation
        # Kept answers: (ETag, Last-Modified, headers), valid at their generation and TTL.
        self.entries = Cache(self.generation, max_entries)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if (environ["REQUEST_METHOD"] not in ("GET", "HEAD") or "HTTP_RANGE" in environ
                or not ("HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ)):
            return self.wsgi_app(environ, start_response)
        key = (environ.get("HTTP_HOST"), environ.get("SCRIPT_NAME"), environ.get("PATH_INFO"),
               environ.get("QUERY_STRING"), environ.get("HTTP_ACCEPT_ENCODING"))
        generation = self.generation.value()
        entry = self.entries.get(key, generation)
        if entry is not None and not is_resource_modified(environ, etag=entry[0],
                                                          last_modified=entry[1]):
            start_response("304 NOT MODIFIED", list(entry[2]))
            return []

        # A dict, not a flag: Flask-SocketIO's middleware hands Flask a copy of the environ.
        marks: dict[str, float] = {}
        environ[SHAREABLE] = marks

        def remember_304(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            if status.startswith("304") and "ttl" in marks and generation is not None:
                self._keep(key, generation, marks, headers)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, remember_304)

    def _keep(self, key: tuple, generation: int, marks: dict, headers: list[tuple[str, str]]) -> None:
        if any(name.lower() == "set-cookie" for name, _ in headers):
            return
        etag, last_modified = marks.get("etag"), marks.get("last_modified")
        if etag is None and last_modified is None:
            return
        kept = tuple((name, value) for name, value in headers
                     if not name.lower().startswith(_SKIPPED_HEADERS))
        self.entries.set(key, (etag, last_modified, kept), generation, marks["ttl"])


def _note_validators(response: Response) -> Response:
    """Werkzeug drops Last-Modified from a 304 on its way out; note both validators first."""
    marks = request.environ.get(SHAREABLE)
    if marks and "ttl" in marks and response.status_code == 304:
        marks["etag"] = response.get_etag()[0]
        marks["last_modified"] = response.last_modified
    return response


def init_app(app: Flask) -> None:
    app.wsgi_app = ConditionalGetCache(app.wsgi_app, app)  # type: ignore[method-assign]
    app.after_request(_note_validators)
