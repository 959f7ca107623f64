"""Error handling for the HTTP layer: one handler answers JSON to the API and a page to browsers.

Every error body is ``{"code": ..., "detail": ...}`` with a stable code and a Dutch detail. No
user input may produce a 500; the catch-all exists so that a bug still answers in Dutch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kb.errors import LeerlusError

log = logging.getLogger("leerlus")

HtmlRenderer = Callable[[Request, int, str, str], Response]

_PYDANTIC_DUTCH: dict[str, Callable[[dict[str, Any]], str]] = {
    "missing": lambda c: "ontbreekt",
    "int_parsing": lambda c: "moet een geheel getal zijn",
    "int_type": lambda c: "moet een geheel getal zijn",
    "greater_than_equal": lambda c: f"moet minstens {c.get('ge')} zijn",
    "greater_than": lambda c: f"moet groter zijn dan {c.get('gt')}",
    "less_than_equal": lambda c: f"mag hoogstens {c.get('le')} zijn",
    "string_too_long": lambda c: f"mag hoogstens {c.get('max_length')} tekens lang zijn",
    "string_type": lambda c: "moet tekst zijn",
    "json_invalid": lambda c: "is geen geldige JSON",
    "model_attributes_type": lambda c: "moet een JSON-object zijn",
    "dict_type": lambda c: "moet een JSON-object zijn",
    "bool_parsing": lambda c: "moet ja of nee (true/false) zijn",
}

_HTTP_DUTCH = {
    404: ("niet-gevonden", "deze pagina bestaat niet"),
    405: ("methode-niet-toegestaan", "deze methode is hier niet toegestaan"),
}


def validation_detail(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        name = ".".join(str(p) for p in error.get("loc", ())[1:] if not isinstance(p, int)) or "verzoek"
        explain = _PYDANTIC_DUTCH.get(error.get("type", ""), lambda c: "is ongeldig")
        parts.append(f"{name} {explain(error.get('ctx') or {})}")
    return "; ".join(parts) or "ongeldige invoer"


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path in ("/docs", "/openapi.json")


def install(app: FastAPI, render_html: HtmlRenderer) -> None:
    """Register the handlers; ``render_html`` draws the error page for browser requests."""

    def respond(request: Request, status: int, code: str, detail: str, body: dict[str, Any] | None = None) -> Response:
        if wants_json(request):
            headers = {"Retry-After": "30"} if status == 503 else None
            return JSONResponse(body or {"code": code, "detail": detail}, status_code=status, headers=headers)
        return render_html(request, status, code, detail)

    @app.exception_handler(LeerlusError)
    async def _leerlus(request: Request, exc: LeerlusError) -> Response:
        return respond(request, exc.status, exc.code, exc.detail, exc.to_dict())

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        return respond(request, 422, "ongeldige-invoer", validation_detail(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code, detail = _HTTP_DUTCH.get(exc.status_code, ("fout", str(exc.detail)))
        return respond(request, exc.status_code, code, detail)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("onverwachte fout bij %s", request.url.path)
        return respond(request, 500, "interne-fout", "er ging iets mis in Leerlus; probeer het opnieuw")
