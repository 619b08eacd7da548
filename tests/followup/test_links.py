"""Library resources attached to measures and situation pictures, through the resources services."""

from __future__ import annotations

from network.followup import services
from network.resources import services as resources


def _resource(world, title="Metod för trygghetsvandringar", visibility="members"):
    return resources.create_resource(world.admin, title=title, type="metodstod", visibility=visibility,
                                     external_url="https://example.se/metod")


def test_a_member_attaches_a_library_resource_to_a_measure(world, login, db):
    resource = _resource(world)
    db.session.commit()
    client = login(world.member)
    page = client.post(f"/uppfoljning/atgard/{world.measure.id}/resurser",
                       data={"resource_id": resource.id}, follow_redirects=True).get_data(as_text=True)
    assert "Resursen är bifogad." in page and "Metod för trygghetsvandringar" in page
    assert resources.usages(world.member, resource) == [
        (world.measure.title, f"/uppfoljning/atgard/{world.measure.id}")]


def test_the_resource_page_hides_the_measure_from_outsiders(world, login, db):
    resource = _resource(world)
    resources.attach(world.admin, resource, "followup_measure", world.measure.id)
    db.session.commit()
    assert resources.usages(world.outsider, resource) == []


def test_attach_a_resource_to_a_situation_picture_and_detach_it(world, login, db):
    picture = services.save_picture(world.member, "0180", 2025, crime_mapping="", other_info="",
                                    analysis="", area_ids=[])
    resource = _resource(world, title="Lägesbildsmall")
    db.session.commit()
    client = login(world.member)
    client.post(f"/uppfoljning/lagesbild/{picture.id}/resurser", data={"resource_id": resource.id})
    assert "Lägesbildsmall" in client.get("/uppfoljning/kommun/0180/lagesbild/2025").get_data(as_text=True)
    client.post(f"/uppfoljning/lagesbild/{picture.id}/resurser/{resource.id}/ta-bort")
    page = client.get("/uppfoljning/kommun/0180/lagesbild/2025").get_data(as_text=True)
    assert "Inga resurser bifogade." in page


def test_outsiders_cannot_attach(world, login, db):
    resource = _resource(world)
    db.session.commit()
    response = login(world.outsider).post(f"/uppfoljning/atgard/{world.measure.id}/resurser",
                                          data={"resource_id": resource.id})
    assert response.status_code == 404
    assert resources.resources_for(world.admin, "followup_measure", world.measure.id) == []


def test_an_unknown_resource_gets_a_message(world, login):
    response = login(world.member).post(f"/uppfoljning/atgard/{world.measure.id}/resurser",
                                        data={"resource_id": "999999"}, follow_redirects=True)
    assert "Välj en resurs ur biblioteket." in response.get_data(as_text=True)
