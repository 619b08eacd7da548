"""Library files for the resource benchmarks, made through the library's own services."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

MB = 1024 * 1024


def write_zip(path: Path, size: int) -> None:
    """A stored (uncompressed) ZIP of random bytes: accepted as a ZIP, never text-extracted."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive, \
            archive.open("data.bin", "w", force_zip64=True) as member:
        left = size
        while left > 0:
            chunk = min(left, 4 * MB)
            member.write(os.urandom(chunk))
            left -= chunk


def create_public_file(instance_dir: Path, size: int) -> tuple[int, str]:
    """(file id, sha256) of a public resource holding one file of about ``size`` bytes."""
    from flask import current_app

    from network.accounts import services as accounts
    from network.accounts.models import NetworkRole
    from network.extensions import db
    from network.resources import services

    current_app.config["MAX_UPLOAD_BYTES"] = size + MB
    admin = accounts.create_user(f"bench-bibliotek-{size}@example.se", None, "Bänk Bibliotekarie",
                                 role=NetworkRole.ADMIN)
    source = Path(instance_dir) / f"bench-{size}.zip"
    write_zip(source, size)
    try:
        with source.open("rb") as stream:
            resource = services.create_resource(
                admin, title=f"Bänkfil {size // MB} MB", type="ovrigt", visibility="public",
                override_reason="Bänkens fil, publiceras utan granskning",
                uploads=[services.Upload(stream, "bankfil.zip")],
            )
        db.session.commit()
    finally:
        source.unlink(missing_ok=True)
    file = resource.versions[0].files[0]
    return file.id, file.sha256
