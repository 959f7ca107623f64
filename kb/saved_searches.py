"""Saved searches (the store stage): a search kept under a name so a team can follow a theme.

A saved search is its canonical query string (:func:`kb.search.to_params`), so the shareable URL,
the stored search and its Atom feed always run the same query. Names are unique by their slug.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlencode

from sqlmodel import Session, col, select

from kb.errors import InvalidInput, LeerlusError, NotFound
from kb.limits import refuse_control
from kb.search import SearchRequest, to_params
from kb.userdata import SavedSearch, SavedSearchPublic

MAX_NAME = 120


def slugify(name: str) -> str:
    """``"Thuiszitters & passend onderwijs"`` -> ``"thuiszitters-passend-onderwijs"``."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:80].rstrip("-")


def save(*, session: Session, naam: str, request: SearchRequest) -> SavedSearchPublic:
    """Store ``request`` under ``naam``; Dutch errors for an empty, too long or taken name."""
    naam = " ".join((naam or "").split())
    if not naam:
        raise InvalidInput("geef de zoekopdracht een naam")
    if len(naam) > MAX_NAME:
        raise InvalidInput(f"de naam is te lang ({len(naam)} tekens, hoogstens {MAX_NAME})")
    refuse_control(naam, "de naam")
    slug = slugify(naam)
    if not slug:
        raise InvalidInput("de naam moet ten minste één letter of cijfer bevatten")
    existing = session.get(SavedSearch, slug)
    if existing is not None:
        raise LeerlusError(
            f"er is al een zoekopdracht '{existing.naam}'; kies een andere naam", code="bestaat-al", status=409
        )
    saved = SavedSearch(slug=slug, naam=naam, params=urlencode(to_params(request)))
    session.add(saved)
    session.flush()
    return public(saved)


def public(saved: SavedSearch) -> SavedSearchPublic:
    return SavedSearchPublic(
        slug=saved.slug,
        naam=saved.naam,
        params=saved.params,
        aangemaakt=saved.aangemaakt,
        url=f"/zoeken?{saved.params}" if saved.params else "/zoeken",
        feed=f"/zoekopdrachten/{saved.slug}/feed",
    )


def get(*, session: Session, slug: str) -> SavedSearch:
    saved = session.get(SavedSearch, slug)
    if saved is None:
        raise NotFound(f"er is geen bewaarde zoekopdracht '{slug}'")
    return saved


def all_saved(*, session: Session) -> list[SavedSearchPublic]:
    return [public(s) for s in session.exec(select(SavedSearch).order_by(col(SavedSearch.naam))).all()]


def remove(*, session: Session, slug: str) -> None:
    session.delete(get(session=session, slug=slug))
