"""Error handling for the HTTP layer: one handler answers JSON to the API and a page to browsers.

Every error body is ``{"code": ..., "detail": ...}`` with a stable code and a Dutch detail, and the
OpenAPI document says so (:class:`Fout`, on every operation). No user input may produce a 500; the
catch-all (:class:`Contained`) exists so that a bug still answers in Dutch: it logs where the bug
is, never the message (which may quote a request body or SQL parameters, and so personal data), and
it keeps the exception from the server, which would log it whole and drop the connection. Request
bodies are bounded before parsing (:mod:`api.limits`).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.limits import BodyLimit
from kb.access import LOGGED_IN, PUBLIC, ROUTES, Rule
from kb.errors import LeerlusError, parameter_name
from kb.limits import dutch_number

log = logging.getLogger("leerlus")

HtmlRenderer = Callable[[Request, int, str, str], Response]

_PYDANTIC_DUTCH: dict[str, Callable[[dict[str, Any]], str]] = {
    "missing": lambda c: "ontbreekt",
    "int_parsing": lambda c: "moet een geheel getal zijn",
    "int_type": lambda c: "moet een geheel getal zijn",
    "greater_than_equal": lambda c: f"moet minstens {c.get('ge')} zijn",
    "greater_than": lambda c: f"moet groter zijn dan {c.get('gt')}",
    "less_than_equal": lambda c: f"mag hoogstens {c.get('le')} zijn",
    "string_too_long": lambda c: f"mag hoogstens {_number(c.get('max_length'))} tekens lang zijn",
    "too_long": lambda c: f"mag hoogstens {c.get('max_length')} elementen hebben",
    "string_type": lambda c: "moet tekst zijn",
    "list_type": lambda c: "moet een lijst zijn",
    "json_invalid": lambda c: "is geen geldige JSON",
    "model_attributes_type": lambda c: "moet een JSON-object zijn",
    "dict_type": lambda c: "moet een JSON-object zijn",
    "bool_parsing": lambda c: "moet ja of nee (true/false) zijn",
    "bool_type": lambda c: "moet ja of nee (true/false) zijn",
    "value_error": lambda c: str(c.get("error", "is ongeldig")),
}

_HTTP_DUTCH = {
    404: ("niet-gevonden", "deze pagina bestaat niet"),
    405: ("methode-niet-toegestaan", "deze methode is hier niet toegestaan"),
    413: ("verzoek-te-groot", "het verzoek is te groot"),
}
# Parser messages of Starlette, FastAPI and python-multipart, by a fragment of their English text.
_PARSER_DUTCH = {
    "maximum size": "een veld in het formulier is te groot (hoogstens 1 MB per veld)",
    "Too many fields": "het formulier heeft te veel velden",
    "Too many files": "het formulier heeft te veel bestanden",
    "parsing the body": "het verzoek is niet te lezen: geen geldige JSON of formuliergegevens",
}


def _number(value: Any) -> str:
    """A limit as a Dutch reader writes it: ``100000`` -> ``100.000``."""
    return dutch_number(value) if isinstance(value, int) else str(value)


class Fout(BaseModel):
    """Every error answer of the API: a stable ``code`` and a Dutch ``detail``; some codes add
    fields (``findings``, ``redacted``, ``velden``, ``issues``)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": True})

    code: str
    detail: str


