"""The start page of a logged-in member of several groups, on a network with demo data."""

from __future__ import annotations

from pathlib import Path

from bench import harness

EMAIL = "bench.start@example.se"
PASSWORD = "bench-start-losenord-1"  # noqa: S105 - a throwaway account in a temporary database
NAME = "Bänk Mätsson"


def setup(instance_dir: Path, base_url: str) -> harness.Target:
    if harness.has_command(instance_dir, "seed-demo"):
        # Demo data is only created in demo mode; the server itself runs the production config.
        harness.flask(instance_dir, "seed-demo", env={"NETWORK_ENV": "development"})
    with harness.app_context(instance_dir):
        create_member()
    return harness.Target(paths=["/"], headers=harness.login(base_url, EMAIL, PASSWORD),
                          expect_text=NAME)


def create_member() -> None:
    """The benchmark's user, in up to five groups; a small network is created when none exists."""
    from sqlalchemy import select

    from network.accounts import services
    from network.accounts.models import Group, GroupKind, GroupRole, OrganisationType
    from network.extensions import db

    groups = db.session.scalars(select(Group).order_by(Group.id).limit(5)).all()
    if not groups:
        groups = create_small_network(services, GroupKind, GroupRole, OrganisationType)
    organisation = services.create_organisation(None, "Bänkby kommun", OrganisationType.KOMMUN,
                                                municipality_code="0180")
    user = services.create_user(EMAIL, PASSWORD, NAME, organisation=organisation,
                                title="Trygghetssamordnare")
    for n, group in enumerate(groups):
        services.add_member(None, group, user, GroupRole.FACILITATOR if n == 0 else GroupRole.MEMBER)
    db.session.commit()


def create_small_network(services, GroupKind, GroupRole, OrganisationType) -> list:  # noqa: N803
    """About twenty people from five organisations in six groups, like a small demo network."""
    organisations = [
        services.create_organisation(None, name, kind, municipality_code=code)
        for name, kind, code in [
            ("Södertälje kommun", OrganisationType.KOMMUN, "0181"),
            ("Polisområde Stockholm syd", OrganisationType.POLIS, "0181"),
            ("Länsstyrelsen Stockholm", OrganisationType.LANSSTYRELSE, "0180"),
            ("Telgebostäder", OrganisationType.BOSTADSBOLAG, "0181"),
            ("Föreningen Trygga gator", OrganisationType.CIVILSAMHALLE, "0181"),
        ]
    ]
    people = [
        services.create_user(f"demo{n}@example.se", None, f"Demoperson {n}",
                             organisation=organisations[n % len(organisations)])
        for n in range(1, 21)
    ]
    groups = [
        services.create_group(None, name, kind)
        for name, kind in [
            ("Lokal samverkansgrupp Södertälje", GroupKind.LOCAL),
            ("Lokal samverkansgrupp Ronna", GroupKind.LOCAL),
            ("Nyrekrytering till kriminella nätverk", GroupKind.THEMATIC),
            ("Grovt våld", GroupKind.THEMATIC),
            ("Ordningsstörningar i offentlig miljö", GroupKind.THEMATIC),
            ("Uppföljning och utvärdering", GroupKind.THEMATIC),
        ]
    ]
    for n, person in enumerate(people):
        for group in (groups[n % 6], groups[(n + 2) % 6]):
            services.add_member(None, group, person, GroupRole.MEMBER)
    return groups[:5]
