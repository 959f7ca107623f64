"""Honest comparisons and pages (issue #18): a partial period says so, van after tot is refused as
/rapport refuses it, a page beyond the last says so, and an empty draft gets no brief."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kb.knowledge import KnowledgeBase
from kb.patterns import PatternRequest, Selection
from kb.periods import partial
from tests.conftest import signed_in


@pytest.fixture(scope="module")
def sample_client(sample_kb: KnowledgeBase) -> Iterator[TestClient]:
    from api.app import create_app

    with signed_in(create_app(sample_kb.settings, kb=sample_kb), raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize(
    ("period", "van", "tot", "note"),
    [
        ("2025", "2023-12", "2025-11", "2025 telt alleen 2025-01 t/m 2025-11 (11 van 12 maanden)"),
        ("2023", "2023-12", "2025-11", "2023 telt alleen 2023-12 t/m 2023-12 (1 van 12 maanden)"),
        ("2024", "2023-12", "2025-11", None),
        ("2025-K4", None, "2025-11-15", "2025-K4 telt alleen 2025-10 t/m 2025-11 (2 van 3 maanden)"),
        ("2025-K3", "2025", "2025", None),
    ],
)
def test_partial_period_note(period: str, van: str | None, tot: str, note: str | None) -> None:
    assert partial(period, van, tot) == note


def test_a_partial_year_is_named_in_json_and_on_the_page(sample_kb: KnowledgeBase, sample_client: TestClient) -> None:
    result = sample_kb.patterns(PatternRequest(Selection(van="2023-12", tot="2025-11"), per="jaar"))
    assert (result.huidig, result.vorig) == ("2025", "2024")
    assert result.onvolledig == [  # the first year of the time line is cut by van as well
        "2023 telt alleen 2023-12 t/m 2023-12 (1 van 12 maanden)",
        "2025 telt alleen 2025-01 t/m 2025-11 (11 van 12 maanden)",
    ]
    assert "niet even lang" in result.tabellen["trend"].toelichting and "2023" not in result.tabellen["trend"].toelichting
    assert "1 van 12 maanden" in result.tabellen["tijdlijn"].toelichting
    api = sample_client.get("/api/patterns", params={"per": "jaar", "van": "2023-12", "tot": "2025-11"}).json()
    assert api["onvolledig"] == result.onvolledig
    page = sample_client.get("/patronen", params={"per": "jaar", "van": "2023-12", "tot": "2025-11"}).text
    assert 'id="onvolledig"' in page and "11 van 12 maanden" in page and "1 van 12 maanden" in page
    whole = sample_client.get("/api/patterns", params={"per": "jaar", "van": "2023", "tot": "2024"}).json()
    assert whole["onvolledig"] == []


@pytest.mark.parametrize("path", ["/patronen", "/api/patterns", "/patronen/casussen", "/api/patterns/cases"])
def test_van_after_tot_is_refused_like_the_report(sample_client: TestClient, path: str) -> None:
    response = sample_client.get(path, params={"van": "2025-06", "tot": "2024-01"})
    report = sample_client.get("/api/report", params={"van": "2025-06", "tot": "2024-01"})
    assert response.status_code == report.status_code == 422
    assert "van ligt na tot (2025-06 is later dan 2024-01)" in response.text.lower()
    assert "Geen casussen" not in response.text
    assert sample_client.get(path, params={"van": "2024-05", "tot": "2024"}).status_code == 200


def test_a_page_beyond_the_last_says_so(sample_client: TestClient) -> None:
    page = sample_client.get("/zoeken", params={"q": "thuiszitter", "page": "999"}).text
    assert "pagina 999 van" not in page
    assert 'id="voorbij"' in page and "Pagina 999 bestaat niet" in page
    assert 'href="/zoeken?q=thuiszitter&amp;page=2">Naar de laatste pagina' in page
    assert 'id="voorbij"' not in sample_client.get("/zoeken", params={"q": "thuiszitter", "page": "2"}).text
    assert 'rel="prev"' not in page  # "← Vorige" would lead to page 998, which does not exist either


def test_a_tie_at_the_top_is_named_as_a_tie(sample_kb: KnowledgeBase, sample_client: TestClient) -> None:
    """"In 2025-K4 blokkeert Schulden de meeste casussen" was said of one of four blockers with 1 each."""
    result = sample_kb.patterns(PatternRequest(Selection(), per="kwartaal"))
    counts = [row.cells[0].value for row in result.tabellen["trend"].rijen]
    assert counts.count(max(counts)) > 1, "the sample corpus must have a tie at the top for this test"
    headline = sample_client.get("/patronen", params={"per": "kwartaal"}).text.split('id="kern"')[1].split("</p>")[0]
    assert "de meeste casussen" not in headline
    assert "even vaak" in headline and f"elk {max(counts)} casus" in headline
    single = sample_client.get("/patronen", params={"per": "jaar", "van": "2023-12", "tot": "2025-11"}).text
    assert "blokkeert <strong>Wachtlijst</strong> de meeste casussen" in single


@pytest.mark.parametrize("text", ["", "   \n\t ", "---\ntitel: x\n---\n\n  "])
def test_an_empty_draft_gets_no_brief(sample_client: TestClient, text: str) -> None:
    page = sample_client.post("/precedenten", data={"tekst": text})
    assert page.status_code == 422
    assert "plak eerst de tekst van het concept" in page.text
    assert "precedenten.md" not in page.text and 'name="formaat"' not in page.text
    api = sample_client.post("/api/precedents", json={"text": text})
    assert api.status_code == 422 and api.json()["code"] == "ongeldige-invoer"


def test_the_cli_names_a_partial_period_too(sample_kb: KnowledgeBase) -> None:
    """'leerlus patterns' compared 11 months of 2025 with 2024 without a word, and listed what
    suggestions add as raw codes."""
    from typer.testing import CliRunner

    from leerlus.cli import app

    env = {"LEERLUS_DATA_DIR": str(sample_kb.settings.data_dir), "COLUMNS": "200"}
    args = ["patterns", "--per", "jaar", "--van", "2023-12", "--tot", "2025-11"]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0
    assert "Let op, de periodes zijn niet even lang: 2023 telt alleen 2023-12 t/m 2023-12 (1 van 12 maanden)" in result.output
    assert "de periodes zijn niet even lang" in result.output.split("Trend tegen de vorige periode", 1)[1]
    added = CliRunner().invoke(app, [*args, "--inclusief-suggesties"], env=env).output
    assert "die voegen toe: " in added and "Wachtlijst +" in added and "aanbod.wachtlijst" not in added