def validation_detail(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        name = ".".join(parameter_name(str(p)) for p in error.get("loc", ())[1:] if not isinstance(p, int)) or "verzoek"
        explain = _PYDANTIC_DUTCH.get(error.get("type", ""), lambda c: "is ongeldig")
        parts.append(f"{name} {explain(error.get('ctx') or {})}")
    return "; ".join(parts) or "ongeldige invoer"


def http_detail(exc: StarletteHTTPException) -> tuple[str, str]:
    """Code and Dutch detail for an HTTP error raised by the framework or a parser."""
    if exc.status_code in _HTTP_DUTCH:
        code, detail = _HTTP_DUTCH[exc.status_code]
        return code, (str(exc.detail) if exc.status_code == 413 and exc.detail else detail)
    text = str(exc.detail)
    for fragment, dutch in _PARSER_DUTCH.items():
        if fragment.lower() in text.lower():
            return "ongeldig-verzoek", dutch
    return ("ongeldig-verzoek", "het verzoek is ongeldig") if exc.status_code == 400 else ("fout", text)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path in ("/docs", "/openapi.json")


def install(app: FastAPI, render_html: HtmlRenderer) -> None:
    """Register the handlers (``render_html`` draws the error page for browser requests), the body
    limit, and the error model in the OpenAPI document."""
    app.add_middleware(BodyLimit)
    _declare_errors(app)

    def unexpected(request: Request, exc: Exception) -> Response:
        log_unexpected(request.method, request.url.path, exc)
        return respond(request, 500, "interne-fout", "er ging iets mis in Leerlus; probeer het opnieuw")

    app.add_middleware(Contained, answer=unexpected)  # outermost of ours: wraps the body limit too
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, WithoutQuery) for f in access.filters):
        access.addFilter(WithoutQuery())

    def respond(
        request: Request,
        status: int,
        code: str,
        detail: str,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        headers = dict(headers or {})
        if status == 503:
            headers["Retry-After"] = "30"
        if wants_json(request):
            return JSONResponse(body or {"code": code, "detail": detail}, status_code=status, headers=headers)
        page = render_html(request, status, code, detail)
        page.headers.update(headers)
        return page

    @app.exception_handler(LeerlusError)
    async def _leerlus(request: Request, exc: LeerlusError) -> Response:
        return respond(request, exc.status, exc.code, exc.detail, exc.to_dict())

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        return respond(request, 422, "ongeldige-invoer", validation_detail(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code, detail = http_detail(exc)
        # The Allow header of a 405 (and any other header the framework sets) is part of the answer.
        return respond(request, exc.status_code, code, detail, headers=dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:  # only if Contained could not
        return unexpected(request, exc)


def log_unexpected(method: str, path: str, exc: Exception) -> None:
    """Log where an unexpected error happened: type and frames, never its message or any value."""
    frames = "\n".join(f"  {f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(exc.__traceback__))
    kind = type(exc).__name__
    log.error("onverwachte fout bij %s %s: %s (de melding zelf wordt niet gelogd)\n%s", method, path, kind, frames)


class WithoutQuery(logging.Filter):
    """Access-log lines without the query string: a search (``/zoeken?q=...``) may name a person,
    and the log is no place for it."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], args[2].split("?", 1)[0], args[3], args[4])
        return True


class Contained:
    """ASGI middleware that answers an unexpected exception itself (a Dutch 500) instead of letting
    it reach the server: the server would log the exception with its message and close the
    keep-alive connection."""

    def __init__(self, app: ASGIApp, answer: Callable[[Request, Exception], Response]) -> None:
        self.app = app
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            if started:  # the answer is already under way; only the log can still say something
                log_unexpected(scope.get("method", ""), scope.get("path", ""), exc)
                return
            response = self.answer(Request(scope), exc)
            await response(scope, receive, send)


def _declare_errors(app: FastAPI) -> None:
    """Make the OpenAPI document tell the truth about errors: every operation answers errors as
    :class:`Fout`, also the 422 that FastAPI would otherwise describe as a list of pydantic errors."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes, tags=app.openapi_tags
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Fout"] = Fout.model_json_schema()
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        body = {"application/json": {"schema": {"$ref": "#/components/schemas/Fout"}}}
        error = {"description": "Fout", "content": body}
        schema.setdefault("components", {})["securitySchemes"] = {
            "token": {
                "type": "http",
                "scheme": "bearer",
                "description": "API-token van 'leerlus gebruikers token NAAM'; in de browser werkt ook de sessie.",
            }
        }
        schema["security"] = [{"token": []}]
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                if ROUTES.get((method.upper(), path), Rule(LOGGED_IN)).permission == PUBLIC:
                    operation["security"] = []  # open without logging in
                responses = operation.setdefault("responses", {})
                if "422" in responses:
                    responses["422"] = {**error, "description": "Ongeldige invoer"}
                responses["default"] = error
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
