"""Issue 22's bad input: pages stay bounded (queries, HTML size, list lengths) at national scale.

A member in 600 groups, a category with 50,000 topics, a day with 300 events, 665 categories on the
forum index and 1,000 organisations in the library's filter. Rows go in with Core ``insert`` in
bulk, as ``seed-scale`` writes them.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import insert

from network.accounts.models import Group, GroupRole, Membership, Organisation
from network.db import utcnow
from network.events.models import Event
from network.forums import services as forums
from network.forums.models import Category, Topic

MAX_QUERIES = 25
MAX_KB = 150


def bounded(client, count_queries, url: str) -> str:
    response = client.get(url)  # warm what is per process
    assert response.status_code == 200, url
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    assert counter.count <= MAX_QUERIES, f"{url}: {counter.count} queries"
    assert len(response.data) <= MAX_KB * 1024, f"{url}: {len(response.data) // 1024} KB"
    return html


def options_of(html: str, select_id: str) -> list[str]:
    block = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r"<option[^>]*>([^<]*)</option>", block)


def _groups(db, n: int, member=None) -> list[int]:
    now = utcnow()
    ids = db.session.execute(insert(Group).returning(Group.id), [
        {"name": f"Grupp {i:03d} Trygghet", "slug": f"skala-grupp-{i}", "kind": "thematic",
         "visibility": "members", "created_at": now, "updated_at": now} for i in range(n)]).scalars().all()
    if member is not None:
        db.session.execute(insert(Membership), [
            {"group_id": g, "user_id": member.id, "role": GroupRole.MEMBER, "created_at": now,
             "updated_at": now} for g in ids])
    return ids


@pytest.fixture
def member_in_600_groups(make, db):
    member = make.user(name="Alla Grupperson")
    ids = _groups(db, 600, member)
    db.session.commit()
    return member, ids


def test_a_member_in_600_groups_gets_a_bounded_group_filter_with_a_name_search(
        member_in_600_groups, login, count_queries):
    member, ids = member_in_600_groups
    client = login(member)
    for url in ("/evenemang/", "/evenemang/manad", "/"):
        bounded(client, count_queries, url)
    html = bounded(client, count_queries, "/evenemang/")
    assert len(options_of(html, "grupp")) <= 51
    assert 'name="gruppnamn"' in html and "skriv mer av namnet" in html

    found = bounded(client, count_queries, "/evenemang/?gruppnamn=Grupp 42")
    assert options_of(found, "grupp")[1:] == [f"Grupp 42{n} Trygghet" for n in range(10)]
    # A chosen group stays listed (and filters) whatever the search shows.
    chosen = bounded(client, count_queries, f"/evenemang/?grupp={ids[599]}")
    assert "Grupp 599 Trygghet" in options_of(chosen, "grupp")


def test_a_category_with_50000_topics_shows_one_bounded_page(make, db, login, count_queries):
    admin = make.admin()
    category = forums.create_category(admin, "Allmänt")
    start = utcnow() - dt.timedelta(days=400)
    for first in range(0, 50_000, 10_000):
        db.session.execute(insert(Topic), [
            {"category_id": category.id, "author_id": admin.id, "title": f"Ämne {i}",
             "created_at": start, "last_post_at": start + dt.timedelta(minutes=i), "last_number": 1}
            for i in range(first, first + 10_000)])
    category.topic_count = 50_000  # the running count a bulk writer keeps, as seed-scale does
    db.session.commit()
    client = login(admin)
    html = bounded(client, count_queries, f"/forum/k/{category.id}")
    assert html.count('href="/forum/t/') <= 60  # 30 topics, with their last-post links
    assert "Ämne 49999" in html and "Ämne 49969" not in html
    last = bounded(client, count_queries, f"/forum/k/{category.id}?page=1667")
    assert "Ämne 0<" in last or "Ämne 0\n" in last or ">Ämne 0</a>" in last


def test_a_day_with_300_events_shows_a_few_and_plus_n_more_linking_to_that_day(make, db, login,
                                                                               count_queries):
    admin = make.admin()
    group = make.group(name="Nationella konferensen", members=[admin])
    day = dt.date(2027, 3, 17)  # a Wednesday
    start = dt.datetime(2027, 3, 17, 8, 0, tzinfo=dt.UTC)
    db.session.execute(insert(Event), [
        {"type": "workshop", "group_id": group.id, "title": f"Pass {i:03d}", "visibility": "members",
         "start_at": start + dt.timedelta(minutes=i), "end_at": start + dt.timedelta(minutes=i + 60),
         "created_at": utcnow(), "updated_at": utcnow()} for i in range(300)])
    db.session.commit()
    client = login(admin)
    html = bounded(client, count_queries, "/evenemang/manad/2027/3")
    assert html.count("Pass ") == 6
    assert "+294 fler" in html
    assert f'href="/evenemang/?dag={day.isoformat()}"' in html
    listing = bounded(client, count_queries, f"/evenemang/?dag={day.isoformat()}")
    assert "Pass 000" in listing and "Pass 299" not in listing
    assert 'rel="next"' in listing


def test_665_categories_are_listed_50_to_a_page(make, db, login, count_queries):
    admin = make.admin()
    group_ids = _groups(db, 60)
    now = utcnow()
    db.session.execute(insert(Category), [
        {"name": f"Kategori {i:03d}", "visibility": "members", "position": i,
         "group_id": group_ids[i % 60] if i >= 65 else None, "created_at": now, "updated_at": now}
        for i in range(665)])
    db.session.commit()
    client = login(admin)
    html = bounded(client, count_queries, "/forum/")
    assert html.count('href="/forum/k/') == 50
    last = bounded(client, count_queries, "/forum/?page=14")
    assert last.count('href="/forum/k/') == 15
    assert 'aria-current="page">14<' in last


def test_1000_organisations_give_a_bounded_library_filter_with_a_name_search(make, db, login,
                                                                             count_queries):
    now = utcnow()
    db.session.execute(insert(Organisation), [
        {"name": f"Organisation {i:04d}", "type": "kommun", "created_at": now, "updated_at": now}
        for i in range(1000)])
    member = make.user()
    db.session.commit()
    client = login(member)
    html = bounded(client, count_queries, "/bibliotek/")
    assert len(options_of(html, "organisation")) <= 51
    assert 'name="organisationsnamn"' in html
    found = bounded(client, count_queries, "/bibliotek/?organisationsnamn=0999")
    assert options_of(found, "organisation") == ["Alla organisationer", "Organisation 0999"]
    # A LIKE wildcard typed by the reader is text, not a pattern.
    literal = bounded(client, count_queries, "/bibliotek/?organisationsnamn=%25")
    assert options_of(literal, "organisation") == ["Alla organisationer"]


def test_the_library_total_is_capped_at_1000(make, db, login, count_queries):
    from network.resources.models import Resource

    now = utcnow()
    db.session.execute(insert(Resource), [
        {"title": f"Rapport {i}", "type": "rapport", "year": 2026, "visibility": "members",
         "effective_visibility": "members", "created_at": now, "updated_at": now}
        for i in range(1_001)])
    member = make.user()
    db.session.commit()
    html = bounded(login(member), count_queries, "/bibliotek/")
    assert "Över 1 000 resurser" in html
    assert 'rel="next"' in html


def test_the_year_filter_offers_the_years_between_the_oldest_and_newest_visible(make, db, login,
                                                                               count_queries):
    """Two lookups at the ends of the year index, not a DISTINCT over the library (issue 22):
    a year between them is offered even without resources; a hidden resource's year is not."""
    from network.resources.models import Resource

    group = make.group()
    now = utcnow()
    db.session.execute(insert(Resource), [
        {"title": f"Rapport {year}", "type": "rapport", "year": year, "visibility": visibility,
         "effective_visibility": visibility, "group_id": group.id if visibility == "group" else None,
         "created_at": now, "updated_at": now}
        for year, visibility in ((2019, "members"), (2023, "members"), (2015, "group"))])
    member = make.user()
    db.session.commit()
    html = bounded(login(member), count_queries, "/bibliotek/")
    assert options_of(html, "ar")[1:] == ["2023", "2022", "2021", "2020", "2019"]
