"""HTML pages of the expertteam's work: the adviesdossier (``/dossier``: paste the facts of a
request, choose or accept the boundary, get the earlier advice side by side; rows are left out or
added with one click, the facts travel in the form and are never stored; JSON twin
``POST /api/dossier``), and the compliance follow-up of binding advice (``/naleving``, and status
steps from the case page; JSON twin ``/api/naleving``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.access import note_audit
from api.deps import KBDep, gate_for, pipeline_for, who
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
        result = await run_in_threadpool(  # off the event loop: the first pipeline load takes seconds
            lambda: dossier_for(
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
        )
    except PersonalDataRefused as refused:
        marked = [item.finding for item in refused.findings if item.finding.blocking]
        context = _context(kb, values, refused=refused, marked=marked)
        return templates.TemplateResponse(request, "dossier.html", context, status_code=422)
    except LeerlusError as error:
        context = _context(kb, values, problem=error.detail)
        return templates.TemplateResponse(request, "dossier.html", context, status_code=error.status)
    note_audit(request, cases=[row.id for row in result.rijen])
    if form.get("formaat") == "md":
        headers = {"Content-Disposition": 'attachment; filename="adviesdossier.md"'}
        markdown = result.to_markdown(kb.taxonomy.facet_label)
        return Response(markdown, media_type="text/markdown; charset=utf-8", headers=headers)
    values["grens"] = result.grens
    values["met"] = result.met
    return templates.TemplateResponse(request, "dossier.html", _context(kb, values, dossier=result))


@router.get("/naleving", response_class=HTMLResponse)
def compliance_page(request: Request, kb: KBDep) -> Response:
    """What binding advice asked of whom, whether it was done, and what is overdue."""
    context = {
        "overzicht": kb.compliance(),
        "partijen": {t.code: t.label for t in kb.taxonomy.partijen},
        "labels": {t.code: t.label for t in kb.taxonomy.blokkades},
        "json_url": "/api/naleving",
    }
    return templates.TemplateResponse(request, "compliance.html", context)


@router.post("/casus/{case_id}/verplichtingen/{nummer}", response_class=HTMLResponse)
async def move_obligation(request: Request, case_id: str, nummer: int, kb: KBDep) -> Response:
    """A compliance step from the case page; refused input comes back on the case page."""
    from ingest.signal_gate import SignalTextRefused, screen_signal_text

    form = await request.form()
    naar, wie, notitie = (str(form.get(k) or "") for k in ("naar", "wie", "notitie"))
    wie = who(request, wie)
    try:
        await run_in_threadpool(screen_signal_text, gate_for(request), {"notitie": notitie, "wie": wie})
        kb.move_obligation(case_id, nummer, naar, wie, notitie)
    except SignalTextRefused as refused:
        return RedirectResponse(f"/casus/{case_id}?naleving_fout={quote(refused.detail)}#naleving", status_code=303)
    except LeerlusError as error:
        if error.status == 404:
            raise
        return RedirectResponse(f"/casus/{case_id}?naleving_fout={quote(error.detail)}#naleving", status_code=303)
    note_audit(request, target=f"casus:{case_id}#{nummer}")
    return RedirectResponse(f"/casus/{case_id}#naleving", status_code=303)
