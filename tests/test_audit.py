"""The audit log (issue 16), on SQLite and PostgreSQL: every kind of read and write leaves exactly
one line naming who, role, action, object, cases, request and address, never case text; the
database refuses to change or remove a line; the hash chain finds a line changed behind its back,
also through ``leerlus audit controleer``; and ``leerlus audit --casus`` answers "who saw this case?"."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from kb.access import ADMIN, EXPERTTEAM, MANAGER, PROFESSIONAL
from kb.audit import GENESIS, Event
from kb.knowledge import KnowledgeBase
from tests.conftest import PASSWORD, csrf_of, signed_in

CASE = "2021-05-thuiszitter-swv"
ADVICE = """---
id: 2024-05-advies-zorg-in-de-klas
titel: "Bindend advies over zorg in de klas"
soort: bindend-advies
datum: 2024-05
team: Expertteam Utrecht
blokkades: [grens.jeugdwet-onderwijs]
vraag: "Wie betaalt de zorg in de klas?"
partijen:
  - partij: zorgkantoor
    verplichting: "financiert de zorg"
    uiterlijk: 2024-07
---
Het expertteam adviseert dat het zorgkantoor de zorg in de klas financiert.
"""


@pytest.fixture
def app(ingested: KnowledgeBase) -> Any:
    from api.app import create_app
    from ingest.runner import ingest

    (ingested.settings.content_dir / "advies.md").write_text(ADVICE, encoding="utf-8")
    assert ingest(ingested).ok
    return create_app(ingested.settings, kb=ingested)


def lines(kb: KnowledgeBase) -> list[dict[str, Any]]:
    found, _ = kb.audit.entries(limit=100_000)
    return found


def exactly_one(kb: KnowledgeBase, action: Callable[[], Any]) -> dict[str, Any]:
    before = len(lines(kb))
    answer = action()
    assert answer.status_code < 400, answer.text[:300]
    after = lines(kb)
    assert len(after) == before + 1, [(line["actie"], line["object"]) for line in after[: len(after) - before]]
    return after[0]


def test_every_kind_of_read_and_write_leaves_one_line(app: Any, ingested: KnowledgeBase) -> None:
    from kb.search import make_request

    ingested.save_search("Thuiszitters", make_request(query="thuiszitter"))
    case_text = ingested.case(CASE)
    with (
        signed_in(app, ADMIN) as admin,
        signed_in(app, MANAGER, team="Beleid") as manager,
        signed_in(app, EXPERTTEAM) as expert,
        signed_in(app, PROFESSIONAL, team="Buurtteam West") as professional,
    ):
        signal = manager.post(
            "/api/signals",
            json={
                "titel": "Geen plek",
                "adressaat": "zorgkantoor",
                "blokkades": ["grens.jeugdwet-wlz"],
                "casussen": [CASE],
            },
        )
        signal_id = signal.json()["id"]
        new_case = {
            "titel": "Wachtlijst opvoedondersteuning",
            "soort": "casusbespreking",
            "datum": "2024-04",
            "team": "Buurtteam West",
            "tekst": "Het gezin wacht op opvoedondersteuning.",
        }
        expected: list[tuple[TestClient, Callable[[TestClient], Any], str, str, list[str] | None]] = [
            (admin, lambda c: c.get(f"/casus/{CASE}"), "casus-lezen", f"casus:{CASE}", [CASE]),
            (professional, lambda c: c.get(f"/api/cases/{CASE}"), "casus-lezen", f"casus:{CASE}", [CASE]),
            (professional, lambda c: c.get(f"/api/cases/{CASE}/similar"), "vergelijkbaar", f"casus:{CASE}", None),
            (professional, lambda c: c.get("/zoeken", params={"q": "thuiszitter"}), "zoeken", "", None),
            (manager, lambda c: c.get("/api/search", params={"q": "thuiszitter"}), "zoeken", "", None),
            (manager, lambda c: c.get("/zoekopdrachten/thuiszitters/feed"), "feed", "zoekopdracht:thuiszitters", None),
            (admin, lambda c: c.get("/api/export"), "export", "", []),
            (manager, lambda c: c.get("/rapport.md", params={"van": "2021-01", "tot": "2024-12"}), "rapport", "", []),
            (
                manager,
                lambda c: c.post(f"/api/signals/{signal_id}/status", json={"naar": "geagendeerd"}),
                "signaal-status",
                f"signaal:{signal_id}",
                [CASE],
            ),
            (
                expert,
                lambda c: c.post(
                    "/api/cases/2024-05-advies-zorg-in-de-klas/verplichtingen/1/status", json={"naar": "nagekomen"}
                ),
                "verplichting-status",
                "casus:2024-05-advies-zorg-in-de-klas#1",
                ["2024-05-advies-zorg-in-de-klas"],
            ),
            (
                professional,
                lambda c: c.post("/api/cases", json=new_case),
                "casus-nieuw",
                "casus:2024-04-wachtlijst-opvoedondersteuning",
                ["2024-04-wachtlijst-opvoedondersteuning"],
            ),
            (
                professional,
                lambda c: c.post("/api/searches", json={"naam": "Wlz"}),
                "zoekopdracht-bewaren",
                "zoekopdracht:wlz",
                [],
            ),
            (admin, lambda c: c.delete("/api/searches/wlz"), "zoekopdracht-verwijderen", "zoekopdracht:wlz", []),
            (admin, lambda c: c.get("/api/audit", params={"casus": CASE}), "auditlog-lezen", "", []),
        ]
        for client, call, action, target, cases in expected:
            line = exactly_one(ingested, lambda: call(client))  # noqa: B023
            assert (line["wie"], line["actie"], line["object"], line["uitkomst"]) == (client.user, action, target, "ok")
            assert line["rol"] == client.user.split("-")[0] and line["adres"] == "testclient"
            assert len(line["verzoek"]) == 32
            if cases is not None:
                assert line["casussen"] == cases, action
            else:
                assert CASE in line["casussen"], action
        refused = exactly_one_refused(ingested, lambda: professional.get("/rapport"))
    assert refused["uitkomst"] == "geweigerd" and refused["actie"] == "rapport"
    everything = json.dumps(lines(ingested), ensure_ascii=False)
    for secret in (case_text.titel, "Het gezin wacht op opvoedondersteuning", "thuiszitter samen", "Geen plek"):
        assert secret not in everything  # never case text, queries or other free text


def exactly_one_refused(kb: KnowledgeBase, action: Callable[[], Any]) -> dict[str, Any]:
    before = len(lines(kb))
    action()
    after = lines(kb)
    assert len(after) == before + 1
    return after[0]


def test_logins_and_failed_logins_are_logged(app: Any, ingested: KnowledgeBase) -> None:
    ingested.accounts.add("m.devries", MANAGER, wachtwoord=PASSWORD)
    with TestClient(app) as browser:
        token = csrf_of(browser.get("/inloggen").text)
        form = {"naam": "m.devries", "wachtwoord": "niet goed", "csrf_token": token}
        failed = exactly_one_refused(ingested, lambda: browser.post("/inloggen", data=form))
        assert (failed["wie"], failed["actie"], failed["uitkomst"]) == ("m.devries", "inloggen", "mislukt")
        typo = exactly_one_refused(ingested, lambda: browser.post("/inloggen", data={**form, "naam": "Geheim123!"}))
        assert typo["wie"] == "(onbekende naam)"  # a password typed in the name field stays out of the log
        ok = exactly_one_refused(ingested, lambda: browser.post("/inloggen", data={**form, "wachtwoord": PASSWORD}))
        assert (ok["wie"], ok["rol"], ok["actie"], ok["uitkomst"], ok["object"]) == (
            "m.devries",
            "manager",
            "inloggen",
            "ok",
            "wachtwoord",
        )
        page = browser.get("/")
        out = exactly_one_refused(ingested, lambda: browser.post("/uitloggen", data={"csrf_token": csrf_of(page.text)}))
        assert (out["wie"], out["actie"]) == ("m.devries", "uitloggen")
    assert ingested.audit.verify().ok


def test_the_database_refuses_to_change_or_remove_a_line(ingested: KnowledgeBase) -> None:
    ingested.audit.append(Event(wie="a", rol="admin", actie="casus-lezen", casussen=[CASE]))
    for statement in ("UPDATE audit_log SET wie = 'b'", "DELETE FROM audit_log"):
        with pytest.raises((IntegrityError, DBAPIError)) as refused, ingested.engine.begin() as connection:
            connection.execute(text(statement))
        assert "alleen aangevuld" in str(refused.value)
    if ingested.engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="alleen aangevuld"), ingested.engine.begin() as connection:
            connection.execute(text("TRUNCATE audit_log"))
    assert [line["wie"] for line in lines(ingested)] == ["a"]


def test_the_chain_cannot_fork(ingested: KnowledgeBase) -> None:
    first = ingested.audit.append(Event(wie="a", rol="admin", actie="x"))
    assert first.vorige_hash == GENESIS
    second = ingested.audit.append(Event(wie="b", rol="admin", actie="y"))
    assert second.vorige_hash == first.hash
    with pytest.raises(IntegrityError), ingested.engine.begin() as connection:  # a second line after the first
        connection.execute(
            text(
                "INSERT INTO audit_log (moment, wie, rol, actie, object, casussen, uitkomst, verzoek, adres,"
                " vorige_hash, hash) VALUES ('2024', 'c', 'admin', 'z', '', '[]', 'ok', '', '', :previous, :own)"
            ),
            {"previous": first.hash, "own": "f" * 64},
        )


def _tamper(kb: KnowledgeBase, statement: str) -> None:
    """What someone with the database password could do: switch the guard off and edit."""
    with kb.engine.begin() as connection:
        if kb.engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            connection.execute(text(statement))
            connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER audit_log_no_update"))
            connection.execute(text("DROP TRIGGER audit_log_no_delete"))
            connection.execute(text(statement))


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("UPDATE audit_log SET wie = 'iemand-anders' WHERE id = 2", "regel 2: de inhoud past niet bij de hash"),
        ("DELETE FROM audit_log WHERE id = 2", "regel 3: wijst niet naar de regel ervoor"),
    ],
)
def test_controleer_finds_a_changed_or_removed_line(ingested: KnowledgeBase, statement: str, problem: str) -> None:
    from typer.testing import CliRunner

    from leerlus.cli import app as cli

    for who in ("a.jansen", "b.bakker", "c.smit"):
        ingested.audit.append(Event(wie=who, rol="professional", actie="casus-lezen", casussen=[CASE]))
    settings = ingested.settings
    env = {"LEERLUS_DATA_DIR": str(settings.data_dir), "LEERLUS_CONTENT_DIR": str(settings.content_dir)}
    if settings.database_url:
        env["LEERLUS_DATABASE_URL"] = settings.database_url
    good = CliRunner().invoke(cli, ["audit", "controleer"], env=env)
    assert good.exit_code == 0 and "De keten klopt: 3 regels" in good.output
    listed = CliRunner().invoke(cli, ["audit", "--casus", CASE, "--json"], env=env)
    assert [line["wie"] for line in json.loads(listed.output)["regels"]] == ["c.smit", "b.bakker", "a.jansen"]
    _tamper(ingested, statement)
    broken = CliRunner().invoke(cli, ["audit", "controleer", "--json"], env=env)
    assert broken.exit_code == 1
    verdict = json.loads(broken.output)
    assert verdict["ok"] is False and any(problem in p for p in verdict["problemen"]), verdict


def test_who_saw_this_case(ingested: KnowledgeBase) -> None:
    ingested.audit.append(Event(wie="a", rol="professional", actie="casus-lezen", casussen=[CASE]))
    ingested.audit.append(Event(wie="b", rol="manager", actie="zoeken", casussen=["2022-09-wlz-indicatie", CASE]))
    ingested.audit.append(Event(wie="c", rol="manager", actie="casus-lezen", casussen=["2021-05-thuiszitter"]))
    found, total = ingested.audit.entries(case_id=CASE)
    assert total == 2 and [line["wie"] for line in found] == ["b", "a"]
    assert ingested.audit.entries(case_id="2021_05-thuiszitter-swv")[1] == 0  # _ is no wildcard
    assert ingested.audit.entries(case_id="2021-05-thuiszitter")[1] == 1  # an id, not a prefix
