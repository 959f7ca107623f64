"""JSON API of the expertteam's work: the adviesdossier (``POST /api/dossier``) and the
compliance follow-up of binding advice (``/api/naleving``, obligation status steps)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from api.access import note_audit
from api.deps import GateDep, KBDep, PipelineDep, who
from ingest.draft import MAX_DRAFT_CHARS
from kb.errors import InvalidInput

router = APIRouter(prefix="/api", tags=["adviesdossier"])


class DossierIn(BaseModel):
    feiten: str = Field(
        default="", max_length=MAX_DRAFT_CHARS, description="De feiten van de adviesvraag; niet opgeslagen."
    )
    grens: str | None = Field(
        default=None, max_length=100, description="Blokkadecode van de grens, bijvoorbeeld grens.jeugdwet-wlz."
    )
    leeftijdscategorie: str | None = Field(default=None, max_length=10)
    hulpvraag: str | None = Field(default=None, max_length=100)
    zonder: list[str] = Field(default=[], max_length=200, description="Casus-ids die uit het dossier gaan.")
    met: list[str] = Field(default=[], max_length=200, description="Casus-ids die het expertteam toevoegt.")


@router.post("/dossier", summary="Adviesdossier voor een expertteam")
def dossier(request: Request, body: DossierIn, kb: KBDep, gate: GateDep, pipeline: PipelineDep) -> dict[str, Any]:
    """Eerdere bindende adviezen, maatwerkbesluiten en escalaties op dezelfde grens, naast elkaar,
    met per rij waarom hij vergelijkbaar is. De feiten gaan eerst door de anonimiseringspoort (422
    ``persoonsgegevens``) en worden nooit opgeslagen; zonder ``grens`` kiest Leerlus de grens die de
    feiten het duidelijkst laten zien (``voorgesteld``). ``markdown`` bevat dezelfde tabel."""
    from ingest.dossier import dossier_for

    result = dossier_for(kb, gate=gate, pipeline=pipeline, **body.model_dump())
    note_audit(request, cases=[row.id for row in result.rijen])
    return {**result.to_dict(), "markdown": result.to_markdown(kb.taxonomy.facet_label)}


class ObligationMove(BaseModel):
    naar: str = Field(max_length=30, description="open, nagekomen of niet-nagekomen")
    wie: str | None = Field(
        default=None, max_length=500, description="Rol of team; standaard die van de ingelogde gebruiker."
    )
    notitie: str = Field(default="", max_length=20_000)


@router.get("/naleving", summary="Naleving van bindende adviezen")
def compliance(kb: KBDep) -> dict[str, Any]:
    """Alle verplichtingen uit bindende adviezen met hun stand, en de verplichtingen die na hun
    termijn nog open staan, geteld per partij en per grens."""
    return kb.compliance()


@router.post("/cases/{case_id}/verplichtingen/{nummer}/status", summary="Stand van een verplichting")
def move_obligation(
    request: Request, case_id: str, nummer: int, body: ObligationMove, kb: KBDep, gate: GateDep
) -> dict[str, Any]:
    """Legt een stap vast (``nagekomen``, ``niet-nagekomen`` of terug naar ``open``); de
    geschiedenis groeit alleen, het advies zelf verandert niet. Naar ``niet-nagekomen`` of terug
    naar ``open`` vraagt een ``notitie``; persoonsgegevens in ``notitie`` of ``wie`` worden geweigerd (422)."""
    from ingest.signal_gate import screen_signal_text

    if not 1 <= nummer <= 1000:
        raise InvalidInput("nummer moet tussen 1 en 1000 liggen")
    wie = who(request, body.wie)
    screen_signal_text(gate, {"notitie": body.notitie, "wie": wie})
    note_audit(request, target=f"casus:{case_id}#{nummer}")
    return kb.move_obligation(case_id, nummer, body.naar, wie, body.notitie)
