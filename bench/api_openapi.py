"""``GET /api/v1/openapi.json``: the API's OpenAPI document (target: at least 50 % of
hello-world's req/s)."""

from __future__ import annotations

from pathlib import Path

from bench import harness

# The req/s ratio to hello-world this answer is held to (issue #19: the OpenAPI document).
TARGET_RPS_RATIO = 0.50

# One client asks thousands of times a second: the per-address API limit is not what is measured.
SERVER_ENV = {"API_RATE_LIMIT": "10000000 per minute"}


def setup(instance_dir: Path, base_url: str) -> harness.Target:
    return harness.Target(paths=["/api/v1/openapi.json"], expect_text='"openapi": "3.1.0"')
