"""Correcting a stored case (issue 15): gated like a new case, written atomically over its own file,
refused when the file changed meanwhile, with the keys a form does not know kept. On SQLite and
PostgreSQL; files, SQL and index agree after every answer."""

from __future__ import annotations

from typing import Any

import yaml
from fastapi.testclient import TestClient

from ingest.doctor import check
from ingest.runner import ingest
from kb.knowledge import KnowledgeBase
from kb.search import make_request

NEW = {
    "titel": "Thuiszitter wacht op plek in het speciaal onderwijs",
    "soort": "casusbespreking",
    "datum": "2025-03",
    "regio": "Utrecht",
    "tekst": "## Situatie\nEen jongen van twaalf zit sinds de herfst thuis.\n",
    "blokkades": ["grens.jeugdwet-onderwijs"],
}


def _front(kb: KnowledgeBase, case_id: str) -> dict[str, Any]:
    text = (kb.settings.content_dir / f"{case_id}.md").read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---", 2)[1])  # type: ignore[no-any-return]


def _agree(kb: KnowledgeBase) -> None:
    assert check(kb) == []


def _created(client: TestClient) -> tuple[str, dict[str, Any]]:
    created = client.post("/api/cases", json=NEW)
    assert created.status_code == 201, created.text
    body = created.json()
    return body["id"], body


def test_api_correction_rewrites_the_file_and_keeps_unknown_keys(client: TestClient, ingested: KnowledgeBase) -> None:
    case_id, shown = _created(client)
    path = ingested.settings.content_dir / f"{case_id}.md"
    # a review decision added a key the form does not know; correcting must keep it
    text = path.read_text(encoding="utf-8").replace("---\n\n", "blokkades_afgewezen: [aanbod.wachtlijst]\n---\n\n", 1)
    path.write_text(text, encoding="utf-8")
    ingest(ingested)
    versie = client.get(f"/api/cases/{case_id}").json()["versie"]
    assert versie != shown["versie"]
    corrected = {**NEW, "besluit": "Het samenwerkingsverband zoekt binnen zes weken een plek", "versie": versie}
    corrected["tekst"] = NEW["tekst"] + "\nHij gaat na de voorjaarsvakantie naar een zorgboerderij.\n"
    answer = client.put(f"/api/cases/{case_id}", json=corrected)
    assert answer.status_code == 200, answer.text
    front = _front(ingested, case_id)
    assert front["besluit"].startswith("Het samenwerkingsverband")
    assert front["blokkades_afgewezen"] == ["aanbod.wachtlijst"]
    assert list(front)[:4] == ["id", "titel", "soort", "datum"]
    assert answer.json()["besluit"] == front["besluit"]
    assert ingested.search(make_request(query="zorgboerderij")).total == 1
    _agree(ingested)


def test_api_correction_refused_when_the_file_changed(client: TestClient, ingested: KnowledgeBase) -> None:
    case_id, shown = _created(client)
    path = ingested.settings.content_dir / f"{case_id}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nEen collega vulde dit aan.\n", encoding="utf-8")
    before = path.read_bytes()
    answer = client.put(f"/api/cases/{case_id}", json={**NEW, "uitkomst": "Gestart", "versie": shown["versie"]})
    assert answer.status_code == 409
    assert answer.json()["code"] == "gewijzigd"
    assert "gewijzigd" in answer.json()["detail"]
    assert path.read_bytes() == before


def test_api_correction_with_personal_data_stores_nothing(client: TestClient, ingested: KnowledgeBase) -> None:
    case_id, shown = _created(client)
    path = ingested.settings.content_dir / f"{case_id}.md"
    before = path.read_bytes()
    bad = {**NEW, "tekst": NEW["tekst"] + "Moeder Annelies Verbeek belt elke week.\n", "versie": shown["versie"]}
    answer = client.put(f"/api/cases/{case_id}", json=bad)
    assert answer.status_code == 422
    assert answer.json()["code"] == "persoonsgegevens"
    assert "[PERSOON-" in answer.json()["redacted"]["tekst"]
    assert path.read_bytes() == before
    assert ingested.search(make_request(query="Verbeek")).total == 0
    _agree(ingested)


def test_api_correction_keeps_id_and_refuses_unknown_fields(client: TestClient, ingested: KnowledgeBase) -> None:
    case_id, shown = _created(client)
    other_id = client.put(f"/api/cases/{case_id}", json={**NEW, "id": "iets-anders", "versie": shown["versie"]})
    assert other_id.status_code == 422
    assert "id" in other_id.json()["detail"]
    unknown = client.put(f"/api/cases/{case_id}", json={**NEW, "naleving": "ja", "versie": shown["versie"]})
    assert unknown.status_code == 422
    missing = client.put("/api/cases/bestaat-niet", json={**NEW, "versie": "x"})
    assert missing.status_code == 404


