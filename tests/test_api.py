"""The JSON API through an in-process HTTP client: contract, errors, no 500s."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def test_search_contract(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "thuiszitter"}).json()
    assert body["query"] == "thuiszitter"
    assert body["total"] == len(body["hits"]) == 2
    assert set(body["hits"][0]) == {"id", "titel", "soort", "datum", "score", "snippets", "aangehaald"}
    assert body["hits"][0]["id"] == "2021-05-thuiszitter-swv"
    assert set(body["facets"]) >= {
        "soort",
        "regio",
        "team",
        "jaar",
        "leeftijdscategorie",
        "hulpvraag",
        "wetten",
        "blokkades",
    }


def test_search_filters_repeat(client: TestClient) -> None:
    body = client.get("/api/search?regio=Utrecht&regio=Twente&sort=datum").json()
    assert [h["id"] for h in body["hits"]] == [
        "2024-11-achttien-plus",
        "2022-09-wlz-indicatie",
        "2021-05-thuiszitter-swv",
    ]
    assert body["filters"] == {"regio": ["Utrecht", "Twente"]}


def test_cases_list_paginates_and_filters(client: TestClient) -> None:
    page = client.get("/api/cases", params={"limit": 2, "page": 2}).json()
    assert page["count"] == 4 and [c["id"] for c in page["data"]] == [
        "2022-09-wlz-indicatie",
        "2021-05-thuiszitter-swv",
    ]
    filtered = client.get("/api/cases", params={"blokkades": "transitie.18-plus"}).json()
    assert [c["id"] for c in filtered["data"]] == ["2024-11-achttien-plus"]


def test_case_detail(client: TestClient) -> None:
    body = client.get("/api/cases/2022-09-wlz-indicatie").json()
    assert body["titel"].startswith("Meisje (7)")
    assert body["wetten"] == ["Jeugdwet", "Wet langdurige zorg"]
    assert (
        '<a class="casuslink" data-case="2021-05-thuiszitter-swv" href="/casus/2021-05-thuiszitter-swv"'
        in body["body_html"]
    )
    assert [link["id"] for link in body["links_out"]] == ["2021-05-thuiszitter-swv"]
    assert [link["id"] for link in body["links_in"]] == ["2024-11-achttien-plus"]


def test_facets(client: TestClient) -> None:
    body = client.get("/api/facets").json()
    assert body["facets"]["soort"] == {
        "bindend-advies": 1,
        "casusbespreking": 1,
        "escalatie": 1,
        "maatwerkbesluit": 1,
    }
    assert body["labels"]["blokkades"]["grens.jeugdwet-wlz"] == "Grens Jeugdwet – Wlz"


@pytest.mark.parametrize(
    ("url", "status", "code", "detail"),
    [
        ("/api/cases/bestaat-niet", 404, "niet-gevonden", "casus 'bestaat-niet' bestaat niet"),
        ("/api/nergens", 404, "niet-gevonden", "deze pagina bestaat niet"),
        ("/api/search?page=abc", 422, "ongeldige-invoer", "paginanummer moet een geheel getal zijn"),
        ("/api/search?limit=1000", 422, "ongeldige-invoer", "aantal per pagina mag hoogstens 100 zijn"),
        (
            "/api/search?sort=willekeurig",
            422,
            "ongeldige-invoer",
            "sortering 'willekeurig' is onbekend",
        ),
        ("/api/search?van=morgen", 422, "ongeldige-invoer", "van 'morgen' is geen datum"),
        ("/api/cases?page=0", 422, "ongeldige-invoer", "paginanummer moet minstens 1 zijn"),
    ],
)
def test_errors_are_json_in_dutch(client: TestClient, url: str, status: int, code: str, detail: str) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert detail in response.json()["detail"]


@pytest.mark.parametrize("q", ['"', "AND", "veld:", "x" * 10_000, "((", "💥", "titel:(a", "\\", "*:*", "%00"])
def test_hostile_queries_never_500(client: TestClient, q: str) -> None:
    response = client.get("/api/search", params={"q": q})
    assert response.status_code == 200


def test_method_not_allowed_is_dutch(client: TestClient) -> None:
    response = client.post("/api/search")
    assert response.status_code == 405 and response.json()["code"] == "methode-niet-toegestaan"


def test_openapi_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/search", "/api/cases", "/api/cases/{case_id}", "/api/facets"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200
