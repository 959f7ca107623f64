"""JSON API of access control: who am I (``/api/ik``) and the audit log for administrators
(``/api/audit``). Logging in is for people (``/inloggen``, :mod:`web.auth_routes`); scripts send an
API token (``leerlus gebruikers token``) as ``Authorization: Bearer ...``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import KBDep, PrincipalDep
from kb.access import PERMISSION_LABELS, ROLE_LABELS

router = APIRouter(prefix="/api", tags=["toegang"])
AUDIT_PAGE = 100


@router.get("/ik", summary="Wie ben ik?")
def me(principal: PrincipalDep) -> dict[str, Any]:
    """De ingelogde gebruiker: naam, rol, team, hoe hij zich aanmeldde (``sessie`` of ``token``) en
    wat zijn rol mag."""
    return {
        "naam": principal.naam,
        "rol": principal.rol,
        "rol_label": ROLE_LABELS[principal.rol],
        "team": principal.team,
        "via": principal.via,
        "rechten": [name for name in PERMISSION_LABELS if principal.may(name)],
    }


@router.get("/audit", summary="Auditlog (beheerder)")
def audit(
    kb: KBDep,
    casus: Annotated[str | None, Query(max_length=200, description="Alleen regels over deze casus.")] = None,
    wie: Annotated[str | None, Query(max_length=80, description="Alleen regels van deze gebruiker.")] = None,
    actie: Annotated[str | None, Query(max_length=40, description="Alleen deze actie.")] = None,
    pagina: Annotated[int, Query(ge=1, le=100_000)] = 1,
    controleer: Annotated[bool, Query(description="Controleer ook de hele hashketen.")] = False,
) -> dict[str, Any]:
    """Regels van het auditlog, nieuwste eerst, 100 per pagina: wie (naam en rol), wanneer, actie,
    object, casussen, uitkomst, verzoek-id en adres. Met ``controleer=true`` ook de uitkomst van de
    controle van de hashketen (``keten``)."""
    lines, total = kb.audit.entries(
        case_id=casus or None, wie=wie or None, actie=actie or None, limit=AUDIT_PAGE, offset=(pagina - 1) * AUDIT_PAGE
    )
    answer: dict[str, Any] = {"aantal": total, "pagina": pagina, "per_pagina": AUDIT_PAGE, "regels": lines}
    if controleer:
        answer["keten"] = kb.audit.verify().to_dict()
    return answer
