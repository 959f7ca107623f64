"""No side doors for personal data (#17): every route that stores text people typed (saved
searches, signals, status steps, ``wie``, import, the CLI import) sends it through the
anonymisation gate. Each is walked with a name after "moeder", a valid BSN and a phone number, and
afterwards none of them is in SQL, in a file under the data or content directory, or in the log."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from ingest.signal_gate import SignalTextRefused
from kb.knowledge import KnowledgeBase

PERSONAL = ("moeder Fatima Yilmaz", "111222333", "06-12345678")
SIGNAL = {
    "titel": "Eén budget voor zorg op school",
    "adressaat": "samenwerkingsverband",
    "blokkades": ["grens.jeugdwet-onderwijs"],
    "wie": "Teamleider",
}
EXPORT = {"formaat": "leerlus-gebruikersdata", "versie": 1, "zoekopdrachten": [], "signalen": []}
EVENT = {"soort": "aangemaakt", "van": None, "naar": "nieuw", "wie": "Teamleider", "notitie": "", "casus": None,
         "moment": "2024-01-01T09:00:00+00:00"}  # fmt: skip
IMPORTED = {**SIGNAL, "uid": "b" * 32, "toelichting": "", "casussen": [], "status": "nieuw", "bron_les": None,
            "aangemaakt": "2024-01-01T09:00:00+00:00", "gewijzigd": "2024-01-01T09:00:00+00:00",
            "geschiedenis": [EVENT]}  # fmt: skip
SEARCH = {"slug": "wachtlijst", "naam": "Wachtlijst", "params": "q=wachtlijst", "aangemaakt": "2024-01-01T00:00:00"}


def _signal_id(client: TestClient) -> int:
    created = client.post("/api/signals", json=SIGNAL)
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def _routes(value: str) -> list[tuple[str, Callable[[TestClient], object]]]:
    """Every write route, each carrying ``value`` in one of its text fields."""
    return [
        ("api zoekopdracht naam", lambda c: c.post("/api/searches", json={"naam": f"Zoek {value}"})),
        ("api zoekopdracht vraag", lambda c: c.post("/api/searches", json={"naam": "Vraag", "q": value})),
        ("api zoekopdracht filter", lambda c: c.post("/api/searches", json={"naam": "F", "filters": {"team": [value]}})),
        ("web zoekopdracht naam", lambda c: c.post("/zoekopdrachten", data={"naam": f"Zoek {value}", "params": ""})),
        ("web zoekopdracht vraag", lambda c: c.post("/zoekopdrachten", data={"naam": "Vraag", "params": f"q={value}"})),
        ("api signaal wie", lambda c: c.post("/api/signals", json={**SIGNAL, "wie": value})),
        ("api signaal titel", lambda c: c.post("/api/signals", json={**SIGNAL, "titel": f"Budget {value}"})),
        ("web signaal wie", lambda c: c.post("/signalen", data={**SIGNAL, "wie": value})),
        (
            "api stap wie",
            lambda c: c.post(f"/api/signals/{_signal_id(c)}/status", json={"naar": "geagendeerd", "wie": value}),
        ),
        (
            "web stap wie",
            lambda c: c.post(f"/signalen/{_signal_id(c)}/status", data={"naar": "geagendeerd", "wie": value}),
        ),
        (
            "import signaaltitel",
            lambda c: c.post("/api/import", json={**EXPORT, "signalen": [{**IMPORTED, "titel": f"Budget {value}"}]}),
        ),
        (
            "import wie",
            lambda c: c.post(
                "/api/import", json={**EXPORT, "signalen": [{**IMPORTED, "geschiedenis": [{**EVENT, "wie": value}]}]}
            ),
        ),
        (
            "import notitie",
            lambda c: c.post(
                "/api/import",
                json={**EXPORT, "signalen": [{**IMPORTED, "geschiedenis": [{**EVENT, "notitie": f"Belde {value}"}]}]},
            ),
        ),
        (
            "import zoekopdracht",
            lambda c: c.post("/api/import", json={**EXPORT, "zoekopdrachten": [{**SEARCH, "naam": f"Zoek {value}"}]}),
        ),
        (
            "import zoekvraag",
            lambda c: c.post("/api/import", json={**EXPORT, "zoekopdrachten": [{**SEARCH, "params": f"q={value}"}]}),
        ),
    ]


def _traces(kb: KnowledgeBase, value: str) -> list[str]:
    """Where ``value`` (or its most telling part) is found: SQL tables and files on disk."""
    needle = value.split()[-1]
    found = []
    with kb.engine.connect() as connection:
        for table in ("saved_search", "signal", "signal_event", "blocker_review"):
            for row in connection.execute(text(f"SELECT * FROM {table}")).all():  # noqa: S608
                if any(needle in str(cell) for cell in row):
                    found.append(f"tabel {table}")
    for root in (kb.settings.content_dir, kb.settings.data_dir / "index"):
        for path in Path(root).rglob("*"):
            if path.is_file() and needle.encode() in path.read_bytes():
                found.append(str(path))
    return found


@pytest.mark.parametrize("value", PERSONAL)
@pytest.mark.parametrize("route", range(len(_routes(""))), ids=[name for name, _ in _routes("")])
def test_every_write_route_refuses_personal_data(
    client: TestClient, ingested: KnowledgeBase, caplog: pytest.LogCaptureFixture, route: int, value: str
) -> None:
    name, call = _routes(value)[route]
    with caplog.at_level(logging.DEBUG):
        response = call(client)
    assert response.status_code == 422, (name, response.text)  # type: ignore[attr-defined]
    if name.startswith("api") or name.startswith("import"):
        assert response.json()["code"] == "persoonsgegevens"  # type: ignore[attr-defined]
    assert _traces(ingested, value) == [], name
    assert value.split()[-1] not in caplog.text
    assert "leerlus_wie" not in response.headers.get("set-cookie", "")  # type: ignore[attr-defined]


def test_roles_and_clean_names_still_pass(client: TestClient) -> None:
    assert client.post("/api/searches", json={"naam": "Thuiszitters in Utrecht", "q": "thuiszitter"}).status_code == 201
    step = client.post("/signalen", data={**SIGNAL, "wie": "Teamleider West"}, follow_redirects=False)
    assert step.status_code == 303
    signal = client.get("/api" + step.headers["location"].split("?")[0].replace("/signalen", "/signals")).json()
    assert signal["geschiedenis"][0]["wie"] == "Teamleider West"
    imported = client.post("/api/import", json={**EXPORT, "signalen": [IMPORTED], "zoekopdrachten": [SEARCH]})
    assert imported.json() == {"zoekopdrachten": 1, "signalen": 1, "overgeslagen": 0}


def test_cli_import_passes_the_gate(ingested: KnowledgeBase, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from leerlus.cli import app

    export = tmp_path / "export.json"
    export.write_text(json.dumps({**EXPORT, "signalen": [{**IMPORTED, "titel": "Budget moeder Fatima Yilmaz"}]}))
    settings = ingested.settings
    env = {"LEERLUS_DATA_DIR": str(settings.data_dir), "LEERLUS_CONTENT_DIR": str(settings.content_dir)}
    if settings.database_url:
        env["LEERLUS_DATABASE_URL"] = settings.database_url
    result = CliRunner().invoke(app, ["import", str(export)], env=env)
    assert isinstance(result.exception, SignalTextRefused), result.output  # main() prints it, exit code 2
    assert result.exception.kinds == {"signalen[0].titel": ["persoonsnaam"]}
    assert _traces(ingested, "Yilmaz") == []
