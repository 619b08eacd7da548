"""Small builders shared by the follow-up tests."""

from __future__ import annotations

from network.followup import services


def published_report(world, **fields):
    report = services.create_report_from_measure(world.member, world.measure)
    for name, value in fields.items():
        setattr(report, name, value)
    services.approve_report(world.facilitator, report)
    services.publish_report(world.facilitator, report)
    return report
