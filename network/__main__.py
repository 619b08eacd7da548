"""``python -m network [--host H] [--port P]``: serve the app and its websockets.

One process, Socket.IO in threading mode with simple-websocket on the Werkzeug server: the
embedded mode. Scaled deployments run gunicorn instead (README, "Scaled deployment"): gevent
workers for the chat behind a front server with sticky sessions, sharing Redis through
``REDIS_URL``.
"""

from __future__ import annotations

import argparse

from network import create_app
from network.address import served_address
from network.extensions import socketio


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m network")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args(argv)
    app = create_app()
    if app.config.get("PUBLIC_BASE_URL_FROM_REQUEST"):  # links made before the first request
        app.config["PUBLIC_BASE_URL"] = served_address(args.host, args.port)
    # The Werkzeug server is fine for the embedded single-process mode this command is for.
    socketio.run(app, host=args.host, port=args.port, debug=args.debug, use_reloader=False,
                 log_output=args.debug, allow_unsafe_werkzeug=True)


if __name__ == "__main__":
    main()