def test_a_file_with_comments_in_its_front_matter_is_not_rewritten(client: TestClient, ingested: KnowledgeBase) -> None:
    path = ingested.settings.content_dir / "2024-06-met-opmerking.md"
    path.write_text(
        "---\ntitel: Met opmerking\nsoort: casusbespreking  # nog controleren\ndatum: 2024-06\n---\n\nTekst.\n",
        encoding="utf-8",
    )
    ingest(ingested)
    versie = client.get("/api/cases/2024-06-met-opmerking").json()["versie"]
    before = path.read_bytes()
    answer = client.put("/api/cases/2024-06-met-opmerking", json={**NEW, "versie": versie})
    assert answer.status_code == 409
    assert answer.json()["code"] == "niet-te-bewerken"
    assert path.read_bytes() == before
    page = client.get("/casus/2024-06-met-opmerking/bewerken")
    assert page.status_code == 409
    assert "opmerkingen" in page.text


def test_web_correction_form_round_trip(client: TestClient, ingested: KnowledgeBase) -> None:
    case_id, _shown = _created(client)
    page = client.get(f"/casus/{case_id}/bewerken")
    assert page.status_code == 200
    assert "Casus corrigeren" in page.text
    assert NEW["titel"] in page.text
    assert f'action="/casus/{case_id}/bewerken"' in page.text
    versie = client.get(f"/api/cases/{case_id}").json()["versie"]
    assert f'name="versie" value="{versie}"' in page.text
    form = {**NEW, "blokkades": NEW["blokkades"], "uitkomst": "Hij is gestart op de zorgboerderij", "versie": versie}
    saved = client.post(f"/casus/{case_id}/bewerken", data=form, follow_redirects=False)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/casus/{case_id}?opgeslagen=1"
    assert _front(ingested, case_id)["uitkomst"] == "Hij is gestart op de zorgboerderij"
    # the same stale version again: refused, with everything typed still in the form
    stale = client.post(f"/casus/{case_id}/bewerken", data={**form, "uitkomst": "Anders"}, follow_redirects=False)
    assert stale.status_code == 409
    assert "gewijzigd" in stale.text
    assert 'value="Anders"' in stale.text or ">Anders<" in stale.text
    assert _front(ingested, case_id)["uitkomst"] == "Hij is gestart op de zorgboerderij"
    _agree(ingested)


def test_web_form_records_a_binding_advice_with_bound_parties(client: TestClient, ingested: KnowledgeBase) -> None:
    form = {
        "titel": "Bindend advies over verpleegkundige zorg in de klas",
        "soort": "bindend-advies",
        "datum": "2026-01",
        "vraag": "Wie betaalt de verpleegkundige zorg op school?",
        "grondslag": "Art. 3.2.1 Wlz",
        "partij_0": "zorgkantoor",
        "verplichting_0": "Financiert de verpleegkundige zorg in de klas.",
        "uiterlijk_0": "2026-03",
        "partij_1": "samenwerkingsverband",
        "verplichting_1": "Betaalt de aanpassing van het lokaal.",
        "uiterlijk_1": "2026-04",
        "partij_2": "",
        "verplichting_2": "",
        "uiterlijk_2": "",
        "tekst": "## Advies\nHet expertteam adviseert bindend.\n",
    }
    saved = client.post("/nieuw", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    case_id = saved.headers["location"].split("/casus/")[1].split("?")[0]
    front = _front(ingested, case_id)
    assert [p["partij"] for p in front["partijen"]] == ["zorgkantoor", "samenwerkingsverband"]
    assert front["partijen"][1]["uiterlijk"] == "2026-04"
    detail = client.get(f"/api/cases/{case_id}").json()
    assert [p["partij"] for p in detail["partijen"]] == ["zorgkantoor", "samenwerkingsverband"]
    # the correction form shows both parties and one can be corrected
    page = client.get(f"/casus/{case_id}/bewerken")
    assert 'name="verplichting_1" value="Betaalt de aanpassing van het lokaal."' in page.text
    wrong = client.post(f"/casus/{case_id}/bewerken", data={**form, "partij_1": "buurman", "versie": detail["versie"]})
    assert wrong.status_code == 422
    assert "buurman" in wrong.text
    assert [p["partij"] for p in _front(ingested, case_id)["partijen"]] == ["zorgkantoor", "samenwerkingsverband"]
