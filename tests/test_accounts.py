"""Users, tokens and starting the server (issue 16): ``leerlus gebruikers`` in Dutch, passwords
only as argon2 hashes, tokens shown once and only hashed at rest, blocking that stops sessions and
tokens at once, and ``leerlus serve``: a one-time link on 127.0.0.1, a refusal on any other address
without accounts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from kb.errors import LeerlusError
from kb.knowledge import KnowledgeBase
from leerlus.cli import app as cli
from tests.conftest import PASSWORD, csrf_of

runner = CliRunner()


@pytest.fixture
def env(kb: KnowledgeBase) -> dict[str, str]:
    settings = kb.settings
    values = {"LEERLUS_DATA_DIR": str(settings.data_dir), "LEERLUS_CONTENT_DIR": str(settings.content_dir)}
    if settings.database_url:
        values["LEERLUS_DATABASE_URL"] = settings.database_url
    return values


def leerlus(env: dict[str, str], *args: str, stdin: str | None = None) -> Any:
    return runner.invoke(cli, list(args), env=env, input=stdin)


def test_users_on_the_command_line(kb: KnowledgeBase, env: dict[str, str]) -> None:
    added = leerlus(env, "gebruikers", "toevoegen", "A.Jansen", "--rol", "professional", "--team",
                    "Buurtteam Noordoost", "--wachtwoord-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "Gebruiker a.jansen toegevoegd als professional, team Buurtteam Noordoost." in added.output
    assert leerlus(env, "gebruikers", "toevoegen", "beheer", "--rol", "beheerder", "--zonder-wachtwoord").exit_code == 0
    listed = json.loads(leerlus(env, "gebruikers", "lijst", "--json").output)
    assert [(u["naam"], u["rol"], u["team"], u["actief"]) for u in listed] == [
        ("a.jansen", "professional", "Buurtteam Noordoost", True),
        ("beheer", "admin", None, True),
    ]
    with kb.engine.connect() as connection:
        stored = connection.execute(text("SELECT wachtwoord_hash FROM app_user WHERE naam = 'a.jansen'")).scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored

    for args, message in [
        (("toevoegen", "a.jansen", "--rol", "manager", "--zonder-wachtwoord"), "gebruiker 'a.jansen' bestaat al"),
        (("toevoegen", "x", "--rol", "baas", "--zonder-wachtwoord"), "ongeldig"),
        (("toevoegen", "nieuw", "--rol", "baas", "--zonder-wachtwoord"), "rol 'baas' is onbekend"),
        (("toevoegen", "kort", "--rol", "manager", "--wachtwoord-stdin"), "te kort: minstens 12 tekens"),
        (("blokkeren", "niemand"), "gebruiker 'niemand' bestaat niet"),
    ]:
        result = leerlus(env, "gebruikers", *args, stdin="kort\n")
        assert isinstance(result.exception, LeerlusError), result.output
        assert message in result.exception.detail


def test_a_token_is_shown_once_stored_hashed_and_revocable(kb: KnowledgeBase, env: dict[str, str]) -> None:
    from api.app import create_app

    leerlus(env, "gebruikers", "toevoegen", "script", "--rol", "manager", "--zonder-wachtwoord")
    made = json.loads(leerlus(env, "gebruikers", "token", "script", "--label", "rapport", "--json").output)
    token = made["token"]
    assert token.startswith("llt_") and len(token) > 40
    with kb.engine.connect() as connection:
        assert token not in str(connection.execute(text("SELECT * FROM api_token")).all())
    assert token not in leerlus(env, "gebruikers", "lijst").output
    app = create_app(kb.settings, kb=kb)
    with TestClient(app) as client:
        bearer = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/ik", headers=bearer).json()["naam"] == "script"
        revoked = leerlus(env, "gebruikers", "token", "script", "--intrekken", str(made["id"]))
        assert "is ingetrokken" in revoked.output
        refused = client.get("/api/ik", headers=bearer)
        assert refused.status_code == 401 and refused.json()["code"] == "ongeldig-token"
    actions = [line["actie"] for line in kb.audit.entries()[0]]
    assert actions[:3] == ["token-intrekken", "token-maken", "gebruiker-toevoegen"]


def test_blocking_stops_sessions_and_tokens_at_once(kb: KnowledgeBase, env: dict[str, str]) -> None:
    from api.app import create_app

    kb.accounts.add("m.smit", "manager", wachtwoord=PASSWORD)
    token, _ = kb.accounts.new_token("m.smit")
    with TestClient(create_app(kb.settings, kb=kb)) as browser:
        form = browser.get("/inloggen")
        browser.post("/inloggen", data={"naam": "m.smit", "wachtwoord": PASSWORD, "csrf_token": csrf_of(form.text)})
        assert browser.get("/patronen").status_code == 200
        assert leerlus(env, "gebruikers", "blokkeren", "m.smit").exit_code == 0
        assert browser.get("/patronen", follow_redirects=False).status_code == 303  # the session is over
        assert browser.get("/api/ik", headers={"Authorization": f"Bearer {token}"}).status_code == 401
        again = browser.post(
            "/inloggen", data={"naam": "m.smit", "wachtwoord": PASSWORD, "csrf_token": csrf_of(browser.get("/inloggen").text)}
        )
        assert again.status_code == 401 and "geblokkeerd" in again.text
        assert leerlus(env, "gebruikers", "blokkeren", "m.smit", "--opheffen").exit_code == 0
        assert browser.get("/api/ik", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_help_is_dutch(env: dict[str, str]) -> None:
    help_text = leerlus(env, "gebruikers", "--help").output
    for command in ("toevoegen", "lijst", "blokkeren", "token", "wachtwoord"):
        assert command in help_text
    assert "Gebruikers, rollen en API-tokens" in help_text and "Opdrachten" in help_text
    assert "controleer" in leerlus(env, "audit", "--help").output


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """``leerlus serve`` up to the moment it would serve: uvicorn and the background start-up stubbed."""
    import uvicorn

    from ingest.startup import Startup

    started: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: started.update(app=app, **kwargs))
    monkeypatch.setattr(Startup, "start", lambda self, *a, **k: None)
    return started


def test_a_server_on_the_network_refuses_to_start_without_accounts(
    env: dict[str, str], no_server: dict[str, Any]
) -> None:
    result = leerlus(env, "serve", "--host", "0.0.0.0", "--zonder-inlezen")
    assert isinstance(result.exception, LeerlusError) and no_server == {}
    assert "Leerlus luistert op 0.0.0.0 en is daar bereikbaar voor anderen, maar er zijn nog geen gebruikers" in (
        result.exception.detail
    )
    assert "leerlus gebruikers toevoegen NAAM --rol admin" in result.exception.detail


def test_a_server_on_the_network_starts_with_accounts_and_prints_no_link(
    kb: KnowledgeBase, env: dict[str, str], no_server: dict[str, Any]
) -> None:
    kb.accounts.add("beheer", "admin", wachtwoord=PASSWORD)
    result = leerlus(env, "serve", "--host", "0.0.0.0", "--port", "8123")
    assert result.exit_code == 0, result.output
    assert no_server["host"] == "0.0.0.0" and "inloglink" not in result.output.lower()
    assert kb.accounts.local_admin() is None


def test_make_run_on_loopback_prints_a_one_time_link(
    kb: KnowledgeBase, env: dict[str, str], no_server: dict[str, Any], tmp_path: Path
) -> None:
    result = leerlus(env, "serve", "--port", "8124")
    assert result.exit_code == 0, result.output
    [line] = [line for line in result.output.splitlines() if line.startswith("Inloggen als lokale beheerder")]
    link = line.split(": ", 1)[1]
    assert link.startswith("http://127.0.0.1:8124/inloggen/link/")
    path = link.removeprefix("http://127.0.0.1:8124")
    with TestClient(no_server["app"]) as browser:
        first = browser.get(path, follow_redirects=False)
        assert first.status_code == 303 and first.headers["location"] == "/"
        assert browser.get("/api/ik").json()["naam"] == "lokale-beheerder"
        assert browser.get("/audit").status_code == 200
    with TestClient(no_server["app"]) as stranger:
        reused = stranger.get(path)
        assert reused.status_code == 410 and "al gebruikt of verlopen" in reused.text
        assert stranger.get("/api/ik").status_code == 401
    again = leerlus(env, "serve", "--port", "8124")  # a restart prints a new link for the same administrator
    assert "Inloggen als lokale beheerder" in again.output and link not in again.output
    assert [u.naam for u in kb.accounts.users()] == ["lokale-beheerder"]


def test_servers_adding_the_same_user_at_once_get_a_dutch_409_not_a_crash(kb: KnowledgeBase) -> None:
    """Two servers on one fresh database, both on 127.0.0.1, each make the local administrator at
    start: the one that loses the race gets ``bestaat-al`` (and uses the other's), never a raw
    database error that stops the server."""
    import threading

    outcomes: list[str] = []
    start = threading.Barrier(6)

    def add() -> None:
        start.wait(timeout=30)
        try:
            kb.accounts.add("lokale-beheerder", "admin", lokaal=True)
            outcomes.append("gemaakt")
        except LeerlusError as error:
            outcomes.append(error.code)
        except Exception as error:  # any other failure is the finding
            outcomes.append(repr(error)[:200])

    threads = [threading.Thread(target=add) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["bestaat-al"] * 5 + ["gemaakt"]
    assert [u.naam for u in kb.accounts.users()] == ["lokale-beheerder"]
