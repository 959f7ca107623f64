"""HTML pages (Jinja2, server-rendered, Dutch): home, search results, case page, errors.

Each page is computed by the same ``kb`` call as its JSON twin under ``/api`` and links to it.
Pages work without JavaScript: facets, filters and pagination are plain links and forms.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import nh3
from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup

from api.access import note_audit
from api.deps import KBDep, PipelineDep
from ingest.draft import MAX_DRAFT_CHARS, draft_body
from kb.equality import check as equality_check
from kb.search import SearchResult, request_from_query, to_params
from web.marking import marked_text

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(include_in_schema=False)

FACET_TITLES = {
    "blokkades": "Blokkade",
    "wetten": "Wet",
    "instanties": "Instantie",
    "voorzieningen": "Voorziening",
    "hulpvraag": "Hulpvraag",
    "soort": "Soort",
    "regio": "Regio",
    "team": "Team",
    "jaar": "Jaar",
    "leeftijdscategorie": "Leeftijd",
}
FACET_ORDER = (
    "blokkades",
    "soort",
    "hulpvraag",
    "wetten",
    "regio",
    "jaar",
    "leeftijdscategorie",
    "team",
)


def snippet(html: str) -> Markup:
    """A search snippet as safe markup: only <mark> survives."""
    return Markup(nh3.clean(html, tags={"mark"}, attributes={}))


templates.env.filters["snippet"] = snippet


def sentence(text: str) -> str:
    """A message written to go after a code or a colon ("deze pagina bestaat niet") as a sentence
    of its own on a page: a capital first, a full stop at the end."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".?!)" else text + "."


templates.env.filters["sentence"] = sentence


def startup_message(request: Request | None) -> str | None:
    """The start-up sentence every page shows while the server loads and reads cases, else None
    (also for a page rendered outside a request, such as ``leerlus rapport --formaat html``)."""
    app = getattr(request, "app", None)
    startup = getattr(app.state, "startup", None) if app is not None else None
    return startup.message() if startup is not None else None


# What a page says instead of "nothing found" while the start-up is still reading the cases.
STILL_READING = "Nog niets gevonden, maar Leerlus leest de casussen nog in; ververs de pagina zo meteen."


@pass_context
def nothing(context: Any, sentence: str) -> str:
    """What a page says where it found nothing: ``sentence`` once the start-up is done; while the
    cases are still being read, that nothing is found *yet*. Every "geen ..." of a page that
    depends on the cases goes through here, so no page claims the knowledge base is empty while
    the one start-up state says it is still reading."""
    return STILL_READING if startup_message(context.get("request")) else sentence


templates.env.globals.update(startup_message=startup_message, nothing=nothing)


def current_user(request: Request | None) -> Any:
    """The logged-in user (a :class:`kb.access.Principal`) of a page, or None."""
    state = getattr(request, "state", None)
    return getattr(state, "principal", None) if state is not None else None


def may(request: Request | None, permission: str) -> bool:
    """May the user of this page use what ``permission`` guards? Menus and forms show only that."""
    user = current_user(request)
    return bool(user is not None and user.may(permission))


def csrf_field(request: Request | None) -> Markup:
    """The hidden CSRF field every form that posts carries (checked by :mod:`api.access`)."""
    token = getattr(getattr(request, "state", None), "csrf", "") if request is not None else ""
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(token)


def who_default(request: Request) -> str:
    """What a who-field starts with: the role and team of the logged-in user."""
    user = current_user(request)
    return str(user.label) if user is not None else ""


templates.env.globals.update(current_user=current_user, may=may, csrf_field=csrf_field)


def facet_label(request: Request, field: str, code: str) -> str:
    """The Dutch label of a facet value ("bindend-advies" -> "Bindend advies") for any template."""
    return label_for(request.app.state.kb, field, code)


templates.env.globals["facet_label"] = facet_label


def label_for(kb: Any, field: str, code: str) -> str:
    return str(kb.taxonomy.facet_label(field, code))


