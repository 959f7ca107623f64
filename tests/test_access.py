"""Who may see and change what (issue 16), walked route by route: every operation of the OpenAPI
document and every HTML route, for each role and for an anonymous visitor, on SQLite and
PostgreSQL. The expectations below are written from the issue, apart from ``kb/access.py``, so a
change in the policy that the issue does not ask for fails here.

Also: the rules about the case itself (own team, binding advice), security headers on every
answer, links in feeds from the configured base URL, and an export only for administrators.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.access import routes_of
from kb.access import ADMIN, EXPERTTEAM, MANAGER, PROFESSIONAL, ROLES, ROUTES
from kb.knowledge import KnowledgeBase
from tests.conftest import signed_in

CASE = "2021-05-thuiszitter-swv"  # team Buurtteam West
EVERYONE = frozenset(ROLES)
PUBLIC = "openbaar"

# (pattern over "METHOD /path", who may): the first pattern that matches decides.
EXPECTED: list[tuple[str, frozenset[str] | str]] = [
    (r"(GET|POST) /inloggen(/link/\{sleutel\})?$", PUBLIC),
    (r"POST /uitloggen$", PUBLIC),
    (r"GET /api/status$", PUBLIC),
    (r"GET /favicon\.ico$", PUBLIC),
    (r"GET /api/export$|POST /api/import$|GET /(api/)?audit$", frozenset({ADMIN})),
    (r"(GET|POST) /(api/)?beoordelen(/statistiek)?$", frozenset({PROFESSIONAL, ADMIN})),
    (r"(GET|POST) /(patronen|api/patterns)", frozenset({MANAGER, ADMIN})),
    (r"(GET|POST) /(signalen|api/signals)", frozenset({MANAGER, ADMIN})),
    (r"GET /(rapport|rapport\.md|api/report)$", frozenset({MANAGER, ADMIN})),
    (r"(GET|POST) /(api/)?dossier$", frozenset({EXPERTTEAM, ADMIN})),
    (r"GET /(api/)?naleving$|POST .*/verplichtingen/", frozenset({EXPERTTEAM, ADMIN})),
    (r"(GET|POST) /nieuw$|POST /api/cases$", frozenset({PROFESSIONAL, EXPERTTEAM, ADMIN})),
    # correcting CASE, a casusbespreking of the walkers' team: the expertteam corrects binding advice only
    (r"(GET|POST) /casus/\{case_id\}/bewerken$|PUT /api/cases/\{case_id\}$", frozenset({PROFESSIONAL, ADMIN})),
    (r".*", EVERYONE),  # reading cases, searching, saved searches, analysing a text, the docs
]
PARAMS = {
    "case_id": CASE,
    "signaalnummer": "1",
    "slug": "thuiszitters",
    "tabel": "trend",
    "nummer": "1",
    "sleutel": "geen-geldige-sleutel",
}
QUERIES = {"/api/report": {"van": "2021-01", "tot": "2024-12"}}
# A case of the walkers' own team, of the kind the expertteam writes: past the rules on the case
# itself, so an answer here is about the route (the rules on the case have their own tests).
BODIES = {"/nieuw": {"team": "Buurtteam West", "soort": "bindend-advies"}}
BODIES["/api/cases"] = BODIES["/nieuw"]
BODIES["/casus/{case_id}/bewerken"] = {"team": "Buurtteam West", "soort": "casusbespreking"}
BODIES["/api/cases/{case_id}"] = BODIES["/casus/{case_id}/bewerken"]


def who_may(method: str, path: str) -> frozenset[str] | str:
    for pattern, roles in EXPECTED:
        if re.match(pattern, f"{method} {path}"):
            return roles
    raise AssertionError(path)


def every_route(app: Any) -> list[tuple[str, str]]:
    """Every operation in the OpenAPI document plus every route that is not in it (the pages)."""
    spec = app.openapi()
    in_spec = {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops}
    assert len(in_spec) > 25
    routes = set(routes_of(app.routes))
    assert in_spec <= routes
    return sorted(routes, key=lambda route: (route[0] != "GET", route[1], route[0]))  # reads before deletes


@pytest.fixture
def app(ingested: KnowledgeBase) -> Any:
    from api.app import create_app
    from kb.search import make_request

    ingested.create_signal(
        titel="Eén budget voor zorg op school",
        adressaat="samenwerkingsverband",
        blokkades=["grens.jeugdwet-onderwijs"],
        casussen=[CASE],
        wie="Manager",
    )
    ingested.save_search("Thuiszitters", make_request(query="thuiszitter"))
    return create_app(ingested.settings, kb=ingested)


@pytest.fixture
def clients(app: Any) -> Iterator[dict[str | None, TestClient]]:
    made: dict[str | None, TestClient] = {None: TestClient(app, raise_server_exceptions=False)}
    for role in ROLES:
        made[role] = signed_in(app, role, team="Buurtteam West", raise_server_exceptions=False)
    yield made
    for client in made.values():
        client.close()


def call(client: TestClient, method: str, path: str) -> Any:
    url = re.sub(r"\{(\w+)\}", lambda m: PARAMS[m.group(1)], path)
    if method == "GET":
        return client.get(url, params=QUERIES.get(path), follow_redirects=False)
    if path.startswith("/api/"):
        return client.request(method, url, json=BODIES.get(path, {}), follow_redirects=False)
    return client.request(method, url, data=BODIES.get(path, {}), follow_redirects=False)


def test_every_route_has_exactly_one_rule(app: Any) -> None:
    assert set(every_route(app)) == set(ROUTES)


def test_every_route_for_every_role_and_anonymous(app: Any, clients: dict[str | None, TestClient]) -> None:
    seen = 0
    for method, path in every_route(app):
        expected = who_may(method, path)
        for role, client in clients.items():
            response = call(client, method, path)
            status, where = response.status_code, f"{role or 'anoniem'} {method} {path}: {response.status_code}"
            location = response.headers.get("location", "")
            to_login = status == 303 and (location == "/inloggen" or location.startswith("/inloggen?volgende="))
            if expected == PUBLIC and role is None and method == "POST":
                assert status == 403 and "formulier is verlopen" in response.text, where  # no CSRF token
            elif expected == PUBLIC:
                assert status != 403 and not to_login, where
            elif role is None and (path.startswith("/api/") or path in ("/docs", "/openapi.json")):
                assert status == 401 and response.json()["code"] == "niet-ingelogd", where
                assert response.headers["www-authenticate"] == "Bearer", where
            elif role is None and method == "GET":
                assert to_login, where  # pages send an anonymous visitor to the login page
            elif role is None:
                assert status == 401, where
            elif role in expected:
                assert status not in (401, 403) and not to_login, where
                if method == "GET":
                    assert status < 400 or path == "/inloggen/link/{sleutel}", where
            else:
                assert status == 403, where
                assert response.json()["code"] == "geen-toegang" if path.startswith("/api/") else True
            seen += 1
    assert seen == len(ROUTES) * (len(ROLES) + 1)


def test_anonymous_gets_nothing_but_the_login_page(app: Any) -> None:
    with TestClient(app) as anonymous:
        home = anonymous.get("/")
        assert home.url.path == "/inloggen" and "Gebruikersnaam" in home.text
        assert "Thuiszitter" not in anonymous.get(f"/casus/{CASE}").text
        assert anonymous.get(f"/api/cases/{CASE}").status_code == 401
        assert anonymous.get("/zoeken", params={"q": "thuiszitter"}).url.path == "/inloggen"
        assert anonymous.get("/static/style.css").status_code == 200
        assert anonymous.get("/api/status").status_code == 200
        assert anonymous.get("/inloggen", params={"volgende": "/patronen"}).status_code == 200
        assert anonymous.get("/bestaat/niet", follow_redirects=False).headers["location"].startswith("/inloggen")


def test_a_professional_writes_only_for_their_own_team(app: Any) -> None:
    case = {"titel": "Wachtlijst voor opvoedondersteuning", "soort": "casusbespreking", "datum": "2024-03"}
    case["tekst"] = "Het gezin wacht al maanden op opvoedondersteuning."
    with signed_in(app, PROFESSIONAL, team="Wijkteam Zuid") as own:
        refused = own.post("/api/cases", json={**case, "team": "Buurtteam West"})
        assert refused.status_code == 403 and "eigen team (Wijkteam Zuid)" in refused.json()["detail"]
        page = own.post("/nieuw", data={**case, "team": "Buurtteam West"})
        assert page.status_code == 403 and "eigen team (Wijkteam Zuid)" in page.text
        assert "Wachtlijst voor opvoedondersteuning" in page.text  # what was typed is kept
        assert 'value="Wijkteam Zuid"' in own.get("/nieuw").text  # the form starts with their team
        created = own.post("/api/cases", json={**case, "team": "wijkteam zuid"})
        assert created.status_code == 201, created.text
    with signed_in(app, PROFESSIONAL) as teamless:
        assert "geen team" in teamless.post("/api/cases", json={**case, "team": "Wijkteam Zuid"}).json()["detail"]


def test_the_expertteam_writes_binding_advice_only(app: Any) -> None:
    case = {"titel": "Advies over logeeropvang", "datum": "2024-03", "tekst": "Het expertteam adviseert."}
    with signed_in(app, EXPERTTEAM) as expert:
        refused = expert.post("/api/cases", json={**case, "soort": "casusbespreking"})
        assert refused.status_code == 403 and "bindende adviezen" in refused.json()["detail"]
        assert expert.post("/api/cases", json={**case, "soort": "bindend-advies"}).status_code == 201


def test_a_review_decision_needs_the_case_of_ones_own_team(app: Any, ingested: KnowledgeBase) -> None:
    queue = ingested.review_queue()
    assert queue.items, "the fixture corpus has open suggestions"
    item = queue.items[0]
    decision = {"casus": item.case_id, "code": item.code, "beslissing": "bevestigd", "versie": item.versie}
    with signed_in(app, PROFESSIONAL, team="Een ander team") as other:
        refused = other.post("/api/beoordelen", json=decision)
        assert refused.status_code == 403 and "eigen team" in refused.json()["detail"]
    with signed_in(app, PROFESSIONAL, team=item.team) as own:
        done = own.post("/api/beoordelen", json=decision)
        assert done.status_code == 200, done.text
    [review] = ingested.review_decisions(item.case_id)
    assert review["wie"] == f"Professional, {item.team}"  # role and team, never the login name


def test_who_is_the_role_and_team_unless_a_role_is_typed(app: Any) -> None:
    signal = {"titel": "Geen plek", "adressaat": "zorgkantoor", "blokkades": ["aanbod.geen-passend-aanbod"]}
    with signed_in(app, MANAGER, team="Beleid jeugd") as manager:
        created = manager.post("/api/signals", json=signal).json()
        assert created["geschiedenis"][0]["wie"] == "Manager, Beleid jeugd"
        moved = manager.post(f"/api/signals/{created['id']}/status", json={"naar": "geagendeerd", "wie": "Stuurgroep"})
        assert moved.json()["geschiedenis"][-1]["wie"] == "Stuurgroep"
        assert manager.user not in str(manager.get(f"/api/signals/{created['id']}").json())
        assert 'value="Manager, Beleid jeugd"' in manager.get(f"/signalen/{created['id']}").text


def test_export_is_for_the_administrator_only(app: Any) -> None:
    with signed_in(app, MANAGER) as manager, signed_in(app, ADMIN) as admin:
        refused = manager.get("/api/export")
        assert refused.status_code == 403 and "Manager" not in refused.text
        exported = admin.get("/api/export")
        assert exported.status_code == 200 and exported.json()["signalen"][0]["geschiedenis"][0]["wie"] == "Manager"


def test_who_am_i(app: Any) -> None:
    with signed_in(app, EXPERTTEAM, team="Expertteam Utrecht") as expert:
        me = expert.get("/api/ik").json()
    assert me == {
        "naam": expert.user,
        "rol": "expertteam",
        "rol_label": "Expertteam",
        "team": "Expertteam Utrecht",
        "via": "token",
        "rechten": ["casussen-lezen", "casussen-schrijven", "zoekopdrachten", "dossier", "naleving"],
    }


SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def test_security_headers_on_every_answer(app: Any, clients: dict[str | None, TestClient]) -> None:
    answers = [
        clients[None].get("/inloggen"),
        clients[None].get("/", follow_redirects=False),
        clients[None].get("/api/cases"),
        clients[None].get("/static/style.css"),
        clients[ADMIN].get(f"/casus/{CASE}"),
        clients[ADMIN].get("/casus/bestaat-niet"),
        clients[ADMIN].get("/api/search", params={"q": "wlz"}),
        clients[ADMIN].get("/docs"),
        clients[MANAGER].get("/api/export"),
        clients[ADMIN].post("/api/searches", content=b"{kapot"),
    ]
    for answer in answers:
        where = f"{answer.request.method} {answer.request.url.path} {answer.status_code}"
        for name, value in SECURITY_HEADERS.items():
            assert answer.headers.get(name) == value, where
        policy = answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, where
        assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["x-request-id"]), where
        cacheable = answer.request.url.path.startswith("/static/")
        assert (answer.headers.get("cache-control") == "no-store") != cacheable, where


def test_pages_have_no_inline_script_or_style() -> None:
    """The Content-Security-Policy allows no inline code, so no template may carry any."""
    templates = Path(__file__).resolve().parent.parent / "web" / "templates"
    for template in templates.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert "<style" not in text and " style=" not in text, template.name
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert not re.search(r"\son[a-z]+=", text), template.name


def test_every_form_that_posts_carries_a_csrf_token() -> None:
    templates = Path(__file__).resolve().parent.parent / "web" / "templates"
    for template in templates.glob("*.html"):
        for form in re.findall(r"<form[^>]*>.{0,200}", template.read_text(encoding="utf-8"), flags=re.S):
            if 'method="post"' in form:
                assert "csrf_field(request)" in form, (template.name, form[:80])


def test_feed_links_come_from_the_base_url_not_the_host_header(ingested: KnowledgeBase) -> None:
    from api.app import create_app
    from kb.search import make_request

    settings = ingested.settings.model_copy(update={"base_url": "https://leerlus.gemeente.example"})
    ingested.save_search("Thuiszitters", make_request(query="thuiszitter"))
    with signed_in(create_app(settings, kb=ingested)) as client:
        feed = client.get("/zoekopdrachten/thuiszitters/feed", headers={"Host": "evil.example"})
    assert feed.status_code == 200
    assert "evil.example" not in feed.text
    assert 'href="https://leerlus.gemeente.example/casus/' in feed.text
    assert feed.headers["strict-transport-security"] == "max-age=31536000"
