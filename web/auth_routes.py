"""HTML pages of access control: logging in and out, the one-time login link of the local
administrator, and the audit log for administrators (``/audit``; JSON twin ``/api/audit``).

Logging in is braked: after 5 failures for one name, or 20 from one address, within 15 minutes,
the next attempt waits (``429``). Every login, failed login and one-time link is in the audit log;
a failed login names the user only when the name exists, so a mistyped password in the name field
never reaches the log.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.access import audit_event
from api.auth_routes import AUDIT_PAGE
from api.deps import KBDep
from api.sessions import Brakes, Sessions, minutes
from kb.access import ROLE_LABELS
from web.routes import templates

router = APIRouter(include_in_schema=False)


def safe_next(wanted: str | None) -> str:
    """Only a path on this site: never ``//elsewhere`` or ``https://elsewhere``."""
    if not wanted or not wanted.startswith("/") or wanted.startswith("//") or "\\" in wanted:
        return "/"
    return wanted


def _login_page(request: Request, status: int = 200, **extra: Any) -> Response:
    context = {"json_url": None, "naam": "", "fout": None, "volgende": "/", **extra}
    response = templates.TemplateResponse(request, "login.html", context, status_code=status)
    state = request.state
    if state.fresh_nonce:  # a cookie with only a nonce, so the form's CSRF token can be checked
        sessions: Sessions = request.app.state.sessions
        sessions.anonymous(response, state.nonce)
    return response


@router.get("/inloggen", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    volgende = safe_next(request.query_params.get("volgende"))
    if request.state.principal is not None:
        return RedirectResponse(volgende, status_code=303)
    return _login_page(request, volgende=volgende)


@router.post("/inloggen", response_class=HTMLResponse)
async def login(request: Request, kb: KBDep) -> Response:
    form = await request.form()
    naam = str(form.get("naam") or "").strip().lower()[:80]
    wachtwoord = str(form.get("wachtwoord") or "")
    volgende = safe_next(str(form.get("volgende") or "/"))
    brakes: Brakes = request.app.state.brakes
    address = request.client.host if request.client else ""
    wait = max(brakes.login_name.wait(naam), brakes.login_address.wait(address))
    if wait:
        fout = f"Te veel mislukte pogingen. Probeer het over {minutes(wait)} opnieuw."
        return _login_page(request, 429, naam=naam, fout=fout, volgende=volgende)
    user = await run_in_threadpool(kb.accounts.login, naam, wachtwoord)
    if user is None:
        brakes.login_name.fail(naam)
        brakes.login_address.fail(address)
        known = await run_in_threadpool(kb.accounts.known, naam)
        await run_in_threadpool(
            audit_event, request, "inloggen", wie=naam if known else "(onbekende naam)", rol="", uitkomst="mislukt"
        )
        fout = "Naam of wachtwoord klopt niet, of het account is geblokkeerd."
        return _login_page(request, 401, naam=naam, fout=fout, volgende=volgende)
    brakes.login_name.forget(naam)
    await run_in_threadpool(audit_event, request, "inloggen", wie=user.naam, rol=user.rol, target="wachtwoord")
    response = RedirectResponse(volgende, status_code=303)
    request.app.state.sessions.log_in(response, user)
    return response


@router.get("/inloggen/link/{sleutel}", response_class=HTMLResponse)
async def login_link(request: Request, sleutel: str, kb: KBDep) -> Response:
    """The one-time link ``leerlus serve`` prints on 127.0.0.1: logs the local administrator in once."""
    user_id = request.app.state.login_links.consume(sleutel[:100])
    user = None
    if user_id is not None:
        user = await run_in_threadpool(kb.accounts.active_user, user_id)
    if user is None:
        fout = (
            "Deze inloglink is al gebruikt of verlopen. "
            "Start Leerlus opnieuw voor een nieuwe link, of log in met uw naam."
        )
        return _login_page(request, 410, fout=fout)
    await run_in_threadpool(audit_event, request, "inloggen", wie=user.naam, rol=user.rol, target="eenmalige-link")
    response = RedirectResponse("/", status_code=303)
    request.app.state.sessions.log_in(response, user)
    return response


@router.post("/uitloggen")
async def logout(request: Request, kb: KBDep) -> Response:
    principal = request.state.principal
    if principal is not None and principal.via == "sessie":
        await run_in_threadpool(kb.accounts.end_sessions, principal.user_id)
    response = RedirectResponse("/inloggen?uit=1", status_code=303)
    request.app.state.sessions.clear(response)
    return response


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, kb: KBDep) -> Response:
    params = request.query_params
    wanted = {k: (params.get(k) or "").strip()[:200] for k in ("casus", "wie", "actie")}
    page = int(params["pagina"]) if params.get("pagina", "").isdigit() and int(params["pagina"]) >= 1 else 1
    lines, total = kb.audit.entries(
        case_id=wanted["casus"] or None,
        wie=wanted["wie"] or None,
        actie=wanted["actie"] or None,
        limit=AUDIT_PAGE,
        offset=(page - 1) * AUDIT_PAGE,
    )
    query = {k: v for k, v in wanted.items() if v}
    context = {
        "lines": lines,
        "total": total,
        "page": page,
        "pages": max(1, (total + AUDIT_PAGE - 1) // AUDIT_PAGE),
        "wanted": wanted,
        "actions": kb.audit.actions(),
        "role_labels": ROLE_LABELS,
        "verdict": kb.audit.verify() if params.get("controleer") == "1" else None,
        "page_url": lambda n: "/audit?" + urlencode({**query, "pagina": n}),
        "check_url": "/audit?" + urlencode({**query, "controleer": 1}),
        "json_url": "/api/audit" + (f"?{urlencode(query)}" if query else ""),
    }
    return templates.TemplateResponse(request, "audit.html", context)
