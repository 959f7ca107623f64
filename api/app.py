"""Application factory: one FastAPI app serving the JSON API and the web UI.

``create_app(settings)`` builds the knowledge base once and hangs it on ``app.state``; tests make
variants by passing their own settings. No domain logic lives here. Every request passes the
security headers (:mod:`api.hardening`), the error handling and body limit (:mod:`api.errors`) and
access control with the audit log (:mod:`api.access`), in that order. The API documentation
(``/docs``) loads Swagger UI from the assets the ``fastapi-offline`` package ships, never from a
CDN, so it works on a machine without internet.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api import errors
from api.access import AccessControl, check_complete
from api.advice_routes import router as advice_router
from api.auth_routes import router as auth_router
from api.hardening import SecurityHeaders
from api.pattern_routes import report_router
from api.pattern_routes import router as pattern_router
from api.review_routes import router as review_router
from api.routes import router as api_router
from api.saved_routes import router as saved_router
from api.sessions import Brakes, LoginLinks, Sessions
from api.signal_routes import router as signal_router
from ingest.startup import Startup
from kb.accounts import session_secret
from kb.knowledge import KnowledgeBase
from kb.settings import Settings


def create_app(settings: Settings | None = None, *, kb: KnowledgeBase | None = None) -> FastAPI:
    """Build the app; reuse ``kb`` when the caller already opened one."""
    from web.routes import mount as mount_web
    from web.routes import render_error

    settings = settings or Settings()
    owned = kb is None
    knowledge = kb or KnowledgeBase(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            knowledge.close()

    app = FastAPI(
        title="Leerlus",
        description="Kennisbank voor casuïstiek in de jeugdhulp: zoeken, casussen en facetten.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.kb = knowledge
    app.state.settings = settings
    app.state.startup = Startup()  # ready; `leerlus serve` starts it to load and ingest in the background
    app.state.sessions = Sessions(settings, session_secret(settings))
    app.state.login_links = LoginLinks()
    app.state.brakes = Brakes()
    app.include_router(auth_router)
    app.include_router(api_router)
    app.include_router(saved_router)
    app.include_router(pattern_router)
    app.include_router(report_router)
    app.include_router(signal_router)
    app.include_router(review_router)
    app.include_router(advice_router)
    mount_web(app)
    mount_docs(app)
    check_complete(app)
    app.add_middleware(AccessControl, render_html=render_error)
    errors.install(app, render_error)
    app.add_middleware(SecurityHeaders, hsts=settings.public_url.startswith("https://"))
    return app


DOCS_ASSETS = "/docs/assets"


def mount_docs(app: FastAPI) -> None:
    """``/docs``: Swagger UI with its script and style served by this app from the installed
    ``fastapi-offline`` package, and our own favicon; no request leaves the server."""
    import fastapi_offline

    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(assets)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE.format(assets=DOCS_ASSETS, openapi=app.openapi_url or "/openapi.json"))


# Swagger UI is started by /static/docs.js rather than an inline script: the Content-Security-Policy
# allows no inline code.
DOCS_PAGE = """<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Leerlus: API-documentatie</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""
