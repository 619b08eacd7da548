"""The public experience bank: everyone searches, filters, prints and follows published reports."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from sqlalchemy import select

from network.followup import review, services
from network.followup.models import ExperienceReport
from tests.followup.helpers import public_charts, published_report

ATOM = "{http://www.w3.org/2005/Atom}"


def test_visitors_find_published_reports_and_never_drafts(world, client, db):
    published = published_report(world, title="Trygghetsvandringar som fungerade")
    draft = services.create_report_from_measure(world.member, world.measure)
    draft.title = "Hemligt utkast om Rinkeby"
    db.session.commit()
    page = client.get("/erfarenhetsbank").get_data(as_text=True)
    assert "Trygghetsvandringar som fungerade" in page and "Hemligt utkast" not in page
    assert client.get(f"/erfarenhetsbank/{published.id}").status_code == 200
    assert client.get(f"/erfarenhetsbank/{draft.id}").status_code == 404


def test_fulltext_search_in_the_bank_uses_swedish_word_forms(world, client, db):
    published_report(world, title="Vandringar mot våldet", lessons="Föräldrar gör skillnad")
    db.session.commit()
    assert "Vandringar mot våldet" in client.get("/erfarenhetsbank?q=föräldrar").get_data(as_text=True)
    assert "Vandringar mot våldet" in client.get("/erfarenhetsbank?q=våld").get_data(as_text=True)
    assert "Vandringar mot våldet" not in client.get("/erfarenhetsbank?q=cykelstöld").get_data(as_text=True)


def test_filters_by_theme_actor_level_size_and_problem(world, client, db):
    published_report(world, title="Rapport A", theme="trygghet", actor_types=",polis,skola,",
                     area_level="sarskilt_utsatt", size_class="over_200000", problem="Otrygghet vid torget")
    published_report(world, title="Rapport B", theme="grovt_vald", actor_types=",bostadsbolag,",
                     area_level="utsatt", size_class="under_15000", problem="Skjutningar")
    db.session.commit()

    def titles(query):
        page = client.get("/erfarenhetsbank?" + query).get_data(as_text=True)
        return {t for t in ("Rapport A", "Rapport B") if t in page}

    assert titles("") == {"Rapport A", "Rapport B"}
    assert titles("theme=grovt_vald") == {"Rapport B"}
    assert titles("actor=skola") == {"Rapport A"}
    assert titles("level=utsatt") == {"Rapport B"}
    assert titles("size=over_200000") == {"Rapport A"}
    assert titles("problem=torget") == {"Rapport A"}
    assert titles("theme=trygghet&actor=bostadsbolag") == set()
    assert titles("theme=<script>&size=nonsense") == {"Rapport A", "Rapport B"}


def test_problem_filter_treats_wildcards_literally(world, client, db):
    published_report(world, title="Rapport A", problem="Otrygghet")
    db.session.commit()
    assert "Rapport A" not in client.get("/erfarenhetsbank?problem=%25").get_data(as_text=True)


def test_the_report_page_is_printable(world, client, db):
    report = published_report(world, title="Utskrivbar", how="Så gjorde vi det")
    db.session.commit()
    page = client.get(f"/erfarenhetsbank/{report.id}").get_data(as_text=True)
    assert "followup.css" in page and "Så gjorde vi det" in page and "Otrygghet kvällstid" in page
    with client.get("/uppfoljning/static/followup.css") as response:
        assert "@media print" in response.get_data(as_text=True)


def test_public_report_shows_charts_only_when_the_measure_allows(world, client, db):
    report = published_report(world)
    db.session.commit()
    chart = f"/uppfoljning/indikator/{world.indicator.id}/diagram.svg"
    assert chart not in client.get(f"/erfarenhetsbank/{report.id}").get_data(as_text=True)
    public_charts(world)
    db.session.commit()
    page = client.get(f"/erfarenhetsbank/{report.id}").get_data(as_text=True)
    assert chart in page and "<caption>" in page


def test_the_atom_feed_lists_published_reports(world, client, db):
    published_report(world, title="I flödet")
    draft = services.create_report_from_measure(world.member, world.measure)
    draft.title = "Inte i flödet"
    db.session.commit()
    response = client.get("/erfarenhetsbank/flode.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)  # noqa: S314 - our own output
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert titles == ["I flödet"]
    entry = feed.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}link").get("href").startswith("http://localhost/erfarenhetsbank/")
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Stockholm"


def test_bank_page_query_count_does_not_grow_with_reports(world, client, db, assert_max_queries):
    for n in range(6):
        published_report(world, title=f"Rapport {n}")
    db.session.commit()
    with assert_max_queries(6):
        assert client.get("/erfarenhetsbank?q=rapport").status_code == 200


def test_unpublished_reports_redirect_outsiders_nowhere(world, login, db):
    report = services.create_report_from_measure(world.member, world.measure)
    db.session.commit()
    assert login(world.outsider).get(f"/uppfoljning/rapport/{report.id}").status_code == 404


def test_visitors_see_a_new_publication_at_once_despite_the_page_cache(app, world, client, db):
    published_report(world, title="Första rapporten")
    db.session.commit()
    assert "Första rapporten" in client.get("/erfarenhetsbank").get_data(as_text=True)
    second = published_report(world, title="Andra rapporten")
    db.session.commit()
    assert "Andra rapporten" in client.get("/erfarenhetsbank").get_data(as_text=True)
    review.unpublish_report(world.facilitator, second)
    db.session.commit()
    assert "Andra rapporten" not in client.get("/erfarenhetsbank").get_data(as_text=True)


def test_each_visitor_gets_their_own_csrf_token_from_a_cached_page(app, world, db):
    import re

    published_report(world)
    db.session.commit()
    tokens = set()
    for _ in range(2):
        page = app.test_client().get("/erfarenhetsbank").get_data(as_text=True)
        assert "\ue000" not in page
        tokens.add(re.search(r'name="csrf_token" value="([^"]+)"', page).group(1))
    assert len(tokens) == 2


def test_cached_pages_are_served_without_rendering_or_queries(world, client, db, count_queries):
    published_report(world, title="Cachad")
    db.session.commit()
    first = client.get("/erfarenhetsbank?theme=trygghet")
    with count_queries() as counter:
        again = client.get("/erfarenhetsbank?theme=trygghet")
    assert (first.headers["X-Page-Cache"], again.headers["X-Page-Cache"]) == ("miss", "hit")
    assert "Cachad" in again.get_data(as_text=True) and counter.count == 0


def test_logged_in_members_get_their_own_page_not_the_visitors_copy(world, client, login, db):
    published_report(world)
    db.session.commit()
    client.get("/erfarenhetsbank")
    page = login(world.member).get("/erfarenhetsbank").get_data(as_text=True)
    assert world.member.name in page and "Logga ut" in page


def test_the_bank_speaks_english_when_chosen(world, client, db):
    published_report(world)
    db.session.commit()
    with client.session_transaction() as session:
        session["lang"] = "en"
    page = client.get("/erfarenhetsbank").get_data(as_text=True)
    assert "Experience bank" in page and "Perceived safety" in page and "Search words" in page


def test_results_are_markdown_contact_is_a_mailto_link_and_similar_reports_are_shown(world, client, db):
    report = published_report(world, title="Vandringar", results="- färre rån\n- fler trygga",
                              contact="Anna Svensson, anna.svensson@example.se")
    other = published_report(world, title="Fler vandringar")
    db.session.commit()
    page = client.get(f"/erfarenhetsbank/{report.id}").get_data(as_text=True)
    assert "<li>färre rån</li>" in page and "- färre rån" not in page
    assert '<a href="mailto:anna.svensson@example.se">anna.svensson@example.se</a>' in page
    assert "Liknande erfarenheter" in page and f"/erfarenhetsbank/{other.id}" in page


def test_the_bank_filters_by_county(world, client, db):
    stockholm = published_report(world, title="Från Stockholm")
    malmo = services.create_report_from_measure(world.admin, world.measure)
    malmo.municipality_code, malmo.title = "1280", "Från Malmö"
    review.submit_report(world.admin, malmo)
    review.override_publish_report(world.admin, malmo, "Testdata för länsfiltret.")
    db.session.commit()
    page = client.get("/erfarenhetsbank?county=12").get_data(as_text=True)
    assert "Från Malmö" in page and "Från Stockholm" not in page
    page = client.get("/erfarenhetsbank?county=01").get_data(as_text=True)
    assert f"/erfarenhetsbank/{stockholm.id}" in page


def test_drafting_from_a_measure_keeps_the_interface_language(world, login, db):
    world.member.locale = "en"
    db.session.commit()
    login(world.member).post(f"/uppfoljning/atgard/{world.measure.id}/erfarenhetsrapport")
    report = db.session.scalar(select(ExperienceReport))
    assert report.context.startswith("Area:") and "(Police)" in report.actors


def test_the_reviewer_is_named_with_a_link_to_their_profile_for_members(world, login, client, db):
    report = published_report(world, title="Granskad rapport")
    db.session.commit()
    link = f'href="/medlemmar/{world.facilitator.id}"'
    page = login(world.outsider).get(f"/erfarenhetsbank/{report.id}").get_data(as_text=True)
    assert f"Granskad och godkänd av <a class=\"author\" {link}>" in page
    assert link not in client.get(f"/erfarenhetsbank/{report.id}").get_data(as_text=True)


def test_the_list_is_rendered_once_for_every_reader_and_a_publication_shows_at_once(
        world, client, login, db, monkeypatch):
    """The bank shows published reports alike to everyone: its list is shared (network/fragments.py)
    by visitors and members, per filters and page, and rendered anew when a report is published."""
    from network.followup import bank

    calls = []
    query = bank.bank_query
    monkeypatch.setattr(bank, "bank_query", lambda *a, **kw: calls.append(a) or query(*a, **kw))
    published_report(world, title="Första rapporten")
    db.session.commit()
    member = login(world.member)
    assert "Första rapporten" in client.get("/erfarenhetsbank").get_data(as_text=True)
    page = member.get("/erfarenhetsbank").get_data(as_text=True)
    assert "Första rapporten" in page and world.member.name in page
    assert len(calls) == 1  # the same filters, page and language: rendered once for both
    member.get("/erfarenhetsbank?theme=trygghet")
    assert len(calls) == 2  # other filters are another list
    published_report(world, title="Andra rapporten")
    db.session.commit()
    assert "Andra rapporten" in client.get("/erfarenhetsbank").get_data(as_text=True)
    client.get("/erfarenhetsbank?q=rapporten")
    member.get("/erfarenhetsbank?q=rapporten")
    assert len(calls) == 5  # a search is rendered for the one who asked


def test_the_shared_list_is_in_the_reader_s_language(world, client, db):
    published_report(world)
    db.session.commit()
    swedish = client.get("/erfarenhetsbank").get_data(as_text=True)
    assert "Sökord" in swedish and "Search words" not in swedish
    english = client.get("/erfarenhetsbank", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Search words" in english and "Sökord" not in english
