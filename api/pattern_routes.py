"""JSON API of the patterns stage (``/api/patterns``): the dashboard's numbers, each table as
JSON or CSV, and the cases behind any number.

Every count carries a ``selecties`` query string; ``/api/patterns/cases?{selectie}`` lists exactly
the cases it counts.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from api.deps import KBDep
from kb.errors import InvalidInput, NotFound
from kb.patterns import pattern_request, selection_from

router = APIRouter(prefix="/api/patterns", tags=["patronen"])
report_router = APIRouter(prefix="/api", tags=["patronen"])

PerParam = Annotated[str, Query(description="maand, kwartaal of jaar.")]


@router.get("", summary="Patronen: alle tabellen")
def patterns(request: Request, kb: KBDep, per: PerParam = "kwartaal") -> dict[str, Any]:
    """Blokkades per periode, trend, per regio/team/hulpvraag/leeftijd, knelpuntenmatrix,
    samen voorkomende en terugkerende blokkades. Parameters: ``per``, ``van``, ``tot``, ``drempel``
    (standaard 3), ``venster`` (maanden, standaard 12) en herhaalbare facetfilters (``regio=...``)."""
    wanted = pattern_request(request.query_params.getlist)
    return kb.patterns(wanted).to_dict()


@report_router.get("/report", summary="Verantwoordingsrapportage")
def report(
    kb: KBDep,
    van: Annotated[str, Query(description="Eerste maand, JJJJ-MM of JJJJ.")],
    tot: Annotated[str, Query(description="Laatste maand, JJJJ-MM of JJJJ.")],
) -> dict[str, Any]:
    """Casussen per soort en regio, blokkades met trend, knelpuntenmatrix, signalen (geopend,
    opgelost, vastgelopen, opnieuw gezien), tijd per status en voorbeeldcasussen; hetzelfde als
    ``leerlus rapport --formaat json``."""
    from kb.report import build_report

    return build_report(kb, van, tot).to_dict()


@router.get("/cases", summary="De casussen achter een getal")
def cases(request: Request, kb: KBDep) -> dict[str, Any]:
    """Parameters zoals in ``selecties`` van een tabel: facetfilters, ``van``, ``tot``,
    herhaalbaar ``blokkade`` (alle moeten voorkomen) en ``grens`` (``Wet A|Wet B``)."""
    selection = selection_from(request.query_params.getlist)
    found = kb.analyst(selection.suggesties).select(selection)
    return {
        "selectie": selection.query_string(),
        "aantal": len(found),
        "casussen": [{"id": f.id, "titel": f.titel, "datum": f.datum} for f in found],
    }


@router.get("/{tabel}", summary="Eén tabel als JSON of CSV")
def table(
    tabel: str,
    request: Request,
    kb: KBDep,
    per: PerParam = "kwartaal",
    formaat: Annotated[str, Query(description="json of csv.")] = "json",
) -> Any:
    wanted = pattern_request(request.query_params.getlist)
    result = kb.patterns(wanted)
    if tabel not in result.tabellen:
        raise NotFound(f"tabel '{tabel}' bestaat niet; kies uit {', '.join(result.tabellen)}")
    chosen = result.tabellen[tabel]
    if formaat == "csv":
        headers = {"Content-Disposition": f'attachment; filename="leerlus-{tabel}-{wanted.per}.csv"'}
        return Response(chosen.to_csv(), media_type="text/csv; charset=utf-8", headers=headers)
    if formaat != "json":
        raise InvalidInput(f"formaat '{formaat}' is onbekend; kies json of csv")
    return chosen.to_dict()
