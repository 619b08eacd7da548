"""``flask resources gc``: remove files that no database row refers to (after a crash)."""

from __future__ import annotations

import time

import click
from flask import Flask
from sqlalchemy import select

from network.extensions import db


def init_app(app: Flask) -> None:
    group = click.Group("resources", help="Resursbiblioteket.")

    @group.command("gc")
    @click.option("--dry-run", is_flag=True, help="Visa bara vad som skulle tas bort.")
    def gc(dry_run: bool) -> None:
        """Ta bort lagrade filer utan databasrad och gamla temporära filer."""
        from network.resources import storage
        from network.resources.models import ResourceFile

        # Files younger than an hour may belong to an upload whose row is about to commit.
        cutoff = time.time() - 3600
        known = set(db.session.scalars(select(ResourceFile.storage_key)))
        orphans = [(key, path) for key, path in storage.iter_files()
                   if key not in known and path.stat().st_mtime < cutoff]
        for key, _path in orphans:
            if not dry_run:
                storage.remove_key(key)
        stale = 0 if dry_run else storage.remove_stale_temp()
        click.echo(f"{len(orphans)} orphaned files, {stale} stale temporary files"
                   + (" (dry run)" if dry_run else " removed"))

    app.cli.add_command(group)