class SearchView:
    """URL helpers for one results page: toggle a facet, change page, the JSON twin."""

    def __init__(self, result: SearchResult, params: list[tuple[str, str]], saved_params: str = "") -> None:
        self.result = result
        self.params = params
        self.saved_params = saved_params  # the canonical query string a saved search keeps

    def with_query(self, query: str) -> str:
        kept = [(k, v) for k, v in self.params if k not in ("q", "page")]
        return f"/zoeken?{urlencode([('q', query), *kept])}"

    def without_filters(self) -> str:
        kept = [(k, v) for k, v in self.params if k in ("q", "sort")]
        return f"/zoeken?{urlencode(kept)}" if kept else "/zoeken"

    def toggle(self, field: str, value: str) -> str:
        pair = (field, value)
        kept = [p for p in self.params if p != pair and p[0] != "page"]
        if pair not in self.params:
            kept.append(pair)
        return f"/zoeken?{urlencode(kept)}" if kept else "/zoeken"

    def page_url(self, page: int) -> str:
        kept = [p for p in self.params if p[0] != "page"] + ([("page", str(page))] if page > 1 else [])
        return f"/zoeken?{urlencode(kept)}" if kept else "/zoeken"

    def json_url(self) -> str:
        query = urlencode(self.params)
        return f"/api/search?{query}" if query else "/api/search"

    def active(self, field: str, value: str) -> bool:
        return (field, value) in self.params


@router.get("/", response_class=HTMLResponse)
def home(request: Request, kb: KBDep) -> Response:
    recent = kb.cases(limit=8)
    facets = kb.facets()
    signals = kb.signals()
    return templates.TemplateResponse(
        request,
        "home.html",
        {
            "recent": recent.data,
            "total": recent.count,
            "blockers": list(facets["blokkades"].items())[:8],
            "open_signals": sum(1 for s in signals if s.status in ("nieuw", "geagendeerd", "in-behandeling")),
            "flagged": sum(1 for s in signals if s.opnieuw_gezien),
            "to_review": kb.review_count(),
            "label": lambda f, c: label_for(kb, f, c),
            "json_url": "/api/cases",
        },
    )


@router.get("/favicon.ico")
def favicon() -> Response:
    """Our own icon for clients that ask for /favicon.ico instead of following the page's link."""
    return FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml")


@router.get("/zoeken", response_class=HTMLResponse)
def search_page(request: Request, kb: KBDep) -> Response:
    search = request_from_query(request.query_params.getlist)
    result = kb.search(search)
    note_audit(request, cases=[hit.id for hit in result.hits])
    params = [(k, v) for k, v in request.query_params.multi_items() if v != ""]
    view = SearchView(result, params, urlencode(to_params(search)))
    facets = [(name, FACET_TITLES[name], result.facets.get(name, {})) for name in FACET_ORDER]
    return templates.TemplateResponse(
        request,
        "results.html",
        {
            "result": result,
            "view": view,
            "facets": facets,
            "label": lambda f, c: label_for(kb, f, c),
            "json_url": view.json_url(),
        },
    )


