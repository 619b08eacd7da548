"""The programme's numbers: each indicator's newest measurement is kept on write, and trends are
counted in SQL exactly as ``dashboard.trend`` classifies them in Python."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import select

from network.followup import dashboard, services
from network.followup.models import Indicator


def test_the_newest_measurement_is_kept_whatever_order_they_come_in(world, db):
    ind = world.indicator
    assert (ind.latest_value, ind.latest_date) == (None, None)
    services.add_measurement(world.member, ind, date=dt.date(2025, 6, 30), value="45")
    services.add_measurement(world.member, ind, date=dt.date(2025, 3, 31), value="41")  # an older one
    assert (ind.latest_value, ind.latest_date) == (45.0, dt.date(2025, 6, 30))
    services.add_measurement(world.member, ind, date=dt.date(2025, 9, 30), value="48,5")
    assert (ind.latest_value, ind.latest_date) == (48.5, dt.date(2025, 9, 30))


def test_deleting_the_newest_measurement_falls_back_to_the_one_before(world, db):
    ind = world.indicator
    older = services.add_measurement(world.member, ind, date=dt.date(2025, 3, 31), value="41")
    newest = services.add_measurement(world.member, ind, date=dt.date(2025, 6, 30), value="45")
    services.delete_measurement(world.member, newest)
    assert (ind.latest_value, ind.latest_date) == (41.0, dt.date(2025, 3, 31))
    services.delete_measurement(world.member, older)
    assert (ind.latest_value, ind.latest_date) == (None, None)
    db.session.commit()
    stored = db.session.execute(select(Indicator.latest_value, Indicator.latest_date)
                                .where(Indicator.id == ind.id)).one()
    assert tuple(stored) == (None, None)


def test_the_overview_reads_the_kept_value(world, db):
    services.add_measurement(world.member, world.indicator, date=dt.date(2025, 6, 30), value="50")
    db.session.commit()
    row = next(r for r in dashboard.indicator_rows() if r.id == world.indicator.id)
    assert (row.latest, row.latest_date) == (50.0, dt.date(2025, 6, 30))
    stockholm = next(r for r in dashboard.municipality_rows() if r.code == "0180")
    assert stockholm.trends["improving"] == 1 and stockholm.indicator_total == 1


def test_counting_trends_in_sql_agrees_with_the_python_rule(world, db):
    """Every combination of baseline, target, desired direction and latest value, including the
    edges (latest exactly at the target or the baseline, no target, target equal to baseline)."""
    cases = list(itertools.product([40.0], [None, 40.0, 55.0, 30.0], ["", "up", "down"],
                                   [None, 30.0, 35.0, 40.0, 47.5, 55.0, 60.0, 0.1 + 0.2]))
    ids = []
    for baseline, target, desired, latest in cases:
        ind = Indicator(measure_id=world.measure.id, name="Fall", unit="antal", baseline_value=baseline,
                        baseline_date=dt.date(2025, 1, 1), target_value=target, desired_direction=desired,
                        latest_value=latest, latest_date=dt.date(2025, 6, 1) if latest is not None else None)
        db.session.add(ind)
        db.session.flush()
        ids.append(ind.id)
    found = dict(db.session.execute(
        select(Indicator.id, dashboard.trend_sql()).where(Indicator.id.in_(ids))).all())
    for ind_id, case in zip(ids, cases, strict=True):
        assert found[ind_id] == dashboard.trend(*case), case
