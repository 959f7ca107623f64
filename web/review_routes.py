"""HTML page of the review queue ("Te beoordelen"): confirm or reject a suggested blocker in one
click. The decision is written into the case's Markdown file (see :mod:`ingest.review`); a
professional decides only on cases of their own team. The who-field starts with the role and team of
the logged-in user. JSON twin: ``/api/beoordelen``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.access import note_audit
from api.deps import KBDep, check_correction, gate_for, who
from ingest.review import decide
from ingest.signal_gate import screen_signal_text
from kb.errors import LeerlusError
from web.routes import templates, who_default

router = APIRouter(include_in_schema=False)


def _page(request: Request, kb: Any, status: int = 200, **extra: Any) -> Response:
    code = request.query_params.get("blokkade") or None
    team = request.query_params.get("team") or None
    queue = kb.review_queue(code=code, team=team)
    note_audit(request, cases=[s.case_id for s in queue.items])
    filters = urlencode({k: v for k, v in (("blokkade", code), ("team", team)) if v})
    context = {
        "queue": queue,
        "stats": kb.review_stats(),
        "blokkades": kb.taxonomy.blokkades,
        "teams": sorted(kb.facets().get("team", {})),
        "code": code,
        "team": team,
        "wie": who_default(request),
        "error": None,
        "done": request.query_params.get("klaar"),
        "terug": "/beoordelen" + (f"?{filters}" if filters else ""),
        "json_url": "/api/beoordelen" + (f"?{filters}" if filters else ""),
        **extra,
    }
    return templates.TemplateResponse(request, "review.html", context, status_code=status)


@router.get("/beoordelen", response_class=HTMLResponse)
def review_page(request: Request, kb: KBDep) -> Response:
    return _page(request, kb)


@router.post("/beoordelen", response_class=HTMLResponse)
async def review_decide(request: Request, kb: KBDep) -> Response:
    form = await request.form()
    values = {k: str(form.get(k) or "") for k in ("casus", "code", "beslissing", "wie", "versie", "terug")}
    values["wie"] = who(request, values["wie"])
    try:
        check_correction(request, kb, values["casus"])
        await run_in_threadpool(screen_signal_text, gate_for(request), {"wie": values["wie"]})
        await run_in_threadpool(
            decide,
            kb,
            case_id=values["casus"],
            code=values["code"],
            beslissing=values["beslissing"],
            wie=values["wie"],
            versie=values["versie"],
        )
    except LeerlusError as error:
        return _page(request, kb, error.status, error=error.detail, wie=values["wie"])
    back = (
        values["terug"]
        if values["terug"].startswith("/beoordelen") or values["terug"].startswith("/casus/")
        else "/beoordelen"
    )
    sep = "&" if "?" in back else "?"
    done = urlencode({"klaar": f"{values['casus']}|{values['code']}|{values['beslissing']}"})
    note_audit(request, target=f"casus:{values['casus']}", cases=[values["casus"]])
    return RedirectResponse(f"{back}{sep}{done}", status_code=303)
