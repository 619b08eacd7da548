"""Commands: ``flask --app network create-admin``, ``load-reference``."""

from __future__ import annotations

import click
from flask import Flask

from network.extensions import db


def init_app(app: Flask) -> None:
    @app.cli.command("load-reference")
    def load_reference() -> None:
        """Load Sweden's counties and municipalities (safe to run again)."""
        from network.accounts.reference import load_reference_data

        added = load_reference_data(db.session)
        db.session.commit()
        click.echo(f"{added} rader tillagda.")

    @app.cli.command("create-admin")
    @click.option("--email", prompt=True)
    @click.option("--name", prompt=True)
    @click.password_option()
    def create_admin(email: str, name: str, password: str) -> None:
        """Create a network coordinator (admin) account."""
        from network.accounts.models import NetworkRole
        from network.accounts.services import AccountError, audit, create_user

        try:
            user = create_user(email, password, name, role=NetworkRole.ADMIN)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from exc
        audit(None, "user.create_admin", user, via="cli")
        db.session.commit()
        click.echo(f"Administratör {user.email} skapad.")
