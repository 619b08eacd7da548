"""``flask deploy-config nginx|systemd|cron|env``, ``flask doctor``, ``flask seed-scale`` and
``flask recount-totals``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app


def init_app(app: Flask) -> None:
    init_backup_commands(app)
    init_scale_command(app)
    init_recount_command(app)

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


def init_backup_commands(app: Flask) -> None:
    @app.cli.command("backup")
    @click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
    def backup(archive: Path) -> None:
        """Write the database and the stored files, with a manifest of hashes, to ARCHIVE."""
        from network.deploy.backup import BackupError, create_backup

        try:
            manifest = create_backup(current_app, archive)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"{archive}: databas ({', '.join(manifest['schema'])}) och "
                   f"{len(manifest['files']) - 1} filer.")

    @app.cli.command("restore")
    @click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def restore(archive: Path) -> None:
        """Restore ARCHIVE into this empty instance (a new database, an empty storage folder)."""
        from network.deploy.backup import BackupError, restore_backup

        try:
            manifest = restore_backup(current_app, archive)
        except BackupError as exc:
            raise click.ClickException(f"Ingenting återställt: {exc}") from exc
        click.echo(f"Återställt från {archive} (skapat {manifest['created_at']}). Kör sedan "
                   f".venv/bin/flask --app network db upgrade och doctor.")


def init_scale_command(app: Flask) -> None:
    @app.cli.command("seed-scale")
    @click.option("--factor", type=float, default=1.0, show_default=True,
                  help="1.0 = the whole country (issue 22's sizes); 0.1 = a tenth.")
    @click.option("--password", default=None,
                  help="One password for every generated account (default: none can sign in).")
    def seed_scale(factor: float, password: str | None) -> None:
        """Generate a national-scale network in an empty database (for measuring, never real use)."""
        from network.deploy.scale import ScaleError, generate

        password_hash = None
        if password:
            from network.accounts.passwords import hash_password

            password_hash = hash_password(password)
        try:
            result = generate(factor, password_hash=password_hash,
                              progress=lambda line: click.echo(f"  {line}"))
        except ScaleError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo("Skaldata klara: " + ", ".join(f"{k} {v}" for k, v in result["counts"].items()))
        click.echo(f"Tid: {sum(result['seconds'].values()):.1f} s (processorn i den här processen: "
                   f"{result['cpu_seconds']} s)")


def init_recount_command(app: Flask) -> None:
    @app.cli.command("recount-totals")
    @click.option("--check", "check_only", is_flag=True,
                  help="Only report totals that differ; exit status 1 if any does.")
    def recount_totals(check_only: bool) -> None:
        """Compare the running totals with counting their rows, and mend those that differ."""
        from network.deploy import recount
        from network.extensions import db

        found = recount.check() if check_only else recount.recount()
        for name, rows in found.items():
            state = "stämmer" if not rows else (f"{rows} rader skiljer sig" if check_only
                                                 else f"{rows} rader rättade")
            click.echo(f"{name}: {state}")
        if check_only:
            db.session.rollback()
            if any(found.values()):
                raise SystemExit(1)
        else:
            db.session.commit()
