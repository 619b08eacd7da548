"""The public library (and the experience bank) as a DCAT-AP-SE catalogue: objects in, RDF out.

Each public resource is a ``dcat:Dataset`` whose current version's files (or external link) are
its ``dcat:Distribution``s; the experience bank is one more dataset, distributed as its Atom feed
and its API listing. Themes map onto the EU data themes, licences and languages onto the EU
authority tables, media types onto IANA's register: the vocabularies the national data portal
(dataportal.se) expects when it harvests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS_PUBLISHER = Namespace("http://purl.org/adms/publishertype/")
EU = "http://publications.europa.eu/resource/authority/"
DATA_THEME = Namespace(EU + "data-theme/")
LICENCE = Namespace(EU + "licence/")
LANGUAGE = Namespace(EU + "language/")
FILE_TYPE = Namespace(EU + "file-type/")
IANA = "https://www.iana.org/assignments/media-types/"

# The library's themes onto the EU data themes; everything here is also public safety (JUST).
THEME_MAP = {
    "nyrekrytering": ("JUST", "SOCI"),
    "grovt_vald": ("JUST",),
    "ordningsstorningar": ("JUST",),
    "trygghet_offentlig_miljo": ("JUST", "REGI"),
    "situationell_prevention": ("JUST", "REGI"),
    "foraldraskapsstod": ("JUST", "SOCI"),
    "samverkan": ("JUST", "GOVE"),
    "uppfoljning": ("JUST", "GOVE"),
}
LICENCE_MAP = {"cc-by-4.0": "CC_BY_4_0", "cc-by-sa-4.0": "CC_BYSA_4_0", "cc0": "CC0"}
LANGUAGE_MAP = {"sv": "SWE", "en": "ENG", "ar": "ARA", "so": "SOM", "fi": "FIN"}
FORMAT_MAP = {"application/pdf": "PDF", "text/csv": "CSV", "text/plain": "TXT", "image/png": "PNG",
              "image/jpeg": "JPEG", "application/zip": "ZIP",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
              "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PPTX",
              "application/vnd.oasis.opendocument.text": "ODT", "application/atom+xml": "ATOM",
              "application/json": "JSON"}
FORMATS = {"xml": ("application/rdf+xml", "rdf"), "turtle": ("text/turtle", "ttl"),
           "json-ld": ("application/ld+json", "jsonld")}


@dataclass
class Publisher:
    base_url: str
    name: str
    email: str
    title: str


def _date(value: dt.datetime | None) -> Literal | None:
    return Literal(value.replace(microsecond=0).isoformat(), datatype=XSD.dateTime) if value else None


def _add_agent_and_contact(graph: Graph, publisher: Publisher) -> tuple[URIRef, BNode]:
    agent = URIRef(publisher.base_url + "/#publisher")
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, FOAF.name, Literal(publisher.name, lang="sv")))
    graph.add((agent, DCTERMS.type, ADMS_PUBLISHER.NationalAuthority))
    contact = BNode("contact")
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(publisher.name, lang="sv")))
    graph.add((contact, VCARD.hasEmail, URIRef("mailto:" + publisher.email)))
    return agent, contact


def _dataset(graph: Graph, uri: URIRef, *, title: str, description: str, agent: URIRef,
             contact: BNode, themes: Iterable[str], keywords: Iterable[str], language: str | None,
             issued: dt.datetime | None, modified: dt.datetime | None, landing: str) -> URIRef:
    graph.add((uri, RDF.type, DCAT.Dataset))
    graph.add((uri, DCTERMS.title, Literal(title, lang="sv")))
    graph.add((uri, DCTERMS.description, Literal(description or title, lang="sv")))
    graph.add((uri, DCTERMS.publisher, agent))
    graph.add((uri, DCAT.contactPoint, contact))
    graph.add((uri, DCAT.landingPage, URIRef(landing)))
    for code in sorted(set(themes) | {"JUST"}):
        graph.add((uri, DCAT.theme, DATA_THEME[code]))
    for word in keywords:
        graph.add((uri, DCAT.keyword, Literal(word, lang="sv")))
    if language in LANGUAGE_MAP:
        graph.add((uri, DCTERMS.language, LANGUAGE[LANGUAGE_MAP[language]]))
    for predicate, value in ((DCTERMS.issued, _date(issued)), (DCTERMS.modified, _date(modified))):
        if value is not None:
            graph.add((uri, predicate, value))
    return uri


def _distribution(graph: Graph, dataset: URIRef, uri: str, *, title: str, access_url: str,
                  download_url: str | None, media_type: str | None, licence: URIRef | None,
                  size: int | None = None) -> None:
    node = URIRef(uri)
    graph.add((dataset, DCAT.distribution, node))
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCTERMS.title, Literal(title, lang="sv")))
    graph.add((node, DCAT.accessURL, URIRef(access_url)))
    if download_url:
        graph.add((node, DCAT.downloadURL, URIRef(download_url)))
    if media_type:
        graph.add((node, DCAT.mediaType, URIRef(IANA + media_type)))
        if media_type in FORMAT_MAP:
            graph.add((node, DCTERMS.format, FILE_TYPE[FORMAT_MAP[media_type]]))
    if licence is not None:
        graph.add((node, DCTERMS.license, licence))
    if size is not None:
        graph.add((node, DCAT.byteSize, Literal(size, datatype=XSD.decimal)))


def catalogue(publisher: Publisher, resources: Iterable[Any], theme_labels: dict[str, str],
              bank_modified: dt.datetime | None) -> Graph:
    """The catalogue of ``resources`` (public ones: the caller filters) and the experience bank."""
    base = publisher.base_url
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in (("dcat", DCAT), ("dcterms", DCTERMS), ("foaf", FOAF), ("vcard", VCARD)):
        graph.bind(prefix, namespace)
    agent, contact = _add_agent_and_contact(graph, publisher)
    catalog = URIRef(base + "/api/v1/dcat#catalog")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal(publisher.title, lang="sv")))
    graph.add((catalog, DCTERMS.description, Literal(
        "Öppet material från nätverkets bibliotek och erfarenhetsbank om brottsförebyggande arbete.",
        lang="sv")))
    graph.add((catalog, DCTERMS.publisher, agent))
    graph.add((catalog, FOAF.homepage, URIRef(base + "/")))
    graph.add((catalog, DCTERMS.language, LANGUAGE.SWE))
    graph.add((catalog, DCTERMS.license, LICENCE.CC_BY_4_0))
    graph.add((catalog, DCAT.themeTaxonomy, URIRef(EU + "data-theme")))
    latest = None
    for resource in resources:
        page = f"{base}/bibliotek/{resource.id}"
        licence = LICENCE[LICENCE_MAP[resource.licence]] if resource.licence in LICENCE_MAP else None
        themes = [code for theme in resource.themes for code in THEME_MAP.get(theme, ())]
        dataset = _dataset(graph, URIRef(page), title=resource.title, description=resource.summary,
                           agent=agent, contact=contact, themes=themes,
                           keywords=[str(theme_labels.get(t, t)) for t in resource.themes],
                           language=resource.language, issued=resource.published_at or resource.created_at,
                           modified=resource.updated_at, landing=page)
        if licence is None:
            graph.add((dataset, DCTERMS.accessRights, URIRef(EU + "access-right/PUBLIC")))
        graph.add((catalog, DCAT.dataset, dataset))
        version = resource.current_version
        if resource.external_url:
            _distribution(graph, dataset, page + "#link", title=resource.title,
                          access_url=resource.external_url, download_url=None, media_type=None,
                          licence=licence)
        for file in version.files if version else ():
            url = f"{base}/bibliotek/fil/{file.id}"
            _distribution(graph, dataset, url, title=file.filename, access_url=page, download_url=url,
                          media_type=file.content_type, licence=licence, size=file.size)
        latest = max(filter(None, (latest, resource.updated_at)), default=None)
    bank = _dataset(graph, URIRef(base + "/erfarenhetsbank"), title="Erfarenhetsbanken",
                    description="Publicerade erfarenhetsrapporter från kommunernas brottsförebyggande "
                                "åtgärder: problem, genomförande, resultat och lärdomar.",
                    agent=agent, contact=contact, themes=["GOVE"], keywords=["erfarenhetsrapporter"],
                    language="sv", issued=None, modified=bank_modified,
                    landing=base + "/erfarenhetsbank")
    graph.add((catalog, DCAT.dataset, bank))
    _distribution(graph, bank, base + "/erfarenhetsbank/flode.atom", title="Atom-flöde",
                  access_url=base + "/erfarenhetsbank", download_url=base + "/erfarenhetsbank/flode.atom",
                  media_type="application/atom+xml", licence=LICENCE.CC_BY_4_0)
    _distribution(graph, bank, base + "/api/v1/experience-reports", title="JSON (API)",
                  access_url=base + "/api/v1/docs", download_url=base + "/api/v1/experience-reports",
                  media_type="application/json", licence=LICENCE.CC_BY_4_0)
    modified = max(filter(None, (latest, bank_modified)), default=None)
    if modified is not None:
        graph.add((catalog, DCTERMS.modified, _date(modified)))
    return graph


def serialise(graph: Graph, fmt: str) -> bytes:
    if fmt == "json-ld":
        return graph.serialize(format="json-ld", auto_compact=True).encode()
    return graph.serialize(format=fmt, encoding="utf-8")