@router.get("/casus/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str, kb: KBDep) -> Response:
    case = kb.case(case_id)
    return templates.TemplateResponse(
        request,
        "case.html",
        {
            "case": case,
            "saved": request.query_params.get("opgeslagen") == "1",
            "similar": kb.similar(case.id, 6, source=case),
            "equality": equality_check(kb, case.id, source=case),
            "signals": kb.lesson_signals(case.id),
            "blockers": _findings_by_code(case),
            "reviews": kb.review_decisions(case.id),
            "wie": who_default(request),
            "label": lambda f, c: label_for(kb, f, c),
            "json_url": f"/api/cases/{case.id}",
        },
    )


def _findings_by_code(case: Any) -> dict[str, list[dict[str, Any]]]:
    """Blockers of a case grouped by code and kept apart: ``vastgesteld`` (written by the author or
    confirmed by a person) and ``gesuggereerd`` (recognised only), each with the sentences that
    show it and, for a suggestion, its confidence."""
    groups: dict[str, dict[str, Any]] = {}
    for finding in case.bevindingen:
        group = groups.setdefault(
            finding.code,
            {
                "code": finding.code,
                "label": finding.label,
                "soort": finding.soort,
                "bewijs": [],
                "betrouwbaarheid": None,
            },
        )
        if finding.evidence:
            group["bewijs"].append(finding.evidence)
        if finding.confidence is not None:
            group["betrouwbaarheid"] = max(group["betrouwbaarheid"] or 0.0, finding.confidence)
    out: dict[str, list[dict[str, Any]]] = {"vastgesteld": [], "gesuggereerd": []}
    for group in groups.values():
        out[group["soort"]].append(group)
    return out


@router.get("/analyseren", response_class=HTMLResponse)
def analyze_form(request: Request) -> Response:
    return templates.TemplateResponse(request, "analyze.html", {"tekst": "", "analysis": None, "json_url": None})


@router.post("/analyseren", response_class=HTMLResponse)
def analyze_page(
    request: Request, pipeline: PipelineDep, tekst: str = Form("", max_length=MAX_DRAFT_CHARS)
) -> Response:
    body = draft_body(tekst)
    analysis = pipeline.analyze(body) if body.strip() else None
    return templates.TemplateResponse(
        request,
        "analyze.html",
        {
            "tekst": tekst,
            "analysis": analysis,
            "blockers": blockers_once(analysis.blockers) if analysis else [],
            "concepts": concepts_once(analysis.entities) if analysis else [],
            "marked": marked_text(body, analysis.entities) if analysis else None,
            "json_url": None,
        },
    )


ENTITY_KINDS = {"WET": "wet", "INSTANTIE": "instantie", "VOORZIENING": "voorziening"}


class BlockerOnce:
    """One recognised blocker of a text with every sentence that shows it, in order, each once."""

    def __init__(self, code: str, label: str) -> None:
        self.code, self.label, self.evidence = code, label, list[str]()


def blockers_once(found: Any) -> list[BlockerOnce]:
    """The analyser reports a blocker once per sentence (or pair) that shows it; a reader wants
    each blocker once, with all of its evidence."""
    groups: dict[str, BlockerOnce] = {}
    for item in found:
        group = groups.setdefault(item.code, BlockerOnce(item.code, item.label))
        sentence = " ".join(item.evidence.split())
        if sentence and sentence not in group.evidence:
            group.evidence.append(sentence)
    return list(groups.values())


class ConceptOnce:
    """One recognised concept (a law, body or provision) with the words that named it in the text."""

    def __init__(self, kind: str, canonical: str) -> None:
        self.kind, self.canonical, self.texts, self.count = kind, canonical, list[str](), 0


def concepts_once(entities: Any) -> list[ConceptOnce]:
    """Recognised concepts once each, in the Dutch word for their kind, in order of first mention:
    "Wlz" three times in a text is one law, named three times."""
    groups: dict[tuple[str, str], ConceptOnce] = {}
    for entity in entities:
        if not entity.canonical:
            continue
        kind = ENTITY_KINDS.get(entity.label, entity.label.lower())
        group = groups.setdefault((kind, entity.canonical), ConceptOnce(kind, entity.canonical))
        group.count += 1
        if entity.text not in group.texts:
            group.texts.append(entity.text)
    return list(groups.values())


def render_error(request: Request, status: int, code: str, detail: str) -> Response:
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "code": code, "detail": detail, "json_url": None},
        status_code=status,
    )


def mount(app: FastAPI) -> None:
    """Attach the HTML routes and the static files to ``app``."""
    from web.advice_routes import router as advice_router
    from web.auth_routes import router as auth_router
    from web.pattern_routes import router as pattern_router
    from web.report_page import router as report_router
    from web.review_routes import router as review_router
    from web.saved_routes import router as saved_router
    from web.signal_routes import router as signal_router
    from web.submit_routes import router as submit_router

    app.include_router(router)
    app.include_router(auth_router)
    app.include_router(submit_router)
    app.include_router(saved_router)
    app.include_router(pattern_router)
    app.include_router(signal_router)
    app.include_router(report_router)
    app.include_router(review_router)
    app.include_router(advice_router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
