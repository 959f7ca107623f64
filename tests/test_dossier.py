"""The expertteam's adviesdossier (issue 15, first slice): earlier advice on the same boundary,
side by side, rows left out or added, facts gated and never stored."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kb.advice import DECISION_KINDS
from kb.knowledge import KnowledgeBase
from tests.conftest import signed_in

FACTS = (
    "Jongen van 14 met een ernstige verstandelijke beperking. Het CIZ wees de Wlz-aanvraag af omdat de "
    "beperking niet blijvend zou zijn; de gemeente vindt dat de zorg levenslang nodig is en niet onder de Jeugdwet valt."
)


@pytest.fixture(scope="module")
def client(sample_kb: KnowledgeBase) -> Iterator[TestClient]:
    with signed_in(create_app(sample_kb.settings, kb=sample_kb)) as c:
        yield c


def test_facts_propose_the_boundary_and_every_row_is_on_it(client: TestClient, sample_kb: KnowledgeBase) -> None:
    body = client.post("/api/dossier", json={"feiten": FACTS}).json()
    assert body["grens"] == "grens.jeugdwet-wlz" and body["grens"] in body["voorgesteld"]
    rows = body["rijen"]
    assert len(rows) >= 3
    for row in rows:
        case = sample_kb.case(row["id"])
        assert case.soort in DECISION_KINDS and "grens.jeugdwet-wlz" in case.blokkades
        assert "zelfde grens: Grens Jeugdwet – Wlz" in row["redenen"]
    expected = {
        h.id
        for h in sample_kb.cases(filters={"blokkades": ["grens.jeugdwet-wlz"]}, limit=100).data
        if h.soort in DECISION_KINDS
    }
    assert {r["id"] for r in rows} == expected
    assert "| Casus |" in body["markdown"] and rows[0]["id"] in body["markdown"]


def test_rows_can_be_left_out_and_added(client: TestClient) -> None:
    first = client.post("/api/dossier", json={"grens": "grens.jeugdwet-wlz"}).json()["rijen"]
    gone = first[0]["id"]
    other = "2020-02-thuiszitter-autisme-swv"
    body = client.post("/api/dossier", json={"grens": "grens.jeugdwet-wlz", "zonder": [gone], "met": [other]}).json()
    ids = [r["id"] for r in body["rijen"]]
    assert gone not in ids and other in ids and body["zonder"] == [gone]
    added = next(r for r in body["rijen"] if r["id"] == other)
    assert "toegevoegd door het expertteam" in added["redenen"]
    assert client.post("/api/dossier", json={"grens": "grens.jeugdwet-wlz", "met": ["bestaat-niet"]}).status_code == 404
    assert client.post("/api/dossier", json={"grens": "geen.code"}).status_code == 422
    assert client.post("/api/dossier", json={}).status_code == 422  # no facts and no boundary


def test_facts_with_personal_data_are_refused_and_not_kept(client: TestClient, sample_kb: KnowledgeBase) -> None:
    before = len(sample_kb.stored_files())
    response = client.post("/api/dossier", json={"feiten": "Moeder Sandra de Vries belt 06-12345678. " + FACTS})
    assert response.status_code == 422 and response.json()["code"] == "persoonsgegevens"
    assert "Sandra" not in response.json().get("redacted", {}).get("body", "")
    assert len(sample_kb.stored_files()) == before


def test_the_page_shows_the_table_and_leaves_a_row_out(client: TestClient) -> None:
    page = client.post("/dossier", data={"feiten": FACTS})
    assert page.status_code == 200 and "Grens Jeugdwet – Wlz" in page.text and 'class="data dossier-table"' in page.text
    first = page.text.split('<tr data-casus="', 2)[1].split('"', 1)[0]
    again = client.post("/dossier", data={"feiten": FACTS, "grens": "grens.jeugdwet-wlz", "zonder": first})
    assert f'<tr data-casus="{first}"' not in again.text and "Weggelaten" in again.text
    download = client.post("/dossier", data={"grens": "grens.jeugdwet-wlz", "formaat": "md"})
    assert download.headers["content-type"].startswith("text/markdown") and "# Adviesdossier" in download.text
    assert client.get("/dossier").status_code == 200
