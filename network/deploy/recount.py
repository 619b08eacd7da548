"""``flask recount-totals [--check]``: the running totals the services keep on write, compared
with counting the rows they stand for, and mended (issue 22).

The services keep each total in the writing transaction, so they drift only when something
writes around them: SQL typed by hand, a restore of part of a database, a bug. Each feature
owns its totals and knows how to count them; this module only lists them, so an operator has
one command and a monitoring job one exit status.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from network.events import registrations
from network.forums import tallies
from network.resources import totals as library


@dataclass(frozen=True)
class Total:
    name: str  # shown to the operator
    drift: Callable[[], int]  # how many rows differ from counting
    recount: Callable[[], None]  # make them agree (flushes; the caller commits)


TOTALS = (
    Total("forumaktivitet per dag, kommun och författare", tallies.drift, tallies.rebuild),
    Total("antal trådar och svar i forumets listor", tallies.counter_drift, tallies.recount_counters),
    Total("anmälda per evenemang", registrations.seat_drift, registrations.recount_seats),
    Total("nedladdningar hittills", library.drift, library.rebuild),
    Total("delade resurser per dag och kommun", library.shared_drift, library.rebuild_shared),
)


def check() -> dict[str, int]:
    """{total's name: rows that differ}; reads only."""
    return {total.name: total.drift() for total in TOTALS}


def recount() -> dict[str, int]:
    """Mend every total that differs; {name: rows that differed}. Totals that agree are left
    alone, so running it on a healthy database writes nothing."""
    found = check()
    for total in TOTALS:
        if found[total.name]:
            total.recount()
    return found
