"""JSON API of the expertteam's adviesdossier (``POST /api/dossier``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import GateDep, KBDep, PipelineDep
from ingest.draft import MAX_DRAFT_CHARS

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
def dossier(body: DossierIn, kb: KBDep, gate: GateDep, pipeline: PipelineDep) -> dict[str, Any]:
    """Eerdere bindende adviezen, maatwerkbesluiten en escalaties op dezelfde grens, naast elkaar,
    met per rij waarom hij vergelijkbaar is. De feiten gaan eerst door de anonimiseringspoort (422
    ``persoonsgegevens``) en worden nooit opgeslagen; zonder ``grens`` kiest Leerlus de grens die de
    feiten het duidelijkst laten zien (``voorgesteld``). ``markdown`` bevat dezelfde tabel."""
    from ingest.dossier import dossier_for

    result = dossier_for(kb, gate=gate, pipeline=pipeline, **body.model_dump())
    labels = {t.code: t.label for t in kb.taxonomy.blokkades}
    return {**result.to_dict(), "markdown": result.to_markdown(labels)}
