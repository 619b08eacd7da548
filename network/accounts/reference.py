"""Sweden's counties and municipalities with their official codes (SCB), shipped as a CSV."""

from __future__ import annotations

import csv
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "kommuner.csv"


def read_reference() -> tuple[dict[str, str], list[dict[str, str]]]:
    """Return ({county code: name}, [{code, name, county_code}]) from the data file."""
    counties: dict[str, str] = {}
    municipalities: list[dict[str, str]] = []
    with DATA_FILE.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            counties[row["lanskod"]] = row["lan"]
            municipalities.append(
                {"code": row["kommunkod"], "name": row["kommun"], "county_code": row["lanskod"]}
            )
    return counties, municipalities


def load_reference_data(session) -> int:
    """Insert whatever counties and municipalities are missing; returns how many were added."""
    from sqlalchemy import select

    from network.accounts.models import County, Municipality

    counties, municipalities = read_reference()
    known_counties = set(session.scalars(select(County.code)))
    known_municipalities = set(session.scalars(select(Municipality.code)))
    added = 0
    for code, name in counties.items():
        if code not in known_counties:
            session.add(County(code=code, name=name))
            added += 1
    session.flush()
    for row in municipalities:
        if row["code"] not in known_municipalities:
            session.add(Municipality(**row))
            added += 1
    session.flush()
    return added
