"""``network.choices.bounded_choices``: all choices when few, yours and a name search when many."""

from __future__ import annotations

from sqlalchemy import insert, select

from network.accounts.models import Organisation
from network.choices import MAX_CHOICES, bounded_choices
from network.db import utcnow


def _organisations(db, n):
    now = utcnow()
    return db.session.execute(insert(Organisation).returning(Organisation.id), [
        {"name": f"Förening {i:03d}_x", "type": "civilsamhalle", "created_at": now, "updated_at": now}
        for i in range(n)]).scalars().all()


def choices(**kw):
    return bounded_choices(select(Organisation), Organisation.id, Organisation.name, **kw)


def test_few_candidates_are_all_listed_without_a_search(db):
    _organisations(db, 3)
    result = choices()
    assert [label for _v, label in result.options] == ["Förening 000_x", "Förening 001_x", "Förening 002_x"]
    assert not result.searchable


def test_many_candidates_list_only_the_readers_own_and_the_chosen_one(db):
    ids = _organisations(db, MAX_CHOICES + 30)
    result = choices(preferred=[ids[5]], selected=ids[70])
    assert result.searchable
    assert [label for _v, label in result.options] == ["Förening 005_x", "Förening 070_x"]


def test_the_name_search_narrows_and_reports_when_more_match(db):
    ids = _organisations(db, 200)
    assert [label for _v, label in choices(query="föreNING 12").options] == [
        f"Förening 12{n}_x" for n in range(10)]
    many = choices(query="Förening")
    assert many.more and len(many.options) == MAX_CHOICES
    # "%" and "_" are text to find, not patterns.
    assert choices(query="%").options == []
    assert len(choices(query="3_x").options) == 20
    assert choices(query="3_x", selected=ids[0]).options[-1][0] == str(ids[0])  # the chosen stays
