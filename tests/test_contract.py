"""The HTTP contract under hostile input (#17): no 500 for ids, dates or imports that do not fit,
error bodies that match the OpenAPI document, ``Allow`` on 405, Dutch parser messages, strict
import, downloads without live HTML, and a log that never repeats what a request carried."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from kb.brief import Brief, Group, Precedent
from kb.knowledge import KnowledgeBase
from tests.conftest import signed_in

EXPORT = {"formaat": "leerlus-gebruikersdata", "versie": 1, "zoekopdrachten": [], "signalen": []}
SEARCH = {"slug": "wachtlijst", "naam": "Wachtlijst", "params": "q=wachtlijst", "aangemaakt": "2024-01-01T00:00:00"}
SIGNAL = {
    "uid": "a" * 32,
    "titel": "Eén budget voor zorg op school",
    "toelichting": "",
    "blokkades": ["grens.jeugdwet-onderwijs"],
    "casussen": [],
    "adressaat": "samenwerkingsverband",
    "status": "nieuw",
    "bron_les": None,
    "aangemaakt": "2024-01-01T09:00:00+02:00",
    "gewijzigd": "2024-01-01T09:00:00+02:00",
    "geschiedenis": [
        {"soort": "aangemaakt", "van": None, "naar": "nieuw", "wie": "Teamleider", "notitie": "", "casus": None,
         "moment": "2024-01-01T09:00:00+02:00"},
    ],
}  # fmt: skip


@pytest.mark.parametrize(
    "url",
    [
        "/api/signals/9223372036854775808",
        "/api/signals/2147483648",
        "/api/signals/99999999999999999999999",
        "/api/signals/0",
        "/signalen/9223372036854775808",
    ],
)
def test_ids_out_of_range_are_422_not_500(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/json" if "/api/" in url else "text/html")


def test_status_move_with_huge_id_is_422(client: TestClient) -> None:
    response = client.post("/api/signals/9223372036854775808/status", json={"naar": "geagendeerd", "wie": "Beleid"})
    assert response.status_code == 422 and response.json()["code"] == "ongeldige-invoer"


@pytest.mark.parametrize("url", ["/api/patterns?tot=2024", "/patronen?tot=2024", "/api/patterns?van=2021&tot=2024"])
def test_year_precision_works_for_patterns(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, response.text
    if url.startswith("/api/patterns?tot"):
        assert response.json()["huidig"] == "2024-K4"


@pytest.mark.parametrize(
    "url",
    ["/api/search?van=2024-02-30", "/api/search?tot=2023-02-29", "/api/patterns?van=2024-04-31", "/zoeken?van=2024-02-30"],
)
def test_impossible_dates_are_refused(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 422
    assert "is geen datum" in response.text


def test_leap_day_is_a_date(client: TestClient) -> None:
    assert client.get("/api/search?van=2024-02-29").status_code == 200


def test_405_carries_allow(client: TestClient) -> None:
    response = client.post("/api/search")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.json()["code"] == "methode-niet-toegestaan"


def test_parser_errors_are_dutch(client: TestClient) -> None:
    not_utf8 = client.post("/api/signals", content=b'{"titel": "\xff"}', headers={"content-type": "application/json"})
    assert not_utf8.status_code == 400
    assert not_utf8.json() == {
        "code": "ongeldig-verzoek",
        "detail": "het verzoek is niet te lezen: geen geldige JSON of formuliergegevens",
    }
    for url in ("/signalen", "/zoekopdrachten"):  # a multipart body without its boundary
        broken = client.post(url, content=b"abc", headers={"content-type": "multipart/form-data"})
        assert broken.status_code == 400 and "Het verzoek is ongeldig." in broken.text
        assert "boundary" not in broken.text.lower()


def test_english_parser_messages_have_dutch_twins() -> None:
    from starlette.exceptions import HTTPException

    from api.errors import http_detail

    for english in ("Field exceeded maximum size of 1024KB", "There was an error parsing the body"):
        code, detail = http_detail(HTTPException(400, english))
        assert code == "ongeldig-verzoek" and "geldige" in detail or "te groot" in detail


@pytest.mark.parametrize(
    ("export", "fragment"),
    [
        ({**EXPORT, "zoekopdrachten": [{**SEARCH, "slug": None}]}, "zoekopdrachten[1].slug moet tekst zijn"),
        ({**EXPORT, "zoekopdrachten": [{**SEARCH, "slug": "javascript:alert(1)"}]}, "geen geldige naam voor een link"),
        ({**EXPORT, "signalen": [{**SIGNAL, "titel": ["lijst"]}]}, "signalen[0].titel moet tekst zijn"),
        ({**EXPORT, "signalen": [{**SIGNAL, "titel": "Titel\x00"}]}, "ongeldig teken"),
        ({**EXPORT, "signalen": [{**SIGNAL, "aangemaakt": "gisteren"}]}, "moet een moment zijn"),
        ({**EXPORT, "signalen": [{**SIGNAL, "status": "opgelost"}]}, "past niet bij de geschiedenis"),
        ({**EXPORT, "signalen": [{**SIGNAL, "adressaat": "paus"}]}, "adressaat 'paus' is onbekend"),
        ({**EXPORT, "signalen": "geen lijst"}, "signalen moet een lijst zijn"),
        ({**EXPORT, "signalen": [5]}, "signalen[0] moet een JSON-object zijn"),
    ],
)
def test_import_is_strict_and_all_or_nothing(client: TestClient, export: dict[str, object], fragment: str) -> None:
    good = {**SEARCH, "slug": "eerst", "naam": "Eerst"}
    export = {**export, "zoekopdrachten": [good, *export["zoekopdrachten"]]}  # type: ignore[misc]
    response = client.post("/api/import", json=export)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "ongeldige-invoer" and fragment in response.json()["detail"]
    assert client.get("/api/searches").json() == [] and client.get("/api/signals").json() == []


def test_import_takes_moments_with_a_time_zone_as_utc(client: TestClient) -> None:
    response = client.post("/api/import", json={**EXPORT, "signalen": [SIGNAL], "zoekopdrachten": [SEARCH]})
    assert response.status_code == 200, response.text
    (signal,) = client.get("/api/signals").json()
    assert signal["aangemaakt"] == "2024-01-01T07:00:00Z"
    assert signal["geschiedenis"][0]["moment"] == "2024-01-01T07:00:00Z"


def test_null_bytes_are_refused_in_text_fields(client: TestClient) -> None:
    signal = {"titel": "Budget\x00", "adressaat": "samenwerkingsverband", "blokkades": ["grens.jeugdwet-onderwijs"],
              "wie": "Teamleider"}  # fmt: skip
    assert client.post("/api/signals", json=signal).status_code == 422
    assert client.post("/api/searches", json={"naam": "Naam\x00"}).status_code == 422
    assert client.get("/api/signals").json() == [] and client.get("/api/searches").json() == []


@pytest.mark.parametrize(("field", "value"), [("titel", "a\x00b"), ("regio", "Utrecht\x1b[31m"), ("team", "Te\x85am")])
def test_control_characters_are_refused_in_case_fields(client: TestClient, ingested: KnowledgeBase, field: str,
                                                       value: str) -> None:  # fmt: skip
    before = sorted(p.name for p in ingested.settings.content_dir.rglob("*"))
    case = {"titel": "Thuiszitter", "soort": "casusbespreking", "datum": "2024-01", "tekst": "Hij zit thuis.", field: value}
    api = client.post("/api/cases", json=case)
    assert api.status_code == 422 and f"{field} bevat een ongeldig teken" in api.json()["detail"]
    form = client.post("/nieuw", data=case)
    assert form.status_code == 422 and f"{field} bevat een ongeldig teken" in form.text
    assert sorted(p.name for p in ingested.settings.content_dir.rglob("*")) == before


def test_control_characters_written_as_yaml_escapes_are_refused_in_files() -> None:
    from ingest.parse import parse_case
    from kb.taxonomy import load_taxonomy

    raw = b'---\ntitel: "Thuis\\0zitter"\nsoort: casusbespreking\ndatum: 2024-01\n---\nTekst.\n'
    result = parse_case(raw, path="content/x.md", rel_path="x.md", taxonomy=load_taxonomy())
    assert result.record is None
    assert [str(i) for i in result.errors] == ["content/x.md:2: titel bevat een ongeldig teken (een nul-byte of stuurteken)"]


def test_error_bodies_match_the_openapi_document(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    error = spec["components"]["schemas"]["Fout"]
    assert set(error["required"]) == {"code", "detail"}
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status in ("422", "default"):
                if status in operation["responses"]:
                    schema = operation["responses"][status]["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Fout"}, (method, path, status)
            assert "default" in operation["responses"], (method, path)
    body = client.get("/api/search", params={"limit": "veel"}).json()
    assert set(body) == {"code", "detail"} and isinstance(body["detail"], str)


def test_report_markdown_escapes_raw_html(client: TestClient) -> None:
    created = client.post(
        "/api/signals",
        json={"titel": "<script>alert(1)</script> budget", "adressaat": "samenwerkingsverband",
              "blokkades": ["grens.jeugdwet-onderwijs"], "wie": "Teamleider"},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    this_month = created.json()["aangemaakt"][:7]
    markdown = client.get("/rapport.md", params={"van": this_month, "tot": this_month}).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; budget" in markdown
    assert "<script>" not in markdown


def test_brief_markdown_escapes_raw_html() -> None:
    precedent = Precedent("x", "<img src=x onerror=alert(1)>", "escalatie", "2024-01", 1.0, "<b>Besluit</b>")
    group = Group("aanbod.wachtlijst", "Wachtlijst", ["Zin met <script>x</script>."], [precedent])
    markdown = Brief([group]).to_markdown()
    assert "<img" not in markdown and "<script>" not in markdown and "<b>" not in markdown
    assert "&lt;img src=x onerror=alert(1)&gt;" in markdown


def test_unexpected_errors_log_where_not_what(ingested: KnowledgeBase, caplog: pytest.LogCaptureFixture) -> None:
    from api.app import create_app

    app = create_app(ingested.settings, kb=ingested)

    @app.get("/api/kapot")
    def broken() -> None:
        raise ValueError("moeder Fatima Yilmaz, BSN 111222333")

    # raise_server_exceptions stays on: the exception must not reach the server (which would log
    # it whole and drop the keep-alive connection).
    with signed_in(app) as client, caplog.at_level(logging.ERROR):
        response = client.get("/api/kapot")
        page = client.get("/api/kapot", headers={"accept": "text/html"})
    assert response.status_code == 500 and response.json()["code"] == "interne-fout"
    assert page.status_code == 500
    assert "ValueError" in caplog.text and "/api/kapot" in caplog.text
    assert "111222333" not in caplog.text and "Fatima" not in caplog.text


def test_access_log_leaves_out_query_strings(client: TestClient) -> None:
    access = logging.getLogger("uvicorn.access")
    record = access.makeRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/zoeken?q=moeder+Fatima+111222333", "1.1", 200), None,
    )  # fmt: skip
    assert all(f.filter(record) for f in access.filters)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /zoeken HTTP/1.1" 200'


def test_sql_errors_never_reach_the_log_with_their_values(
    ingested: KnowledgeBase, caplog: pytest.LogCaptureFixture
) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from api.app import create_app

    insert = text("INSERT INTO saved_search (slug, naam, params, aangemaakt) VALUES (:slug, :naam, '', :moment)")
    values = {"slug": None, "naam": "moeder Fatima 111222333", "moment": "2024-01-01"}
    with ingested.engine.connect() as connection, pytest.raises(IntegrityError) as raised:
        connection.execute(insert, values)
    assert "SQL parameters hidden" in str(raised.value)  # hide_parameters on the engine

    app = create_app(ingested.settings, kb=ingested)

    @app.post("/api/kapot")
    def broken() -> None:  # PostgreSQL repeats the failing row in its own message: never logged
        with ingested.engine.connect() as connection:
            connection.execute(insert, values)

    with signed_in(app, raise_server_exceptions=False) as client, caplog.at_level(logging.DEBUG):
        response = client.post("/api/kapot", json={"naam": "moeder Fatima 111222333"})
    assert response.status_code == 500
    assert "IntegrityError" in caplog.text
    assert "111222333" not in caplog.text and "Fatima" not in caplog.text
