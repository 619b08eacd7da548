"""The DCAT-AP-SE catalogue: valid against the project's SHACL shapes, readable back with every
public resource (and nothing else) in it, in all three serialisations."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from tests.api.conftest import SECRET, _resource

SHAPES = Path(__file__).with_name("dcat_ap_se.shapes.ttl")
FORMATS = {"rdf": "xml", "ttl": "turtle", "jsonld": "json-ld"}
# rdflib's own JSON-LD parser still builds a ConjunctiveGraph internally (rdflib 7.x).
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


def catalogue(client, suffix: str) -> Graph:
    response = client.get(f"/api/v1/dcat.{suffix}")
    assert response.status_code == 200
    return Graph().parse(data=response.data, format=FORMATS[suffix])


@pytest.fixture
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


@pytest.mark.parametrize("suffix", list(FORMATS))
def test_the_catalogue_validates_and_holds_every_public_resource(client, world, db, shapes, suffix):
    from network.resources import services

    extra = _resource(world.admin, "Rapport om trygghet", "public")
    services.update_resource(world.admin, extra, title=extra.title, type="rapport", visibility="public",
                             themes=["grovt_vald", "samverkan"], licence="cc-by-4.0", language="sv")
    db.session.commit()
    graph = catalogue(client, suffix)
    conforms, _report, text = validate(graph, shacl_graph=shapes, allow_warnings=True)
    assert conforms, text
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert datasets == {URIRef(f"http://localhost/bibliotek/{r.id}") for r in
                        (world.public_resource, extra)} | {URIRef("http://localhost/erfarenhetsbank")}
    assert SECRET not in graph.serialize(format="turtle")
    report = URIRef(f"http://localhost/bibliotek/{extra.id}")
    themes = {str(t).rsplit("/", 1)[1] for t in graph.objects(report, DCAT.theme)}
    assert themes == {"JUST", "GOVE"}
    [distribution] = graph.objects(report, DCAT.distribution)
    assert str(next(graph.objects(distribution, DCTERMS.license))).endswith("/licence/CC_BY_4_0")
    assert str(next(graph.objects(distribution, DCAT.downloadURL))).startswith("http://localhost/bibliotek/fil/")


def test_the_shapes_catch_a_missing_mandatory_property(client, world, shapes):
    graph = catalogue(client, "ttl")
    dataset = URIRef(f"http://localhost/bibliotek/{world.public_resource.id}")
    graph.remove((dataset, DCTERMS.title, None))
    graph.remove((dataset, DCAT.contactPoint, None))
    conforms, _report, text = validate(graph, shacl_graph=shapes, allow_warnings=True)
    assert not conforms and "title" in text and "contactPoint" in text


def test_the_stable_address_negotiates_the_format(client, world):
    assert client.get("/api/v1/dcat").mimetype == "application/rdf+xml"
    assert client.get("/api/v1/dcat", headers={"Accept": "text/turtle"}).mimetype == "text/turtle"
    assert client.get("/api/v1/dcat", headers={"Accept": "application/ld+json"}).mimetype == \
        "application/ld+json"
    assert client.get("/api/v1/dcat.xls").status_code == 404
