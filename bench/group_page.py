"""A local group's page for a logged-in member: description, members, roles, organisations."""

from __future__ import annotations

from pathlib import Path

from bench import harness

EMAIL = "bench.group@example.se"
PASSWORD = "bench-grupp-losenord-1"  # noqa: S105 - a throwaway account in a temporary database


def setup(instance_dir: Path, base_url: str) -> harness.Target:
    harness.flask(instance_dir, "seed-demo", env={"NETWORK_ENV": "development"})
    with harness.app_context(instance_dir):
        group_id = join_malmo_group()
    return harness.Target(paths=[f"/grupper/{group_id}"],
                          headers=harness.login(base_url, EMAIL, PASSWORD),
                          expect_text="Amira Hassan")


def join_malmo_group() -> int:
    from sqlalchemy import select

    from network.accounts import services
    from network.accounts.models import Group
    from network.extensions import db

    group = db.session.scalar(select(Group).where(Group.name == "Samverkansgrupp Malmö"))
    user = services.create_user(EMAIL, PASSWORD, "Bänk Gruppsson", title="Kommunpolis")
    services.add_member(None, group, user)
    db.session.commit()
    return group.id
