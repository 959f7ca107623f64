"""Access control for every request, in one place (HTTP layer): who is asking, may they, did the
form come from Leerlus itself, and what goes into the audit log.

:class:`AccessControl` is an ASGI middleware that runs before any route reads a body. For each
request it

1. finds the rule of the route in :data:`kb.access.ROUTES` (a path that is in no rule needs a
   login; :func:`check_complete` makes sure every route has one);
2. authenticates: an API token (``Authorization: Bearer ...``) or the signed session cookie;
3. answers ``401`` (JSON) or a redirect to ``/inloggen`` (pages) when the route needs a login;
4. on POST, PUT, PATCH and DELETE without a token, refuses a request from another origin
   (``Origin``, else ``Referer``) and one without the form's CSRF token (field ``csrf_token`` or
   header ``X-CSRF-Token``) with ``403``;
5. answers ``403`` when the role lacks the rule's permission (and logs the refusal);
6. after a successful answer, appends the rule's audit action to the audit log, before the answer
   leaves, naming the objects the route noted with :func:`note_audit`.

Routes read the user from ``request.state.principal`` (:data:`api.deps.PrincipalDep`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, urlsplit

from anyio import to_thread
from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import http_detail, wants_json
from api.sessions import COOKIE, CSRF_FIELD, CSRF_HEADER, Brakes, Sessions, minutes
from kb.access import LOGGED_IN, PUBLIC, PUBLIC_PREFIXES, ROUTES, UNSAFE_METHODS, Principal, Rule
from kb.accounts import principal_of
from kb.audit import Event

HtmlRenderer = Callable[[Request, int, str, str], Response]
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NEEDS_LOGIN = Rule(LOGGED_IN)
_PUBLIC_FILES = Rule(PUBLIC)


class Refusal(Exception):
    """An answer the middleware gives instead of the route."""

    def __init__(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.headers = status, code, detail, headers or {}


def _compile() -> list[tuple[str, re.Pattern[str], Rule]]:
    """The rules as (method, regex, rule); literal paths first, so /signalen/nieuw beats /signalen/{n}."""
    compiled = [(method, compile_path(path)[0], rule, "{" not in path) for (method, path), rule in ROUTES.items()]
    compiled.sort(key=lambda item: not item[3])
    return [(method, regex, rule) for method, regex, rule, _ in compiled]


_RULES = _compile()


def rule_for(method: str, path: str) -> tuple[Rule, dict[str, str]]:
    """The rule of the route that answers ``method path``, with its path parameters."""
    if path.startswith(PUBLIC_PREFIXES):
        return _PUBLIC_FILES, {}
    method = "GET" if method == "HEAD" else method
    for wanted, regex, rule in _RULES:
        if wanted == method:
            match = regex.match(path)
            if match:
                return rule, match.groupdict()
    return NEEDS_LOGIN, {}


def note_audit(request: Request, *, target: str | None = None, cases: Iterable[str] = ()) -> None:
    """Tell the audit log what this request read or changed: an object name and case ids."""
    if target is not None:
        request.state.audit_object = target
    request.state.audit_cases = [*getattr(request.state, "audit_cases", []), *(str(c) for c in cases)]


def audit_event(request: Request, actie: str, *, wie: str, rol: str, uitkomst: str = "ok", target: str = "") -> None:
    """Write one line for something a route records itself (logging in)."""
    request.app.state.kb.audit.append(
        Event(wie=wie, rol=rol, actie=actie, object=target, uitkomst=uitkomst, **_where(request.scope))
    )


def _where(scope: Scope) -> dict[str, str]:
    client = scope.get("client")
    return {"verzoek": scope.get("state", {}).get("request_id", ""), "adres": client[0] if client else ""}


def origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


class AccessControl:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app: ASGIApp, render_html: HtmlRenderer) -> None:
        self.app = app
        self.render_html = render_html

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state.setdefault("request_id", uuid.uuid4().hex)
        request = Request(scope)
        rule, params = rule_for(scope["method"], scope["path"])
        try:
            principal = await self._authenticate(request)
            receive = await self._check(request, rule, principal, receive)
        except (Refusal, StarletteHTTPException) as problem:  # the body limit answers while we read
            refusal = problem if isinstance(problem, Refusal) else body_too_large(problem)
            await self._refuse(request, refusal)(scope, receive, send)
            return
        if rule.action is None or principal is None:
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, self._audited(request, rule, params, principal, send))

    # -- who is asking ---------------------------------------------------------------------------

    async def _authenticate(self, request: Request) -> Principal | None:
        app_state = request.app.state
        sessions: Sessions = app_state.sessions
        brakes: Brakes = app_state.brakes
        state = request.scope["state"]
        payload = sessions.read(request.cookies.get(COOKIE))
        nonce = payload["n"] if payload else sessions.new_nonce()
        state.update(nonce=nonce, fresh_nonce=payload is None, csrf=sessions.csrf_token(nonce), principal=None)
        authorization = request.headers.get("authorization", "")
        if authorization[:7].lower() == "bearer ":
            address = _where(request.scope)["adres"]
            wait = brakes.token_address.wait(address)
            if wait:
                raise Refusal(
                    429, "te-veel-pogingen", f"te veel onbekende tokens; probeer het over {minutes(wait)} opnieuw"
                )
            user = await to_thread.run_sync(app_state.kb.accounts.token_user, authorization[7:].strip())
            if user is None:
                brakes.token_address.fail(address)
                raise Refusal(
                    401, "ongeldig-token", "dit API-token is onbekend of ingetrokken", {"WWW-Authenticate": "Bearer"}
                )
            state["principal"] = principal_of(user, "token")
        elif payload and isinstance(payload.get("u"), int) and isinstance(payload.get("v"), int):
            user = await to_thread.run_sync(app_state.kb.accounts.session_user, payload["u"], payload["v"])
            if user is not None:
                state["principal"] = principal_of(user, "sessie")
        principal: Principal | None = state["principal"]
        return principal

    # -- may they ------------------------------------------------------------------------------

    async def _check(self, request: Request, rule: Rule, principal: Principal | None, receive: Receive) -> Receive:
        if principal is None and rule.permission != PUBLIC:
            if wants_json(request) or request.method not in ("GET", "HEAD"):
                raise Refusal(
                    401,
                    "niet-ingelogd",
                    "log eerst in (op /inloggen), of stuur een API-token mee: Authorization: Bearer ...",
                    {"WWW-Authenticate": "Bearer"},
                )
            raise Refusal(303, "inloggen", "", {"Location": login_url(request)})
        if request.method in UNSAFE_METHODS and (principal is None or principal.via != "token"):
            receive = await self._same_site(request, receive)
        if principal is not None and not principal.may(rule.permission):
            await to_thread.run_sync(self._log_refusal, request, rule, principal)
            raise Refusal(403, "geen-toegang", "uw rol geeft geen toegang tot deze pagina of handeling")
        return receive

    def _log_refusal(self, request: Request, rule: Rule, principal: Principal) -> None:
        event = Event(
            wie=principal.naam,
            rol=principal.rol,
            actie=rule.action or "toegang",
            object=_template(request.method, rule),
            uitkomst="geweigerd",
            **_where(request.scope),
        )
        request.app.state.kb.audit.append(event)

    async def _same_site(self, request: Request, receive: Receive) -> Receive:
        """Refuse a state-changing request from another site; return a ``receive`` that replays the
        body, which had to be read to find the form's token."""
        if not same_origin(request):
            raise Refusal(403, "andere-herkomst", "dit verzoek komt niet van een pagina van Leerlus zelf")
        body = await _read_body(receive)
        token = request.headers.get(CSRF_HEADER)
        if token is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
            form = await Request(request.scope, _replay(body, receive)).form()
            value = form.get(CSRF_FIELD)
            token = value if isinstance(value, str) else None
            await form.close()
        state = request.scope["state"]
        sessions: Sessions = request.app.state.sessions
        if state["fresh_nonce"] or not sessions.csrf_ok(state["nonce"], token):
            raise Refusal(
                403,
                "csrf",
                "dit formulier is verlopen of komt niet van Leerlus zelf; "
                "laad de pagina opnieuw en probeer het nog eens",
            )
        return _replay(body, receive)

    # -- answers ---------------------------------------------------------------------------------

    def _refuse(self, request: Request, refusal: Refusal) -> Response:
        if refusal.status == 303:
            return RedirectResponse(refusal.headers["Location"], status_code=303)
        if wants_json(request):
            body = {"code": refusal.code, "detail": refusal.detail}
            return JSONResponse(body, status_code=refusal.status, headers=refusal.headers)
        page = self.render_html(request, refusal.status, refusal.code, refusal.detail)
        page.headers.update(refusal.headers)
        return page

    def _audited(self, request: Request, rule: Rule, params: dict[str, str], principal: Principal, send: Send) -> Send:
        """``send`` that writes the audit line when a successful answer starts, before it leaves."""

        async def audited(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                await to_thread.run_sync(self._log, request, rule, params, principal)
            await send(message)

        return audited

    def _log(self, request: Request, rule: Rule, params: dict[str, str], principal: Principal) -> None:
        state = request.scope["state"]
        cases = list(state.get("audit_cases", []))
        if "case_id" in params:
            cases.insert(0, params["case_id"])
        event = Event(
            wie=principal.naam,
            rol=principal.rol,
            actie=rule.action or "",
            object=state.get("audit_object") or rule.target.format(**params),
            casussen=cases,
            **_where(request.scope),
        )
        request.app.state.kb.audit.append(event)


def _template(method: str, rule: Rule) -> str:
    """The route a refused request asked for, as its template (``GET /casus/{case_id}``): the path
    as typed could carry anything, and the audit log holds no free text."""
    method = "GET" if method == "HEAD" else method
    found = next((path for (wanted, path), known in ROUTES.items() if known is rule and wanted == method), "?")
    return f"{method} {found}"


def login_url(request: Request) -> str:
    wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/inloggen" if wanted == "/" else f"/inloggen?volgende={quote(wanted, safe='')}"


def same_origin(request: Request) -> bool:
    """Does the request come from a page of this site? ``Origin`` decides, else ``Referer``; a
    request with neither (not a browser) passes here and still needs its CSRF token."""
    claimed = request.headers.get("origin")
    if claimed is None:
        referer = request.headers.get("referer")
        if referer is None:
            return True
        claimed = origin_of(referer) or "null"
    ours = {
        origin_of(request.app.state.settings.public_url),
        f"{request.url.scheme}://{request.headers.get('host', '')}",
    }
    return claimed.lower() in {o.lower() for o in ours if o}


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Refusal(400, "ongeldig-verzoek", "de verbinding werd verbroken")
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def check_complete(app: FastAPI) -> None:
    """Refuse to build an app with a route that has no rule in :data:`kb.access.ROUTES` (or a rule
    for a route that does not exist): every route is decided on purpose."""
    present = set(routes_of(app.routes))
    missing = sorted(present - set(ROUTES))
    stale = sorted(set(ROUTES) - present)
    if missing or stale:
        raise RuntimeError(
            f"toegangsregels kloppen niet met de routes: zonder regel {missing}, regel zonder route {stale}"
        )


def routes_of(routes: Iterable[Any]) -> Iterable[tuple[str, str]]:
    """(method, path) of every route, also inside included routers; mounted files excluded."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from routes_of(inner.routes)
            continue
        path = getattr(route, "path", "")
        if path.startswith(PUBLIC_PREFIXES) or (path + "/").startswith(PUBLIC_PREFIXES):
            continue
        for method in sorted(getattr(route, "methods", None) or ()):
            if method != "HEAD":
                yield method, path


def body_too_large(exc: StarletteHTTPException) -> Refusal:
    code, detail = http_detail(exc)
    return Refusal(exc.status_code, code, detail)
