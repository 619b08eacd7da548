"""Resuming a download: the last megabyte of a 200 MB library file (Range → 206)."""

from __future__ import annotations

from pathlib import Path

from bench import harness
from bench._resources_data import MB, create_public_file


def setup(instance_dir: Path, base_url: str) -> harness.Target:
    with harness.app_context(instance_dir):
        file_id, _ = create_public_file(instance_dir, size=200 * MB)
    return harness.Target(paths=[f"/bibliotek/fil/{file_id}"], headers={"Range": f"bytes=-{MB}"},
                          expect_status=206)
