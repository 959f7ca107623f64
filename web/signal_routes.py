"""HTML pages of the learning loop: the list of signals, a new signal (from a system lesson on a
case page or from scratch), and one signal with its history and the next steps it may take.

Refused input re-renders the form with everything typed kept. The who-field starts with the role
and team of the logged-in user (their name is in the audit log). JSON twin: ``/api/signals``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.access import note_audit
from api.deps import KBDep, SignalNumber, gate_for, who
from ingest.signal_gate import SignalTextRefused, screen_signal_text
from kb.errors import LeerlusError
from kb.signals import STATUSES
from web.routes import label_for, templates, who_default

router = APIRouter(include_in_schema=False)
SignalId = SignalNumber  # named 'signaalnummer' in the path, as the user sees it


def _form(request: Request, kb: Any, values: dict[str, Any], status: int = 200, **extra: Any) -> Response:
    context = {
        "values": values,
        "adressaten": kb.taxonomy.adressaten,
        "blokkades": kb.taxonomy.blokkades,
        "json_url": None,
        "error": None,
        "redacted": {},
        **extra,
    }
    return templates.TemplateResponse(request, "signal_new.html", context, status_code=status)


@router.get("/signalen", response_class=HTMLResponse)
def signal_list(request: Request, kb: KBDep) -> Response:
    status = request.query_params.get("status") or None
    found = kb.signals(status)
    return templates.TemplateResponse(
        request,
        "signals.html",
        {
            "signals": found,
            "status": status,
            "statuses": STATUSES,
            "flagged": [s for s in found if s.opnieuw_gezien],
            "label": lambda f, c: label_for(kb, f, c),
            "json_url": "/api/signals" + (f"?status={status}" if status else ""),
        },
    )


@router.get("/signalen/nieuw", response_class=HTMLResponse)
def new_signal_form(request: Request, kb: KBDep) -> Response:
    """An empty form, or one filled from system lesson ``les`` (1-based) of case ``casus``."""
    values: dict[str, Any] = {
        "titel": "",
        "toelichting": "",
        "adressaat": "",
        "blokkades": [],
        "casussen": "",
        "bron_les": "",
    }
    case_id, lesson = request.query_params.get("casus"), request.query_params.get("les")
    if case_id:
        case = kb.case(case_id)
        values.update(casussen=case.id, blokkades=list(case.blokkades))
        if lesson and lesson.isdigit() and 1 <= int(lesson) <= len(case.lessen_systeem):
            values.update(titel=case.lessen_systeem[int(lesson) - 1], bron_les=f"{case.id}#{lesson}")
    values["wie"] = who_default(request)
    return _form(request, kb, values)


@router.post("/signalen", response_class=HTMLResponse)
async def create_signal(request: Request, kb: KBDep) -> Response:
    form = await request.form()
    values: dict[str, Any] = {
        k: str(form.get(k) or "") for k in ("titel", "toelichting", "adressaat", "casussen", "wie", "bron_les")
    }
    values["blokkades"] = [str(v) for v in form.getlist("blokkades")]
    values["wie"] = who(request, values["wie"])
    try:
        await run_in_threadpool(
            screen_signal_text,
            gate_for(request),
            {"titel": values["titel"], "toelichting": values["toelichting"], "wie": values["wie"]},
        )
        signal = kb.create_signal(
            titel=values["titel"],
            toelichting=values["toelichting"],
            adressaat=values["adressaat"],
            blokkades=values["blokkades"],
            casussen=[c.strip() for c in values["casussen"].replace(",", " ").split()],
            wie=values["wie"],
            bron_les=values["bron_les"] or None,
        )
    except SignalTextRefused as refused:
        return _form(request, kb, values, refused.status, error=refused.detail, redacted=refused.redacted)
    except LeerlusError as error:
        return _form(request, kb, values, error.status, error=error.detail)
    note_audit(request, target=f"signaal:{signal.id}", cases=signal.casussen)
    return RedirectResponse(f"/signalen/{signal.id}?nieuw=1", status_code=303)


def _detail(request: Request, kb: Any, signal_id: int, status: int = 200, **extra: Any) -> Response:
    signal = kb.signal(signal_id)
    context = {
        "signal": signal,
        "statuses": STATUSES,
        "label": lambda f, c: label_for(kb, f, c),
        "wie": who_default(request),
        "notitie": "",
        "naar": "",
        "error": None,
        "redacted": {},
        "nieuw": request.query_params.get("nieuw") == "1",
        "json_url": f"/api/signals/{signal_id}",
        **extra,
    }
    return templates.TemplateResponse(request, "signal.html", context, status_code=status)


@router.get("/signalen/{signaalnummer}", response_class=HTMLResponse)
def signal_page(request: Request, signal_id: SignalId, kb: KBDep) -> Response:
    return _detail(request, kb, signal_id)


@router.post("/signalen/{signaalnummer}/status", response_class=HTMLResponse)
async def move_signal(request: Request, signal_id: SignalId, kb: KBDep) -> Response:
    form = await request.form()
    naar, wie, notitie = (str(form.get(k) or "") for k in ("naar", "wie", "notitie"))
    wie = who(request, wie)
    try:
        await run_in_threadpool(screen_signal_text, gate_for(request), {"notitie": notitie, "wie": wie})
        moved = kb.move_signal(signal_id, naar, wie, notitie)
    except SignalTextRefused as refused:
        return _detail(
            request,
            kb,
            signal_id,
            refused.status,
            error=refused.detail,
            redacted=refused.redacted,
            wie=wie,
            notitie=notitie,
            naar=naar,
        )
    except LeerlusError as error:
        if error.status == 404:
            raise
        return _detail(request, kb, signal_id, error.status, error=error.detail, wie=wie, notitie=notitie, naar=naar)
    note_audit(request, cases=moved.casussen)
    return RedirectResponse(f"/signalen/{signal_id}", status_code=303)
