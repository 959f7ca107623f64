"""Citation sort ("meest aangehaald") and saved searches with their Atom feeds, end to end."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from ingest.runner import ingest
from kb.knowledge import KnowledgeBase
from kb.saved_searches import slugify
from kb.search import make_request, request_from_params, to_params

ATOM = "{http://www.w3.org/2005/Atom}"
CITING = """---
titel: "Tweede thuiszitter die op het oude besluit voortbouwt"
soort: casusbespreking
datum: 2025-03-01
hulpvraag: opvoedvragen
verwijzingen: [2021-05-thuiszitter-swv]
---

Het team bouwt voort op het eerdere besluit over zorg in de klas.
"""


def _add(content: Path, name: str, text: str) -> None:
    (content / name).write_text(text, encoding="utf-8")


def test_most_cited_first_then_by_date(ingested: KnowledgeBase) -> None:
    _add(ingested.settings.content_dir, "2025-03-tweede-thuiszitter.md", CITING)
    assert ingest(ingested).ok
    result = ingested.search(make_request(sort="aangehaald", limit=10))
    order = [(h.id, h.aangehaald) for h in result.hits]
    # 2021-05 is cited by 2022-09 and the new case; 2022-09 by 2024-11; the rest by nobody.
    assert order[:2] == [("2021-05-thuiszitter-swv", 2), ("2022-09-wlz-indicatie", 1)]
    rest = result.hits[2:]
    assert all(h.aangehaald == 0 for h in rest)
    assert [h.datum for h in rest] == sorted((h.datum for h in rest), reverse=True)


def test_most_cited_keeps_only_matches_and_counts_on_every_sort(ingested: KnowledgeBase) -> None:
    result = ingested.search(make_request(query="Wlz", sort="aangehaald"))
    ids = [h.id for h in result.hits]
    assert "2022-09-wlz-indicatie" in ids
    assert "2021-05-thuiszitter-swv" not in ids or result.hits[0].aangehaald >= 1
    relevance = ingested.search(make_request(query="Wlz"))
    counts = {h.id: h.aangehaald for h in relevance.hits}
    assert counts["2022-09-wlz-indicatie"] == 1


def test_unknown_sort_is_refused_in_dutch(client: TestClient) -> None:
    response = client.get("/api/search", params={"sort": "populair"})
    assert response.status_code == 422
    assert "aangehaald" in response.json()["detail"]


def test_canonical_params_round_trip() -> None:
    request = make_request(query="Wlz logeren", filters={"regio": ["Utrecht"], "blokkades": ["a", "b"]}, van="2022")
    params = "&".join(f"{k}={v}" for k, v in to_params(request))
    again = request_from_params(params)
    assert (again.query, dict(again.filters), again.van, again.sort) == (
        request.query,
        dict(request.filters),
        request.van,
        request.sort,
    )
    assert slugify("Thuiszitters & passend Onderwijs — regio Utrecht") == "thuiszitters-passend-onderwijs-regio-utrecht"


def test_saved_search_api_round_trip_and_feed(client: TestClient) -> None:
    created = client.post("/api/searches", json={"naam": "Wlz-grens", "q": "Wlz", "sort": "datum"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["slug"] == "wlz-grens"
    assert parse_qs(urlparse(body["url"]).query) == {"q": ["Wlz"], "sort": ["datum"]}
    assert [s["naam"] for s in client.get("/api/searches").json()] == ["Wlz-grens"]

    again = client.post("/api/searches", json={"naam": "wlz grens", "q": "iets anders"})
    assert again.status_code == 409
    assert "al een zoekopdracht" in again.json()["detail"]

    feed = client.get(body["feed"])
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    entries = root.findall(f"{ATOM}entry")
    expected = client.get("/api/search", params={"q": "Wlz", "sort": "datum", "limit": 20}).json()
    assert [e.findtext(f"{ATOM}id", "").rsplit("/", 1)[-1] for e in entries] == [h["id"] for h in expected["hits"]]
    assert entries and all(e.findtext(f"{ATOM}updated", "").endswith("Z") for e in entries)

    assert client.delete("/api/searches/wlz-grens").status_code == 204
    assert client.get("/api/searches/wlz-grens").status_code == 404
    assert client.get(body["feed"]).status_code == 404


def test_new_matching_case_appears_in_feed(client: TestClient, ingested: KnowledgeBase) -> None:
    client.post("/api/searches", json={"naam": "Thuiszitters", "q": "thuiszitter"})
    before = ET.fromstring(client.get("/zoekopdrachten/thuiszitters/feed").content)
    _add(ingested.settings.content_dir, "2025-03-tweede-thuiszitter.md", CITING)
    assert ingest(ingested).ok
    after = ET.fromstring(client.get("/zoekopdrachten/thuiszitters/feed").content)
    ids_before = {e.findtext(f"{ATOM}id") for e in before.findall(f"{ATOM}entry")}
    ids_after = [e.findtext(f"{ATOM}id") for e in after.findall(f"{ATOM}entry")]
    assert ids_after[0] is not None and ids_after[0].endswith("/casus/2025-03-tweede-thuiszitter")
    assert ids_after[0] not in ids_before


@pytest.mark.parametrize(
    ("naam", "status", "fragment"),
    [("", 422, "geef de zoekopdracht een naam"), ("!!!", 422, "letter of cijfer"), ("x" * 130, 422, "te lang")],
)
def test_bad_names_are_refused_in_dutch(client: TestClient, naam: str, status: int, fragment: str) -> None:
    response = client.post("/api/searches", json={"naam": naam, "q": "Wlz"})
    assert response.status_code == status
    assert fragment in response.json()["detail"]


def test_web_save_keeps_typed_name_on_refusal(client: TestClient) -> None:
    page = client.get("/zoeken", params={"q": "schulden", "regio": "Rotterdam Rijnmond"})
    assert 'action="/zoekopdrachten"' in page.text
    params = "q=schulden&regio=Rotterdam+Rijnmond"
    assert f'value="{html.escape(params)}"' in page.text
    saved = client.post(
        "/zoekopdrachten", data={"naam": "Schulden Rotterdam", "params": params}, follow_redirects=False
    )
    assert saved.status_code == 303
    listing = client.get(saved.headers["location"])
    assert "Schulden Rotterdam" in listing.text and "/zoekopdrachten/schulden-rotterdam/feed" in listing.text
    opened = client.get("/zoekopdrachten/schulden-rotterdam", follow_redirects=False)
    assert opened.headers["location"] == f"/zoeken?{params}"

    refused = client.post("/zoekopdrachten", data={"naam": "schulden  rotterdam", "params": params})
    assert refused.status_code == 409
    assert 'value="schulden  rotterdam"' in refused.text
    assert "al een zoekopdracht" in refused.text


def test_saved_searches_survive_reindex(ingested: KnowledgeBase) -> None:
    ingested.save_search("Blijft bestaan", make_request(query="Wlz"))
    ingested.reset()
    assert ingest(ingested).ok
    assert [s.slug for s in ingested.saved_searches()] == ["blijft-bestaan"]


def _before_alembic(kb: KnowledgeBase, key: str, value: str) -> None:
    """Make the database look as a release before alembic left it, with ``key`` at ``value``."""
    from sqlalchemy import text
    from sqlmodel import Session

    from kb.models import Meta

    with Session(kb.engine) as session:
        session.exec(text("DROP TABLE alembic_version"))  # type: ignore[call-overload]
        session.merge(Meta(key=key, value=value))
        session.commit()


def test_an_old_case_schema_rebuilds_cases_but_keeps_user_data(ingested: KnowledgeBase) -> None:
    """A database of a release before alembic with case tables of an older schema: those are emptied
    (the next ingest refills them), what people made stays."""
    from kb.db import make_engine

    ingested.save_search("Bewaard", make_request(query="Wlz"))
    _before_alembic(ingested, "schema", "oud")
    engine = make_engine(ingested.settings.sql_url)
    reopened = KnowledgeBase.__new__(KnowledgeBase)
    reopened.engine = engine
    assert reopened.stored_files() == {}  # derived case tables were rebuilt empty
    assert [s.naam for s in reopened.saved_searches()] == ["Bewaard"]
    engine.dispose()


def test_unknown_user_schema_is_refused_not_dropped(ingested: KnowledgeBase) -> None:
    from kb.db import make_engine
    from kb.errors import LeerlusError

    ingested.save_search("Bewaard", make_request(query="Wlz"))
    _before_alembic(ingested, "gebruikersdata", "99")
    with pytest.raises(LeerlusError, match="schemaversie 99"):
        make_engine(ingested.settings.sql_url)
    assert [s.naam for s in ingested.saved_searches()] == ["Bewaard"]
