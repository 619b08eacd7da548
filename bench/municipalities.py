"""The municipality list (all 290, priority-sorted in SQL) for a visitor, with demo areas."""

from __future__ import annotations

from pathlib import Path

from bench import harness


def setup(instance_dir: Path, base_url: str) -> harness.Target:
    # Demo data gives five municipalities areas and classification history to sort by.
    harness.flask(instance_dir, "seed-demo", env={"NETWORK_ENV": "development"})
    return harness.Target(paths=["/kommuner"], expect_text="Örebro")
