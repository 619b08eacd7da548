"""``flask deploy-config nginx|systemd|cron|env`` and ``flask doctor``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app


def init_app(app: Flask) -> None:
    @app.cli.command("deploy-config")
    @click.argument("kind", type=click.Choice(["nginx", "systemd", "cron", "env"]))
    @click.option("--out", type=click.Path(file_okay=False, path_type=Path),
                  help="systemd: write each unit file into this folder instead of printing.")
    def deploy_config(kind: str, out: Path | None) -> None:
        """Print the nginx site, systemd units, cron lines or environment template."""
        from network.deploy import render

        try:
            if kind == "systemd" and out is not None:
                out.mkdir(parents=True, exist_ok=True)
                for name, text in render.systemd_units(current_app.config).items():
                    (out / name).write_text(text)
                click.echo(render.enable_command(current_app.config))
                return
            click.echo(render.render(kind, current_app.config), nl=False)
        except render.DeployConfigError as exc:
            raise click.ClickException(str(exc)) from exc

    @app.cli.command("doctor")
    @click.option("--lang", type=click.Choice(["sv", "en"]), default=None,
                  help="Language of the report (default: the installation's).")
    def doctor(lang: str | None) -> None:
        """Check a production instance before it serves; exits 1 on any failure."""
        from flask_babel import force_locale

        from network.deploy.doctor import report, run_checks

        with force_locale(lang or current_app.config["BABEL_DEFAULT_LOCALE"]):
            results = run_checks(current_app)
            text, failed = report(results)
        click.echo(text)
        if failed:
            raise SystemExit(1)
