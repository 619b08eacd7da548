"""``GET /api/v1/resources?limit=100``: a page of 100 public resources with versions and files,
as a visitor, uncached (target: at least 25 % of hello-world's req/s)."""

from __future__ import annotations

import io
from pathlib import Path

from bench import harness

# The req/s ratio to hello-world this answer is held to (issue #19: a paginated list of 100 resources).
TARGET_RPS_RATIO = 0.25

# One client asks thousands of times a second: the per-address API limit is not what is measured.
SERVER_ENV = {"API_RATE_LIMIT": "10000000 per minute"}

COUNT = 120


def setup(instance_dir: Path, base_url: str) -> harness.Target:
    with harness.app_context(instance_dir):
        from network.accounts import services as accounts
        from network.accounts.models import NetworkRole
        from network.extensions import db
        from network.resources import services

        admin = accounts.create_user("bench-api@example.se", None, "Bänk API", role=NetworkRole.ADMIN)
        for n in range(COUNT):
            services.create_resource(
                admin, title=f"Metodstöd {n}", type="metodstod", visibility="public",
                summary="Ett metodstöd för trygghetsarbete i bostadsområden.",
                themes=["samverkan", "grovt_vald"], licence="cc-by-4.0",
                override_reason="Bänkens metodstöd, publiceras utan granskning",
                uploads=[services.Upload(io.BytesIO(f"Metodstöd nummer {n}\n".encode()), f"stod-{n}.txt")])
        db.session.commit()
    return harness.Target(paths=["/api/v1/resources?limit=100"], expect_text="Metodstöd 119")
