"""JSON API for saved searches (``/api/searches``): save a search under a name, list, show, delete.

The Atom feed of a saved search is served by the web stage (``/zoekopdrachten/{slug}/feed``),
because feed readers want a stable, human-facing URL.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from api.access import note_audit
from api.deps import GateDep, KBDep
from ingest.userdata_gate import screen_saved_search
from kb.saved_searches import MAX_NAME
from kb.search import make_request
from kb.userdata import SavedSearchPublic

router = APIRouter(prefix="/api/searches", tags=["zoekopdrachten"])


class SaveSearch(BaseModel):
    """A search to save: a name and the same parameters as ``GET /api/search``."""

    naam: Annotated[str, Field(max_length=MAX_NAME * 2, description="Naam, uniek.")]
    q: str = ""
    filters: dict[str, list[str]] = {}
    van: str | None = None
    tot: str | None = None
    sort: str = "relevantie"


@router.get("", response_model=list[SavedSearchPublic], summary="Bewaarde zoekopdrachten")
def list_saved(kb: KBDep) -> list[SavedSearchPublic]:
    return kb.saved_searches()


@router.post("", response_model=SavedSearchPublic, status_code=201, summary="Zoekopdracht bewaren")
def save(request: Request, body: SaveSearch, kb: KBDep, gate: GateDep) -> SavedSearchPublic:
    """Bewaart een zoekopdracht onder een naam. 409 als de naam al bestaat, 422 bij ongeldige
    filters of datums, en 422 ``persoonsgegevens`` als naam of zoekvraag door de
    anonimiseringspoort wordt geweigerd. Het antwoord bevat de deelbare URL en de Atom-feed."""
    wanted = make_request(query=body.q, filters=body.filters, van=body.van, tot=body.tot, sort=body.sort)
    screen_saved_search(gate, body.naam, wanted)
    saved = kb.save_search(body.naam, wanted)
    note_audit(request, target=f"zoekopdracht:{saved.slug}")
    return saved


@router.get("/{slug}", response_model=SavedSearchPublic, summary="Eén bewaarde zoekopdracht")
def show(slug: str, kb: KBDep) -> SavedSearchPublic:
    return kb.saved_search(slug)


@router.delete("/{slug}", status_code=204, summary="Bewaarde zoekopdracht verwijderen")
def delete(slug: str, kb: KBDep) -> Response:
    kb.delete_saved_search(slug)
    return Response(status_code=204)
