"""Commands: ``flask --app network create-admin``, ``load-reference``, ``purge-sessions``, ``seed-demo``."""

from __future__ import annotations

import click
from flask import Flask, current_app

from network.extensions import db

# Every demo person's address is in this domain (network/accounts/demo.py).
DEMO_DOMAIN = "example.se"


def _check_trial() -> None:
    """A trial may run in production, but never mails the demo people nor mixes with them."""
    from sqlalchemy import func, select

    from network.accounts.demo import USERS
    from network.accounts.models import User

    config = current_app.config
    if config.get("MAIL_TRANSPORT") == "smtp" and DEMO_DOMAIN not in config.get(
            "MAIL_DISCARD_DOMAINS", []):
        raise click.ClickException(
            f"En provinstallation skickar aldrig e-post till demopersonerna: sätt "
            f"MAIL_DISCARD_DOMAINS={DEMO_DOMAIN} i miljön först.")
    emails = [entry[3] for entry in USERS.values()]
    if db.session.scalar(select(func.count()).select_from(User).where(User.email.in_(emails))):
        raise click.ClickException("Demodata finns redan i databasen.")


def _last_outbox_id() -> int:
    from sqlalchemy import func, select

    from network.outbox import OutboxEmail

    return db.session.scalar(select(func.coalesce(func.max(OutboxEmail.id), 0)))


def _drop_queued_mail(after_id: int, addresses: list[str]) -> None:
    from sqlalchemy import delete

    from network.outbox import OutboxEmail

    db.session.execute(delete(OutboxEmail).where(OutboxEmail.id > after_id,
                                                 OutboxEmail.to_addr.in_(addresses)))


def init_app(app: Flask) -> None:
    from network import jobs
    from network.accounts.sessions import purge_expired

    jobs.register(app, "accounts.purge_sessions", lambda: purge_expired())

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
        from network.accounts.passwords import MIN_LENGTH
        from network.accounts.services import AccountError, audit, create_user

        if len(password) < MIN_LENGTH:
            raise click.ClickException(f"Lösenordet måste ha minst {MIN_LENGTH} tecken.")
        try:
            user = create_user(email, password, name, role=NetworkRole.ADMIN)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from exc
        audit(None, "user.create_admin", user, via="cli")
        db.session.commit()
        click.echo(f"Administratör {user.email} skapad.")

    @app.cli.command("purge-sessions")
    def purge_sessions() -> None:
        """Delete expired sign-in sessions (they are refused already); run daily."""
        from network import jobs
        from network.accounts.sessions import purge_expired

        if jobs.queue_instead("accounts.purge_sessions"):
            click.echo("Lagt i jobbkön.")
            return
        removed = purge_expired()
        db.session.commit()
        click.echo(f"{removed} utgångna sessioner borttagna.")

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database has users.")
    @click.option("--force", is_flag=True, help="Run even outside demo mode (never in production).")
    @click.option("--trial", is_flag=True,
                  help="A trial installation in production: next to create-admin's account, "
                       "and only when mail to the demo people's domain is discarded "
                       f"(MAIL_DISCARD_DOMAINS={DEMO_DOMAIN}).")
    def seed_demo_command(if_empty: bool, force: bool, trial: bool) -> None:
        """Fill the database with a realistic demo network; prints the demo passwords once."""
        from network.accounts.demo import database_has_users, seed_demo

        if trial:
            _check_trial()
        elif not current_app.config.get("DEMO_MODE") and not force:
            raise click.ClickException(
                "seed-demo körs bara i demoläge (NETWORK_ENV=development), med --trial "
                "(provinstallation) eller med --force.")
        elif database_has_users():
            if if_empty:
                click.echo("Databasen har redan användare; inga demodata skapade.")
                return
            raise click.ClickException("Databasen har redan användare. Använd en tom databas.")
        first_outbox_id = _last_outbox_id()
        ctx = seed_demo()
        if trial:
            # Nothing the seeding queued for the demo people waits in the outbox either.
            _drop_queued_mail(first_outbox_id, list(ctx.passwords))
        db.session.commit()
        click.echo("Demonätverket är skapat. Lösenorden visas bara nu:")
        for email, password in ctx.passwords.items():
            user = next(u for u in ctx.users.values() if u.email == email)
            role = " (administratör)" if user.is_admin else ""
            click.echo(f"  {email:45} {password}{role}")
