"""HTML page of the adviesdossier (``/dossier``): an expertteam pastes the facts of a request,
chooses or accepts the boundary, and gets the earlier advice side by side; rows are left out or
added with one click (the facts travel in the form, never stored). JSON twin: ``POST /api/dossier``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import KBDep, gate_for, pipeline_for
from ingest.submit import PersonalDataRefused
from kb.errors import LeerlusError
from web.routes import label_for, templates

router = APIRouter(include_in_schema=False)


def _context(kb: Any, values: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "values": values,
        "blokkades": kb.taxonomy.blokkades,
        "leeftijden": kb.taxonomy.leeftijdscategorieen,
        "hulpvragen": kb.taxonomy.hulpvraag,
        "labels": {t.code: t.label for t in kb.taxonomy.blokkades},
        "label": lambda f, c: label_for(kb, f, c),
        "dossier": None,
        "json_url": None,
        **extra,
    }


@router.get("/dossier", response_class=HTMLResponse)
def dossier_form(request: Request, kb: KBDep) -> Response:
    values = {"feiten": "", "grens": request.query_params.get("grens", ""), "zonder": [], "met": []}
    return templates.TemplateResponse(request, "dossier.html", _context(kb, values))


@router.post("/dossier", response_class=HTMLResponse)
async def dossier_page(request: Request, kb: KBDep) -> Response:
    """The dossier, or the form back with the gate's findings; ``formaat=md`` downloads Markdown."""
    from ingest.dossier import dossier_for

    form = await request.form()
    values: dict[str, Any] = {k: str(form.get(k) or "") for k in ("feiten", "grens", "leeftijdscategorie", "hulpvraag")}
    zonder = [str(v) for v in form.getlist("zonder") if v]
    met = [str(v) for v in form.getlist("met") if v] + [str(form.get("toevoegen") or "").strip()]
    values.update(zonder=zonder, met=[m for m in met if m])
    try:
        result = await run_in_threadpool(
            dossier_for,
            kb,
            gate=gate_for(request),
            pipeline=pipeline_for(request),
            feiten=values["feiten"],
            grens=values["grens"] or None,
            leeftijdscategorie=values["leeftijdscategorie"] or None,
            hulpvraag=values["hulpvraag"] or None,
            zonder=zonder,
            met=values["met"],
        )
    except PersonalDataRefused as refused:
        marked = [item.finding for item in refused.findings if item.finding.blocking]
        context = _context(kb, values, refused=refused, marked=marked)
        return templates.TemplateResponse(request, "dossier.html", context, status_code=422)
    except LeerlusError as error:
        context = _context(kb, values, problem=error.detail)
        return templates.TemplateResponse(request, "dossier.html", context, status_code=error.status)
    if form.get("formaat") == "md":
        headers = {"Content-Disposition": 'attachment; filename="adviesdossier.md"'}
        labels = {t.code: t.label for t in kb.taxonomy.blokkades}
        return Response(result.to_markdown(labels), media_type="text/markdown; charset=utf-8", headers=headers)
    values["grens"] = result.grens
    values["met"] = result.met
    return templates.TemplateResponse(request, "dossier.html", _context(kb, values, dossier=result))
