"""Forms from another site change nothing (issue 16): every state-changing route, posted by a
browser with a valid session, is refused without the page's CSRF token or from another origin,
and afterwards no table and no case file has changed. Also the session cookie itself: its flags,
logging out, a session that no longer works after logging out, and the brake on guessing."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from kb.access import ADMIN, MANAGER, ROUTES, UNSAFE_METHODS
from kb.knowledge import KnowledgeBase
from tests.conftest import PASSWORD, csrf_of, logged_in

TABLES = ("saved_search", "signal", "signal_event", "blocker_review", "obligation_event", "app_user", "api_token")
STATE_CHANGING = sorted((method, path) for method, path in ROUTES if method in UNSAFE_METHODS)
PARAMS = {"case_id": "2021-05-thuiszitter-swv", "signaalnummer": "1", "slug": "thuiszitters", "nummer": "1"}
FORMS: dict[str, dict[str, Any]] = {
    "/zoekopdrachten": {"naam": "Van elders", "params": "q=wlz"},
    "/signalen": {"titel": "Van elders", "adressaat": "zorgkantoor", "blokkades": "grens.jeugdwet-wlz"},
    "/signalen/{signaalnummer}/status": {"naar": "geagendeerd"},
    "/nieuw": {"titel": "Van elders", "soort": "casusbespreking", "datum": "2024-01", "tekst": "Tekst van elders."},
    "/api/searches": {"naam": "Van elders", "q": "wlz"},
    "/api/signals": {"titel": "Van elders", "adressaat": "zorgkantoor", "blokkades": ["grens.jeugdwet-wlz"]},
    "/api/signals/{signaalnummer}/status": {"naar": "geagendeerd"},
}


def snapshot(kb: KnowledgeBase) -> dict[str, Any]:
    """Every row of the tables people change, and the hash of every case file."""
    with kb.engine.connect() as connection:
        rows = {t: sorted(map(str, connection.execute(text(f'SELECT * FROM "{t}"')).all())) for t in TABLES}  # noqa: S608
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in kb.settings.content_dir.rglob("*.md")}
    return {"rows": rows, "files": files}


@pytest.fixture
def app(ingested: KnowledgeBase) -> Any:
    from api.app import create_app
    from kb.search import make_request

    ingested.create_signal(
        titel="Eén budget",
        adressaat="samenwerkingsverband",
        blokkades=["grens.jeugdwet-onderwijs"],
        casussen=[],
        wie="Manager",
    )
    ingested.save_search("Thuiszitters", make_request(query="thuiszitter"))
    return create_app(ingested.settings, kb=ingested)


def send(client: TestClient, method: str, path: str, token: str | None, headers: dict[str, str]) -> Any:
    url = re.sub(r"\{(\w+)\}", lambda m: PARAMS[m.group(1)], path)
    body = FORMS.get(path, {})
    if path.startswith("/api/"):
        extra = {"X-CSRF-Token": token} if token else {}
        return client.request(method, url, json=body, headers={**headers, **extra}, follow_redirects=False)
    data = {**body, **({"csrf_token": token} if token else {})}
    return client.request(method, url, data=data, headers=headers, follow_redirects=False)


@pytest.mark.parametrize(("method", "path"), STATE_CHANGING, ids=[f"{m} {p}" for m, p in STATE_CHANGING])
def test_a_cross_origin_post_changes_nothing(app: Any, ingested: KnowledgeBase, method: str, path: str) -> None:
    with logged_in(app, ADMIN) as browser:
        token = csrf_of(browser.get("/").text)
        before = snapshot(ingested)
        attempts = [
            ({"Origin": "https://evil.example"}, token),  # a form on another site, even with a stolen token
            ({"Origin": "null"}, token),  # a sandboxed or privacy-stripped origin
            ({"Referer": "https://evil.example/page"}, token),  # no Origin, a foreign Referer
            ({}, None),  # no token at all
            ({"Origin": "http://testserver"}, "0" * 64),  # our own origin, a wrong token
        ]
        for headers, sent in attempts:
            answer = send(browser, method, path, sent, headers)
            assert answer.status_code == 403, (headers, answer.status_code)
            code = "andere-herkomst" if sent == token else "csrf"
            assert code in answer.text or answer.json()["code"] == code, (headers, answer.text[:200])
        assert snapshot(ingested) == before


def test_the_same_form_from_our_own_page_goes_through(app: Any, ingested: KnowledgeBase) -> None:
    with logged_in(app, ADMIN) as browser:
        page = browser.get("/zoeken", params={"q": "thuiszitter"})
        token = csrf_of(page.text)
        saved = browser.post(
            "/zoekopdrachten",
            data={"naam": "Thuiszitters in West", "params": "q=thuiszitter", "csrf_token": token},
            headers={"Origin": "http://testserver"},
            follow_redirects=False,
        )
        assert saved.status_code == 303, saved.text
        api = browser.post("/api/searches", json={"naam": "Wlz"}, headers={"X-CSRF-Token": token})
        assert api.status_code == 201
    assert {s.naam for s in ingested.saved_searches()} >= {"Thuiszitters in West", "Wlz"}


def test_the_session_cookie_and_logging_out(app: Any) -> None:
    browser = logged_in(app, MANAGER)
    cookie = browser.cookies.get("leerlus_sessie")
    assert cookie
    assert browser.get("/patronen").status_code == 200
    page = browser.get("/")
    assert f"{browser.user} · Manager" in page.text and 'href="/patronen"' in page.text
    assert 'href="/beoordelen"' not in page.text and 'href="/audit"' not in page.text
    out = browser.post("/uitloggen", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/inloggen?uit=1"
    assert browser.get("/patronen", follow_redirects=False).status_code == 303
    with TestClient(app) as thief:  # the old cookie, replayed, is worth nothing after logging out
        thief.cookies.set("leerlus_sessie", cookie)
        assert thief.get("/patronen", follow_redirects=False).headers["location"] == "/inloggen?volgende=%2Fpatronen"
    browser.close()


def test_cookie_flags(ingested: KnowledgeBase) -> None:
    from api.app import create_app

    for base_url, secure in (("http://127.0.0.1:8000", False), ("https://leerlus.gemeente.example", True)):
        settings = ingested.settings.model_copy(update={"base_url": base_url})
        with TestClient(create_app(settings, kb=ingested), base_url=base_url) as client:
            header = client.get("/inloggen").headers["set-cookie"]
        assert "HttpOnly" in header and "SameSite=strict" in header.replace("Strict", "strict")
        assert ("Secure" in header) == secure, header


def test_login_goes_back_where_you_were_and_never_elsewhere(app: Any) -> None:
    app.state.kb.accounts.add("terug", MANAGER, wachtwoord=PASSWORD)
    for wanted, landed in (("/patronen?per=jaar", "/patronen?per=jaar"), ("//evil.example", "/"), ("https://x", "/")):
        with TestClient(app) as browser:
            form = browser.get("/inloggen", params={"volgende": wanted})
            data = {"naam": "terug", "wachtwoord": PASSWORD, "csrf_token": csrf_of(form.text), "volgende": wanted}
            done = browser.post("/inloggen", data=data, follow_redirects=False)
            assert done.headers["location"] == landed


def test_guessing_passwords_is_braked(app: Any) -> None:
    app.state.kb.accounts.add("raden", MANAGER, wachtwoord=PASSWORD)
    with TestClient(app) as browser:
        token = csrf_of(browser.get("/inloggen").text)
        for _ in range(5):
            wrong = browser.post("/inloggen", data={"naam": "raden", "wachtwoord": "fout", "csrf_token": token})
            assert wrong.status_code == 401 and "klopt niet" in wrong.text
        braked = browser.post("/inloggen", data={"naam": "raden", "wachtwoord": PASSWORD, "csrf_token": token})
        assert braked.status_code == 429 and "Te veel mislukte pogingen" in braked.text
    with TestClient(app) as script:
        for _ in range(20):
            assert script.get("/api/ik", headers={"Authorization": "Bearer llt_geraden"}).status_code == 401
        assert script.get("/api/ik", headers={"Authorization": "Bearer llt_geraden"}).status_code == 429
