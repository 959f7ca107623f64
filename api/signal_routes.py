"""JSON API of the learning loop (``/api/signals``): system signals with their history, status
moves, and export/import of everything people entered (``/api/export``, ``/api/import``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import BaseModel, Field

from api.access import note_audit
from api.deps import GateDep, KBDep, SignalNumber, who
from ingest.signal_gate import screen_signal_text
from ingest.userdata_gate import import_userdata
from kb.signals import SignalPublic

router = APIRouter(prefix="/api", tags=["signalen"])
SignalId = SignalNumber  # named 'signaalnummer' in the path, as the user sees it


class NewSignal(BaseModel):
    titel: str = Field(max_length=1000)
    adressaat: str = Field(max_length=100, description="Code uit de lijst adressaten, bijvoorbeeld zorgkantoor.")
    blokkades: list[str] = Field(max_length=50)
    casussen: list[str] = Field(default=[], max_length=500)
    toelichting: str = Field(default="", max_length=20_000)
    wie: str | None = Field(
        default=None,
        max_length=500,
        description="Rol of team voor de geschiedenis; standaard de rol en het team van de ingelogde gebruiker.",
    )
    bron_les: str | None = Field(default=None, max_length=300, description="casus-id#n van de systeemles.")


class Move(BaseModel):
    naar: str = Field(max_length=50)
    wie: str | None = Field(
        default=None,
        max_length=500,
        description="Rol of team voor de geschiedenis; standaard de rol en het team van de ingelogde gebruiker.",
    )
    notitie: str = Field(default="", max_length=20_000)


@router.get("/signals", response_model=list[SignalPublic], summary="Signalen")
def list_signals(
    kb: KBDep, status: Annotated[str | None, Query(description="Alleen deze status.")] = None
) -> list[SignalPublic]:
    return kb.signals(status)


@router.post("/signals", response_model=SignalPublic, status_code=201, summary="Nieuw signaal")
def create_signal(request: Request, body: NewSignal, response: Response, kb: KBDep, gate: GateDep) -> SignalPublic:
    """Maakt een signaal met status ``nieuw``. 422 bij onbekende adressaat, blokkade of casus of
    bij persoonsgegevens in titel of toelichting (``persoonsgegevens``, met ``velden`` en
    ``redacted``); 409 als van dezelfde les (``bron_les``) al een signaal bestaat. Ook ``wie`` gaat
    door de poort: een rol of team, geen naam of nummer; zonder ``wie`` de rol en het team van de
    ingelogde gebruiker (diens naam staat in het auditlog)."""
    wie = who(request, body.wie)
    screen_signal_text(gate, {"titel": body.titel, "toelichting": body.toelichting, "wie": wie})
    signal = kb.create_signal(**{**body.model_dump(), "wie": wie})
    response.headers["Location"] = f"/api/signals/{signal.id}"
    note_audit(request, target=f"signaal:{signal.id}", cases=signal.casussen)
    return signal


@router.get("/signals/{signaalnummer}", response_model=SignalPublic, summary="Eén signaal met geschiedenis")
def show_signal(signal_id: SignalId, kb: KBDep) -> SignalPublic:
    return kb.signal(signal_id)


@router.post("/signals/{signaalnummer}/status", response_model=SignalPublic, summary="Status wijzigen")
def move_signal(request: Request, signal_id: SignalId, body: Move, kb: KBDep, gate: GateDep) -> SignalPublic:
    """Zet een signaal een stap verder. 409 ``ongeldige-overgang`` voor een stap die niet mag;
    naar ``niet-opgepakt`` en heropenen vragen een ``notitie``; een notitie met
    persoonsgegevens (ook in ``wie``) wordt geweigerd (422)."""
    wie = who(request, body.wie)
    screen_signal_text(gate, {"notitie": body.notitie, "wie": wie})
    moved = kb.move_signal(signal_id, body.naar, wie, body.notitie)
    note_audit(request, cases=moved.casussen)
    return moved


@router.get("/export", summary="Export van signalen en bewaarde zoekopdrachten (beheerder)")
def export(kb: KBDep) -> Response:
    """Alle signalen met hun volledige geschiedenis (ook ``wie``) en alle bewaarde zoekopdrachten, als
    bestand; alleen voor de beheerder."""
    import json

    body = json.dumps(kb.export_userdata(), ensure_ascii=False, indent=2)
    headers = {"Content-Disposition": 'attachment; filename="leerlus-gebruikersdata.json"'}
    return Response(body, media_type="application/json", headers=headers)


@router.post("/import", summary="Import van een export (beheerder)")
def import_data(kb: KBDep, gate: GateDep, data: Annotated[dict[str, Any], Body()]) -> dict[str, int]:
    """Voegt toe wat er nog niet is; bestaande signalen (zelfde ``uid``) en namen worden overgeslagen.
    Elk veld wordt streng gecontroleerd (422 ``ongeldige-invoer``) en elke tekst gaat door de
    anonimiseringspoort (422 ``persoonsgegevens``) voordat er iets wordt opgeslagen."""
    return import_userdata(kb, data, gate)
