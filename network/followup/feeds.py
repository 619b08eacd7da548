"""Atom for the experience bank: objects in, bytes out (RFC 4287)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from xml.etree import ElementTree as ET

from network.db import utcnow

ATOM = "http://www.w3.org/2005/Atom"


def _when(value: dt.datetime | None) -> str:
    return (value or utcnow()).astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def atom_feed(reports: Sequence, *, title: str, feed_url: str, site_url: str,
              entry_url: Callable[[object], str], summary: Callable[[object], str],
              theme_label: Callable[[object], str]) -> bytes:
    """Reports need ``id``, ``title``, ``published_at``, ``updated_at`` and ``municipality``."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = feed_url
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=feed_url, type="application/atom+xml")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=site_url, type="text/html")
    newest = max((r.updated_at or r.published_at for r in reports), default=None)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _when(newest)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = title
    for report in reports:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        url = entry_url(report)
        ET.SubElement(entry, f"{{{ATOM}}}title").text = report.title
        ET.SubElement(entry, f"{{{ATOM}}}id").text = url
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=url, type="text/html")
        ET.SubElement(entry, f"{{{ATOM}}}published").text = _when(report.published_at)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _when(report.updated_at or report.published_at)
        who = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(who, f"{{{ATOM}}}name").text = report.municipality.name if report.municipality else ""
        ET.SubElement(entry, f"{{{ATOM}}}category", term=str(report.theme), label=theme_label(report))
        ET.SubElement(entry, f"{{{ATOM}}}summary", type="text").text = summary(report)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
