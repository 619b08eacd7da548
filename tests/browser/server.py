"""The live servers of the browser tests: Werkzeug's development server in a thread."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from werkzeug.serving import make_server


def buffered(wsgi_app: Callable) -> Callable:
    """``wsgi_app`` with each response read whole and closed before the server writes it.

    Werkzeug's development server calls a response's ``close()`` only after draining the
    request's socket, which raises when the browser has reset the connection (it does, for the
    favicon and for stylesheets it already has): the file being sent is then closed by the
    garbage collector, and its ResourceWarning fails whichever test runs at that moment. The
    pages the tests load are small; none is streamed endlessly."""

    def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
        iterable = wsgi_app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()

    return app


@contextmanager
def serving(app: Callable, name: str) -> Iterator[str]:
    """``app`` served on 127.0.0.1 at a port the OS picks; yields its base URL."""
    server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
