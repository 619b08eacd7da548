"""Small builders shared by the follow-up tests."""

from __future__ import annotations

from network.followup import review, services


def published_report(world, **fields):
    """Written by a member, submitted, approved and published by the facilitator (not the author)."""
    report = services.create_report_from_measure(world.member, world.measure)
    for name, value in fields.items():
        setattr(report, name, value)
    review.submit_report(world.member, report)
    review.approve_report(world.facilitator, report)
    review.publish_report(world.facilitator, report)
    return report


def public_charts(world, measure=None):
    """A member asks, the facilitator (someone else) approves."""
    measure = measure or world.measure
    review.request_public_charts(world.member, measure)
    review.approve_public_charts(world.facilitator, measure)
    return measure
