"""HTML pages for saved searches ("Bewaarde zoekopdrachten") and their Atom feeds.

A search is saved from its results page under a name; the list page links each saved search to its
shareable URL and its feed. A refused name re-renders the form with what was typed kept. The JSON
twin is ``/api/searches``.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.access import note_audit
from api.deps import KBDep, gate_for
from ingest.userdata_gate import screen_saved_search
from kb.errors import LeerlusError
from kb.search import request_from_params
from web.atom import feed
from web.routes import templates

router = APIRouter(include_in_schema=False)


def _page(request: Request, kb: KBDep, status: int = 200, **extra: object) -> Response:
    context = {"saved": kb.saved_searches(), "json_url": "/api/searches", "error": None, "naam": "", "params": ""}
    context.update(extra)
    return templates.TemplateResponse(request, "saved.html", context, status_code=status)


@router.get("/zoekopdrachten", response_class=HTMLResponse)
def saved_list(request: Request, kb: KBDep) -> Response:
    return _page(request, kb, bewaard=request.query_params.get("bewaard"))


@router.post("/zoekopdrachten", response_class=HTMLResponse)
async def save_search(
    request: Request, kb: KBDep, naam: str = Form("", max_length=1000), params: str = Form("", max_length=20_000)
) -> Response:
    try:
        wanted = request_from_params(params)
        await run_in_threadpool(screen_saved_search, gate_for(request), naam, wanted)
        saved = await run_in_threadpool(kb.save_search, naam, wanted)
    except LeerlusError as error:
        return _page(request, kb, status=error.status, error=error.detail, naam=naam, params=params)
    note_audit(request, target=f"zoekopdracht:{saved.slug}")
    return RedirectResponse(f"/zoekopdrachten?bewaard={saved.slug}", status_code=303)


@router.get("/zoekopdrachten/{slug}")
def open_saved(slug: str, kb: KBDep) -> Response:
    return RedirectResponse(kb.saved_search(slug).url, status_code=303)


@router.post("/zoekopdrachten/{slug}/verwijderen")
def delete_saved(slug: str, kb: KBDep) -> Response:
    kb.delete_saved_search(slug)
    return RedirectResponse("/zoekopdrachten", status_code=303)


@router.get("/zoekopdrachten/{slug}/feed")
def saved_feed(slug: str, request: Request, kb: KBDep) -> Response:
    """The Atom feed; its links start with ``LEERLUS_BASE_URL``, never with the request's Host header."""
    saved, cases = kb.newest_matches(slug)
    note_audit(request, cases=[case.id for case in cases])
    document = feed(saved, cases, request.app.state.settings.public_url)
    return Response(document, media_type="application/atom+xml; charset=utf-8")
