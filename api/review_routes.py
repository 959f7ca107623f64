"""JSON API of the review queue (``/api/beoordelen``): suggested blockers, decisions, statistics."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from api.access import note_audit
from api.deps import GateDep, KBDep, check_correction, who
from ingest.review import decide

router = APIRouter(prefix="/api", tags=["beoordelen"])


class ReviewDecision(BaseModel):
    casus: str = Field(max_length=200)
    code: str = Field(max_length=100)
    beslissing: str = Field(max_length=20, description="bevestigd of afgewezen")
    wie: str | None = Field(
        default=None, max_length=500, description="Rol of team; standaard die van de ingelogde gebruiker."
    )
    versie: str = Field(max_length=64, description="De versie van de casus zoals die in de lijst stond.")


@router.get("/beoordelen", summary="Te beoordelen: open suggesties")
def review_queue(
    request: Request,
    kb: KBDep,
    blokkade: Annotated[str | None, Query(max_length=100, description="Alleen deze blokkadecode.")] = None,
    team: Annotated[str | None, Query(max_length=200, description="Alleen casussen van dit team.")] = None,
) -> dict[str, Any]:
    """Elke open suggestie met bewijszinnen, betrouwbaarheid en ``versie``; per code wat wordt
    achtergehouden omdat mensen de suggesties ervan meestal afwezen."""
    queue = kb.review_queue(code=blokkade or None, team=team or None)
    note_audit(request, cases=[s.case_id for s in queue.items])
    return queue.to_dict()


@router.post("/beoordelen", summary="Suggestie bevestigen of afwijzen")
def review_decide(request: Request, body: ReviewDecision, kb: KBDep, gate: GateDep) -> dict[str, object]:
    """Schrijft het besluit in het Markdown-bestand van de casus (``blokkades`` of
    ``blokkades_afgewezen``) en leest de casus opnieuw in. 409 ``gewijzigd`` als het bestand
    veranderde sinds de lijst werd getoond, 409 ``geen-suggestie`` als er niets (meer) te beslissen is;
    ``wie`` gaat door de anonimiseringspoort (422 bij persoonsgegevens: vul een rol of team in).
    Een professional beslist alleen over casussen van het eigen team (403)."""
    from ingest.signal_gate import screen_signal_text

    check_correction(request, kb, body.casus)
    wie = who(request, body.wie)
    screen_signal_text(gate, {"wie": wie})
    decided = decide(kb, case_id=body.casus, code=body.code, beslissing=body.beslissing, wie=wie, versie=body.versie)
    note_audit(request, target=f"casus:{body.casus}", cases=[body.casus])
    return decided.to_dict()


@router.get("/beoordelen/statistiek", summary="Besluiten per blokkade")
def review_stats(kb: KBDep) -> list[dict[str, Any]]:
    """Per blokkadecode hoeveel suggesties zijn bevestigd en afgewezen, met de precisie per kwartaal."""
    return [s.to_dict() for s in kb.review_stats()]
