"""One search over everything: facets and hits pass the same access filter, on both backends."""

from __future__ import annotations

import datetime as dt

from network import fulltext
from network.accounts.models import GroupVisibility
from network.followup import review
from tests.followup.helpers import published_report


def _content(world, make, db):
    closed = make.group(name="Stängd grupp", visibility=GroupVisibility.CLOSED, members=[world.member])
    fulltext.index_entry("forum_post", 1, title="Trygghet i trapphuset", body="Vi pratade om trygghet",
                         url="/forum/1", visibility="members", group_id=None)
    fulltext.index_entry("forum_post", 2, title="Hemlig trygghet", body="Bara för gruppen", url="/forum/2",
                         visibility="group", group_id=closed.id)
    fulltext.index_entry("resource", 3, title="Metodstöd trygghet", body="Guide", url="/resurser/3",
                         visibility="public", group_id=None)
    published_report(world, title="Trygghetsvandringar gav resultat")
    db.session.commit()


def _get(client, url: str) -> str:
    """The page without highlight marks, so titles read as written."""
    return client.get(url).get_data(as_text=True).replace("<mark>", "").replace("</mark>", "")


def _facets(page: str) -> str:
    return page.split('class="facets"', 1)[1].split("</nav>", 1)[0] if 'class="facets"' in page else ""


def test_member_of_the_local_group_finds_everything_they_may_see(world, make, db, login):
    _content(world, make, db)
    page = _get(login(world.member), "/sok?q=trygghet")
    for title in ("Trygghet i trapphuset", "Hemlig", "Metodstöd", "Trygghetsvandringar gav resultat"):
        assert title in page
    assert "Trygghetsvandringar i Rinkeby" in page  # the measure itself
    facets = _facets(page)
    assert "Foruminlägg (2)" in facets and "Åtgärder i åtgärdsplaner (1)" in facets
    assert "Erfarenhetsrapporter (1)" in facets


def test_outsiders_see_neither_hits_nor_counts_of_private_follow_up(world, make, db, login):
    _content(world, make, db)
    page = _get(login(world.outsider), "/sok?q=trygghet")
    assert "Trygghetsvandringar i Rinkeby" not in page and "Hemlig" not in page
    facets = _facets(page)
    assert "Åtgärder" not in facets and "Foruminlägg (1)" in facets
    assert "Trygghetsvandringar gav resultat" in page


def test_visitors_only_find_public_content(world, make, db, client):
    _content(world, make, db)
    page = _get(client, "/sok?q=trygghet")
    assert "Metodstöd trygghet" in page and "Trygghetsvandringar gav resultat" in page
    assert "trapphuset" not in page and "Rinkeby" not in page.split("<main", 1)[1].split("Erfarenhets", 1)[0]
    assert "Foruminlägg" not in _facets(page) and "Åtgärder" not in _facets(page)


def test_a_facet_limits_results_to_one_kind(world, make, db, login):
    _content(world, make, db)
    page = _get(login(world.member), "/sok?q=trygghet&typ=measure")
    assert "Trygghetsvandringar i Rinkeby" in page and "trapphuset" not in page
    assert "1 träff" in page


def test_date_filters_and_bad_dates_are_handled(world, make, db, login):
    _content(world, make, db)
    client = login(world.member)
    future = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    page = _get(client, f"/sok?q=trygghet&fran={future}")
    assert "Inga träffar" in page
    assert client.get("/sok?q=trygghet&fran=igår&till=x").status_code == 200


def test_empty_and_hostile_queries_are_safe(world, client):
    assert client.get("/sok").status_code == 200
    for q in ['"', "OR AND NOT", "*", "trygg' OR 1=1 --", "<script>alert(1)</script>", "a" * 500]:
        response = client.get("/sok", query_string={"q": q})
        assert response.status_code == 200, q
        assert b"<script>alert(1)</script>" not in response.data


def test_search_is_in_the_navigation_for_everyone(client):
    page = _get(client, "/")
    assert 'href="/sok"' in page and 'href="/erfarenhetsbank"' in page and 'href="/uppfoljning"' not in page


def test_unpublishing_removes_the_report_from_search(world, make, db, client):
    report = published_report(world, title="Snart borta")
    db.session.commit()
    assert "Snart borta" in _get(client, "/sok?q=borta")
    review.unpublish_report(world.facilitator, report)
    db.session.commit()
    assert "Snart borta" not in _get(client, "/sok?q=borta")


def test_search_page_query_count_is_bounded(world, make, db, login, assert_max_queries):
    _content(world, make, db)
    client = login(world.member)
    with assert_max_queries(10):
        client.get("/sok?q=trygghet")


def test_every_indexed_kind_has_a_swedish_facet_label():
    from network.forums.services import KIND_POST, KIND_TOPIC
    from network.resources.services import KIND as RESOURCE
    from network.search.views import KIND_LABELS

    indexed = {KIND_TOPIC, KIND_POST, RESOURCE, "event", "experience", "measure"}
    assert set(KIND_LABELS) == indexed
