"""A conditional GET of a library file answered with 304 (the browser already has it)."""

from __future__ import annotations

from pathlib import Path

from bench import harness
from bench._resources_data import create_public_file


def setup(instance_dir: Path, base_url: str) -> harness.Target:
    with harness.app_context(instance_dir):
        file_id, sha256 = create_public_file(instance_dir, size=100 * 1024)
    return harness.Target(paths=[f"/bibliotek/fil/{file_id}"],
                          headers={"If-None-Match": f'"{sha256}"'}, expect_status=304)
