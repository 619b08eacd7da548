"""Operating an installation: ``flask deploy-config`` writes the nginx site, systemd units, cron
lines and environment template from the current settings; ``flask doctor`` checks a production
instance before it serves."""

from __future__ import annotations

import sys

from flask import Flask


def doctor_requested(argv: list[str] | None = None) -> bool:
    """Is this process ``flask ... doctor``? Its app is built without refusing unsafe settings,
    so the doctor can name every problem with its fix instead of dying on the first."""
    argv = sys.argv if argv is None else argv
    program = argv[0].replace("\\", "/") if argv else ""
    is_flask = program.endswith("/flask") or program == "flask" or program.endswith(
        "flask/__main__.py")
    return is_flask and "doctor" in argv[1:]


def init_app(app: Flask) -> None:
    from network.deploy import cli, logs, metrics

    cli.init_app(app)
    logs.init_app(app)
    metrics.init_app(app)
