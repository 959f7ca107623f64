"""Atom feeds (the presentation stage): the newest cases matching a saved search, so a team can
follow a theme in any feed reader.

Entries are keyed by case id and dated by the case's own date, so a feed does not churn when the
knowledge base is re-ingested; a case that newly matches appears as a new entry.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from kb.models import CaseDetail
from kb.userdata import SavedSearchPublic

ATOM = "http://www.w3.org/2005/Atom"


def _timestamp(datum: str) -> str:
    """``2024-03`` or ``2024-03-15`` as an RFC 3339 timestamp (first day, midnight UTC)."""
    parts = (datum.split("-") + ["01", "01"])[:3]
    year, month, day = parts[0], parts[1] or "01", parts[2] or "01"
    return f"{year}-{month}-{day}T00:00:00Z"


def feed(saved: SavedSearchPublic, cases: Sequence[CaseDetail], base_url: str) -> bytes:
    """The Atom document for ``saved`` with ``cases`` newest first; links made absolute with ``base_url``."""
    base = base_url.rstrip("/")
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    add(root, "id", f"{base}{saved.feed}")
    add(root, "title", f"Leerlus: {saved.naam}")
    add(root, "subtitle", "Nieuwe casussen die passen bij deze bewaarde zoekopdracht.")
    newest = max((c.datum for c in cases), default=saved.aangemaakt.strftime("%Y-%m-%d"))
    add(root, "updated", _timestamp(newest))
    add(root, "link", rel="self", href=f"{base}{saved.feed}")
    add(root, "link", rel="alternate", type="text/html", href=f"{base}{saved.url}")
    author = add(root, "author")
    add(author, "name", "Leerlus")
    add(root, "generator", "Leerlus")
    for case in cases:
        entry = add(root, "entry")
        add(entry, "id", f"{base}/casus/{case.id}")
        add(entry, "title", case.titel)
        add(entry, "updated", _timestamp(case.datum))
        add(entry, "published", _timestamp(case.datum))
        add(entry, "link", rel="alternate", type="text/html", href=f"{base}/casus/{case.id}")
        for code in case.blokkades:
            add(entry, "category", term=code)
        summary = " ".join(part for part in (case.besluit, case.uitkomst) if part) or case.titel
        add(entry, "summary", summary)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
