"""``flask followup-seed-demo`` (demo content) and ``flask followup-seed-bench`` (benchmark data)."""

from __future__ import annotations

import click
from flask import Flask

from network.extensions import db


def init_app(app: Flask) -> None:
    # The accounts feature's seed-demo hook, when it exists, runs our demo content too.
    from network.accounts.demo import register_seed
    from network.followup import demo

    register_seed(app, demo.seed_demo)

    @app.cli.command("followup-seed-demo")
    def seed_demo_command() -> None:
        """Demo plans, measures, measurements, reports and support (skipped if plans exist)."""
        demo.seed_demo(None)
        db.session.commit()
        click.echo("Uppföljningens demodata är på plats.")

    @app.cli.command("followup-seed-bench")
    @click.option("--municipalities", default=50)
    @click.option("--measures", default=20)
    @click.option("--measurements", default=24)
    def seed_bench_command(municipalities: int, measures: int, measurements: int) -> None:
        """Large data set for the dashboard benchmark."""
        demo.seed_bench(municipalities, measures, measurements)
        db.session.commit()
        click.echo("Klart.")
