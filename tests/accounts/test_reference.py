from sqlalchemy import func, select

from network.accounts.models import County, Municipality


def test_all_290_municipalities_and_21_counties_are_loaded(db):
    assert db.session.scalar(select(func.count()).select_from(Municipality)) == 290
    assert db.session.scalar(select(func.count()).select_from(County)) == 21


def test_official_codes(db):
    assert db.session.get(Municipality, "0180").name == "Stockholm"
    assert db.session.get(County, "01").name == "Stockholms län"
    assert db.session.get(Municipality, "1280").county.name == "Skåne län"
