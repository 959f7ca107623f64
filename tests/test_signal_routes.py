"""Signals through the JSON API and the web pages: create, move, refuse, keep what was typed,
personal data in signal text, and export/import over HTTP."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kb.knowledge import KnowledgeBase

SIGNAL = {
    "titel": "Eén budget voor zorg op school",
    "adressaat": "samenwerkingsverband",
    "blokkades": ["grens.jeugdwet-onderwijs"],
    "casussen": ["2021-05-thuiszitter-swv"],
    "wie": "Teamleider",
}


def test_api_signal_lifecycle(client: TestClient) -> None:
    created = client.post("/api/signals", json=SIGNAL)
    assert created.status_code == 201, created.text
    signal = created.json()
    assert created.headers["location"] == f"/api/signals/{signal['id']}"
    assert (signal["status"], signal["toegestaan"]) == ("nieuw", ["geagendeerd", "niet-opgepakt"])

    forbidden = client.post(f"/api/signals/{signal['id']}/status", json={"naar": "opgelost", "wie": "Teamleider"})
    assert forbidden.status_code == 409
    assert forbidden.json()["code"] == "ongeldige-overgang"

    for naar in ("geagendeerd", "in-behandeling", "opgelost"):
        moved = client.post(f"/api/signals/{signal['id']}/status", json={"naar": naar, "wie": "Beleid"})
        assert moved.status_code == 200 and moved.json()["status"] == naar
    history = client.get(f"/api/signals/{signal['id']}").json()["geschiedenis"]
    assert [e["naar"] for e in history] == ["nieuw", "geagendeerd", "in-behandeling", "opgelost"]
    assert [s["id"] for s in client.get("/api/signals", params={"status": "opgelost"}).json()] == [signal["id"]]
    assert client.get("/api/signals", params={"status": "nieuw"}).json() == []


def test_api_refuses_personal_data_in_signal_text(client: TestClient) -> None:
    refused = client.post(
        "/api/signals", json={**SIGNAL, "toelichting": "Moeder Annelies Verbeek belde op 06-12345678."}
    )
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "persoonsgegevens" and "toelichting" in body["velden"]
    assert "Verbeek" not in body["redacted"]["toelichting"]
    assert client.get("/api/signals").json() == []


def test_api_errors_are_dutch(client: TestClient) -> None:
    assert client.get("/api/signals/999").json()["detail"] == "signaal #999 bestaat niet"
    bad = client.post("/api/signals", json={**SIGNAL, "adressaat": "paus"})
    assert bad.status_code == 422 and "adressaat 'paus' is onbekend" in bad.json()["detail"]


def test_web_signal_from_a_lesson_keeps_input_on_refusal(client: TestClient) -> None:
    form = client.get("/signalen/nieuw", params={"casus": "2021-05-thuiszitter-swv", "les": "1"})
    assert form.status_code == 200
    assert 'value="Maak één budget voor zorg op school."' in form.text
    assert 'value="2021-05-thuiszitter-swv#1"' in form.text
    assert 'value="grens.jeugdwet-onderwijs" checked' in form.text

    data = {
        "titel": "Maak één budget voor zorg op school.",
        "adressaat": "",
        "blokkades": ["grens.jeugdwet-onderwijs"],
        "casussen": "2021-05-thuiszitter-swv",
        "toelichting": "Samen met het samenwerkingsverband uitwerken.",
        "wie": "Teamleider West",
        "bron_les": "2021-05-thuiszitter-swv#1",
    }
    refused = client.post("/signalen", data=data)
    assert refused.status_code == 422
    assert "Kies een adressaat" in refused.text
    for typed in (
        "Samen met het samenwerkingsverband uitwerken.",
        'value="Teamleider West"',
        'value="grens.jeugdwet-onderwijs" checked',
    ):
        assert typed in refused.text

    saved = client.post("/signalen", data={**data, "adressaat": "samenwerkingsverband"}, follow_redirects=False)
    assert saved.status_code == 303
    assert "leerlus_wie" not in saved.headers.get("set-cookie", "")  # no cookie: the logged-in user decides
    page = client.get(saved.headers["location"])
    assert "aangemaakt door Teamleider West" in page.text  # the role typed in the who-field
    assert "Signaal opgeslagen" in page.text and "Geagendeerd" in page.text

    twice = client.post("/signalen", data={**data, "adressaat": "samenwerkingsverband"})
    assert twice.status_code == 409 and "al een signaal" in twice.text
    case_page = client.get("/casus/2021-05-thuiszitter-swv").text
    assert "maak er een signaal van" not in case_page  # the lesson now shows its signal instead
    assert saved.headers["location"].split("?")[0] in case_page


def test_web_status_form_refuses_and_keeps_note(client: TestClient) -> None:
    signal_id = client.post("/api/signals", json=SIGNAL).json()["id"]
    refused = client.post(
        f"/signalen/{signal_id}/status", data={"naar": "niet-opgepakt", "wie": "Manager", "notitie": ""}
    )
    assert refused.status_code == 422 and "Licht toe" in refused.text
    kept = client.post(
        f"/signalen/{signal_id}/status", data={"naar": "opgelost", "wie": "Manager", "notitie": "Mijn lange notitie"}
    )
    assert kept.status_code == 409 and "Mijn lange notitie" in kept.text
    moved = client.post(
        f"/signalen/{signal_id}/status", data={"naar": "geagendeerd", "wie": "Manager"}, follow_redirects=False
    )
    assert moved.status_code == 303
    assert "Geagendeerd" in client.get(f"/signalen/{signal_id}").text


def test_export_import_over_http(client: TestClient) -> None:
    client.post("/api/signals", json=SIGNAL)
    client.post("/api/searches", json={"naam": "Thuiszitters", "q": "thuiszitter"})
    exported = client.get("/api/export")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    again = client.post("/api/import", json=exported.json())
    assert again.json() == {"zoekopdrachten": 0, "signalen": 0, "overgeslagen": 2}
    bad = client.post("/api/import", json={"iets": 1})
    assert bad.status_code == 422 and "geen Leerlus-export" in bad.json()["detail"]


def test_home_page_counts_open_and_flagged_signals(client: TestClient, ingested: KnowledgeBase) -> None:
    from datetime import UTC, datetime

    from ingest.runner import ingest

    signal_id = client.post("/api/signals", json=SIGNAL).json()["id"]
    assert "1 open signaal" in client.get("/").text
    for naar in ("geagendeerd", "in-behandeling", "opgelost"):
        client.post(f"/api/signals/{signal_id}/status", json={"naar": naar, "wie": "Beleid"})
    home = client.get("/").text
    assert "0 open signalen" in home and "opnieuw gezien" not in home
    month = datetime.now(UTC).strftime("%Y-%m")
    (ingested.settings.content_dir / f"{month}-terug.md").write_text(
        f"---\ntitel: Weer thuis zonder school\nsoort: casusbespreking\ndatum: {month}\n"
        "blokkades: [grens.jeugdwet-onderwijs]\n---\n\nHet team bespreekt de jongen opnieuw.\n",
        encoding="utf-8",
    )
    assert ingest(ingested).ok
    assert "1 opnieuw gezien" in client.get("/").text
