"""Forum search: ranked, highlighted, filtered by group and date, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from network.accounts.models import GroupVisibility
from network.forums import queries


def test_stemming_finds_the_definite_form(forum, make, db):
    forum.topic(forum.category(), title="Om våldet i trapphusen", body="Beskrivning")
    results = queries.search(make.user(), "våld")
    assert results.total == 1 and "<mark>" in str(results.hits[0].title)


def test_title_matches_rank_above_body_mentions(forum, make, db):
    category = forum.category()
    forum.topic(category, title="Allmänt", body="Något om klotter längst ned i texten")
    forum.topic(category, title="Klotter i centrum", body="Sanering")
    results = queries.search(make.user(), "klotter")
    assert [h.entry.title for h in results.hits][0] == "Klotter i centrum"


def test_replies_are_found_and_link_to_their_post(forum, make, db):
    topic = forum.topic(forum.category(), title="Samverkan")
    post = forum.reply(topic, body="Vi använde trygghetsmätning med polisen")
    results = queries.search(make.user(), "trygghetsmätning")
    assert [h.entry.url for h in results.hits] == [f"/forum/inlagg/{post.id}"]
    assert "<mark>trygghetsmätning</mark>" in str(results.hits[0].snippet)


def test_snippets_escape_stored_text(forum, make, db):
    forum.topic(forum.category(), title="Kod", body="`<b>fet</b>` nattvandring")
    snippet = str(queries.search(make.user(), "nattvandring").hits[0].snippet)
    # Snippets are readable text on both backends: tag-like text is dropped, never rendered.
    assert "<b>" not in snippet and "&lt;b&gt;" not in snippet
    assert "fet <mark>nattvandring</mark>" in snippet


def test_group_filter(forum, make, db):
    user = make.user()
    g1, g2 = make.group(members=[user]), make.group(members=[user])
    forum.topic(forum.category(group=g1), title="Grannsamverkan norr")
    forum.topic(forum.category(group=g2), title="Grannsamverkan söder")
    results = queries.search(user, "grannsamverkan", group_id=g2.id)
    assert [h.entry.title for h in results.hits] == ["Grannsamverkan söder"]


def test_date_filter_through_the_page(forum, make, login, db):
    category = forum.category()
    old = forum.topic(category, title="Gammal ordningsstörning")
    forum.topic(category, title="Ny ordningsstörning")
    from sqlalchemy import update

    from network.fulltext import SearchEntry

    db.session.execute(update(SearchEntry).where(SearchEntry.object_id == old.id)
                       .values(created_at=dt.datetime(2024, 3, 1, tzinfo=dt.UTC)))
    client = login(make.user())
    page = client.get("/forum/sok?q=ordningsstörning&since=2025-01-01").data.decode()
    assert "1 träff" in page and "Ny" in page and "Gammal" not in page
    page = client.get("/forum/sok?q=ordningsstörning&until=2024-12-31").data.decode()
    assert "1 träff" in page and "Gammal" in page


def test_counts_and_pages_are_right_with_hidden_content_in_between(forum, make, login, db):
    group = make.group(visibility=GroupVisibility.CLOSED)
    open_category, closed_category = forum.category(), forum.category(group=group)
    for i in range(25):
        forum.topic(open_category if i % 2 else closed_category, title=f"Skadegörelse {i}")
    client = login(make.user())
    first = client.get("/forum/sok?q=skadegörelse").data.decode()
    assert "12 träffar" in first and first.count('<li>\n        <a href="/forum/t/') == 12


def test_bad_search_input_is_harmless(login, make, client):
    for q in ('"', "'; DROP TABLE x; --", "a" * 300, "*", "NEAR(", "title:x", "\\", "(((", "&&"):
        assert client.get("/forum/sok", query_string={"q": q}).status_code in (200, 400)
    assert client.get("/forum/sok?q=x&since=inte-ett-datum").status_code == 200


def test_marking_an_answer_boosts_the_question_in_search(forum, make, db):
    from sqlalchemy import select

    from network import fulltext
    from network.forums import services

    asker = make.user()
    topic = forum.topic(forum.category(is_qa=True), author=asker, title="Hur tar vi bort klotter?")
    answer = forum.reply(topic, body="Med högtryckstvätt")
    services.mark_answer(asker, topic, answer)
    entry = db.session.scalar(select(fulltext.SearchEntry).where(
        fulltext.SearchEntry.kind == "forum_topic", fulltext.SearchEntry.object_id == topic.id))
    assert entry.boost == 1
    services.mark_answer(asker, topic, None)
    db.session.refresh(entry)
    assert entry.boost == 0
