"""The same Range request on a 1 MB file: what resources_range_big is compared with."""

from __future__ import annotations

from pathlib import Path

from bench import harness
from bench._resources_data import MB, create_public_file


def setup(instance_dir: Path, base_url: str) -> harness.Target:
    with harness.app_context(instance_dir):
        file_id, _ = create_public_file(instance_dir, size=MB)
    return harness.Target(paths=[f"/bibliotek/fil/{file_id}"], headers={"Range": f"bytes=-{MB}"},
                          expect_status=206)
