"""Minutes and presentations from the resource library on the event page and series overview."""

from __future__ import annotations

from network.events.timeutil import Rule
from network.resources import services as resources


def library_item(actor, group, title="Minnesanteckningar mars"):
    return resources.create_generated_resource(
        actor, title=title, filename="anteckningar.csv", content=b"punkt;beslut\r\nLagesbild;klar\r\n",
        content_type="text/csv", visibility="members", group_id=group.id)


def test_organiser_attaches_minutes_shown_on_the_event_page(login, make, organiser, group, make_event, db):
    event = make_event(group, organiser)
    item = library_item(organiser, group)
    client = login(organiser)
    response = client.post(f"/evenemang/{event.id}/material", data={"resource_id": item.id})
    assert response.status_code == 302
    page = login(make.user()).get(f"/evenemang/{event.id}").get_data(as_text=True)
    assert "Minnesanteckningar mars" in page and f"/bibliotek/{item.id}" in page
    assert resources.usages(organiser, item) == [(event.title, f"/evenemang/{event.id}")]


def test_members_cannot_attach(login, make, organiser, group, make_event):
    event = make_event(group, organiser)
    item = library_item(organiser, group)
    response = login(make.user()).post(f"/evenemang/{event.id}/material", data={"resource_id": item.id})
    assert response.status_code == 403


def test_series_overview_shows_series_and_past_occurrence_material(login, make, organiser, group,
                                                                  make_event, db):
    import datetime as dt

    first = make_event(group, organiser, start=dt.datetime(2026, 1, 21, 10, 0),
                       rule=Rule("monthly_weekday", count=3))
    client = login(organiser)
    series_item = library_item(organiser, group, "Presentation för hela serien")
    minutes = library_item(organiser, group, "Minnesanteckningar januari")
    client.post(f"/evenemang/{first.id}/material", data={"resource_id": series_item.id, "scope": "series"})
    client.post(f"/evenemang/{first.id}/material", data={"resource_id": minutes.id})
    page = client.get(f"/evenemang/serie/{first.series_id}").get_data(as_text=True)
    assert "Presentation för hela serien" in page and "Minnesanteckningar januari" in page
    other = first.series.occurrences[1]
    assert "Presentation för hela serien" in client.get(f"/evenemang/{other.id}").get_data(as_text=True)


def test_detaching_material(login, organiser, group, make_event):
    event = make_event(group, organiser)
    item = library_item(organiser, group)
    client = login(organiser)
    client.post(f"/evenemang/{event.id}/material", data={"resource_id": item.id})
    client.post(f"/evenemang/{event.id}/material/{item.id}/ta-bort")
    assert resources.resources_for(organiser, "event", event.id) == []
