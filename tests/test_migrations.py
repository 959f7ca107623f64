"""Migrations with alembic (kb.migrations), on SQLite and on a private PostgreSQL cluster.

- A fresh database upgraded to the newest revision equals the models: alembic's autogenerate
  comparison finds no difference, and the audit log's triggers are there.
- The baseline revision makes exactly the schema the previous release made: tables, columns,
  types, keys, indexes, constraints and triggers, compared with a database built from the DDL that
  release ran (captured from it into ``tests/data/vorige_release``).
- A database of the previous release with rows in every table (users, API tokens, the audit log,
  signals with their history, saved searches, review decisions, obligations, the meta table and the
  case tables) is adopted without losing or changing a row, and works: the token signs in, the
  password logs in, the audit chain verifies and grows, its triggers still refuse an update.
- A database at a revision this version does not know is refused, and nothing changes.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from kb import audit, migrations
from kb.accounts import _hasher, token_hash
from kb.db import make_engine
from kb.errors import LeerlusError
from kb.knowledge import KnowledgeBase
from kb.settings import Settings
from tests.pgserver import PostgresServer

RELEASE = Path(__file__).parent / "data" / "vorige_release"
TOKEN = "llt_" + "oudetoken" * 5
PASSWORD = "een wachtwoord van de vorige versie"
_databases = itertools.count()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def new_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A factory of URLs of empty databases on one backend."""

    def make() -> str:
        n = next(_databases)
        if request.param == "sqlite":
            return f"sqlite:///{tmp_path / f'db{n}.sqlite3'}"
        server: PostgresServer = request.getfixturevalue("pg_server")
        return server.create_database(f"migratie_{os.getpid()}_{n}")

    yield make  # type: ignore[misc]


def previous_release(url: str) -> None:
    """An empty database set up exactly as the previous release set it up (its captured DDL)."""
    engine = create_engine(url)
    statements = (RELEASE / f"{engine.dialect.name}.sql").read_text(encoding="utf-8").split(";\n\n")
    with engine.begin() as connection:
        for statement in statements:
            if statement.strip():
                connection.exec_driver_sql(statement.strip().rstrip(";"))
    engine.dispose()


def fill(url: str) -> None:
    """Rows in every table, as the previous release would have written them."""
    engine = create_engine(url)
    when = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    with engine.begin() as connection:

        def put(name: str, *rows: dict[str, Any]) -> None:
            table = Table(name, MetaData(), autoload_with=connection)
            connection.execute(table.insert(), list(rows))

        put("app_user",
            dict(naam="beheerder-oud", rol="admin", team=None, wachtwoord_hash=_hasher.hash(PASSWORD), actief=True,
                 lokaal=False, sessie_versie=3, aangemaakt=when),
            dict(naam="prof-west", rol="professional", team="Wijkteam West", wachtwoord_hash=None, actief=False,
                 lokaal=False, sessie_versie=1, aangemaakt=when))  # fmt: skip
        admin = connection.execute(text("SELECT id FROM app_user WHERE naam = 'beheerder-oud'")).scalar_one()
        put("api_token", dict(user_id=admin, label="script", prefix=TOKEN[:12], hash=token_hash(TOKEN),
                              aangemaakt=when, ingetrokken=None))  # fmt: skip
        put("saved_search", dict(slug="wachtlijsten", naam="Wachtlijsten", params="q=wachtlijst", aangemaakt=when))
        put("signal", dict(uid="a" * 32, titel="Geen budget voor logeeropvang", toelichting="Zie de casussen.",
                           blokkades=["financiering.bekostiging"], casussen=["2021-05-oud"], adressaat="gemeente-beleid",
                           status="in-behandeling", bron_les="2021-05-oud#1", aangemaakt=when, gewijzigd=when))  # fmt: skip
        signal = connection.execute(text("SELECT id FROM signal")).scalar_one()
        put("signal_event",
            dict(signal_id=signal, soort="aangemaakt", van=None, naar="nieuw", wie="Teamleider", notitie="",
                 casus="2021-05-oud", moment=when),
            dict(signal_id=signal, soort="status", van="nieuw", naar="in-behandeling", wie="Beleid",
                 notitie="Opgepakt.", casus=None, moment=when))  # fmt: skip
        put("blocker_review", dict(case_id="2021-05-oud", code="grens.jeugdwet-wlz", beslissing="bevestigd",
                                   wie="prof-west", confidence=0.82, evidence="Het CIZ wees af.", team="West",
                                   moment=when))  # fmt: skip
        put("obligation_event", dict(case_id="2021-05-oud", nummer=1, partij="gemeente", naar="nagekomen",
                                     wie="beheerder-oud", notitie="Betaald.", moment=when))  # fmt: skip
        previous = audit.GENESIS
        for n, actie in enumerate(("casus-lezen", "signaal-maken", "zoeken")):
            values = {"moment": f"2025-03-01T09:3{n}:00.000000Z", "wie": "beheerder-oud", "rol": "admin",
                      "actie": actie, "object": f"casus:{n}", "casussen": json.dumps(["2021-05-oud"]),
                      "uitkomst": "ok", "verzoek": f"v{n}", "adres": "127.0.0.1"}  # fmt: skip
            digest = audit.line_hash(values, previous)
            put("audit_log", {**values, "vorige_hash": previous, "hash": digest})
            previous = digest
        put("leerlus_meta", dict(key="wijzigingen", value="7"))
        put("case", dict(id="2021-05-oud", path="2021-05-oud.md", content_hash="f" * 64, titel="Oude casus",
                         soort="casusbespreking", datum="2021-05", jaar="2021", regio="Utrecht", team=None,
                         leeftijdscategorie="12-17", besluit="Maatwerk.", mandaat=None, uitkomst=None,
                         hulpvraag=["onderwijs"], wetten=["jeugdwet"], instanties=[], voorzieningen=[],
                         blokkades=["grens.jeugdwet-onderwijs"], suggesties=[], blokkades_afgewezen=[],
                         lessen_casus=["Vroeg overleggen."], lessen_systeem=[], verwijzingen=[], vraag=None,
                         grondslag=None, partijen=[], extra={}, body_markdown="Tekst.", body_html="<p>Tekst.</p>",
                         ingested_at=when))  # fmt: skip
        put("casetag", dict(case_id="2021-05-oud", veld="regio", waarde="Utrecht"))
        put("caselink", dict(source_id="2021-05-oud", target_id="2020-01-ander", via="verwijzingen"))
        put("mention", dict(case_id="2021-05-oud", label="WET", text="Jeugdwet", canonical="jeugdwet", start=0, end=8))
        put("blockerfinding", dict(case_id="2021-05-oud", code="grens.jeugdwet-onderwijs", source="voorgeschreven",
                                   evidence=None, start=None, end=None, confidence=None))  # fmt: skip
    engine.dispose()


def rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but alembic's own, in a fixed order."""
    engine = create_engine(url)
    out = {}
    with engine.connect() as connection:
        for name in sorted(inspect(connection).get_table_names()):
            if name != "alembic_version":
                found = connection.execute(text(f'SELECT * FROM "{name}"')).all()
                out[name] = sorted((tuple(row) for row in found), key=repr)
    engine.dispose()
    return out


def schema(url: str) -> dict[str, Any]:
    """The schema as the database reports it: per table its columns (type, nullability, default),
    primary key, foreign keys, indexes and unique constraints; and the triggers (with their code)."""
    engine = create_engine(url)
    out: dict[str, Any] = {}
    with engine.connect() as connection:
        inspector = inspect(connection)
        for name in sorted(inspector.get_table_names()):
            if name == "alembic_version":
                continue
            columns = [
                (c["name"], c["type"].compile(dialect=engine.dialect), c["nullable"], str(c.get("default")))
                for c in inspector.get_columns(name)
            ]
            foreign = sorted(
                (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                for f in inspector.get_foreign_keys(name)
            )
            indexes = sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in inspector.get_indexes(name))
            unique = sorted((u["name"] or "", tuple(u["column_names"])) for u in inspector.get_unique_constraints(name))
            primary = tuple(inspector.get_pk_constraint(name)["constrained_columns"])
            out[name] = {"kolommen": columns, "sleutel": primary, "verwijzingen": foreign, "indexen": indexes,
                         "uniek": unique}  # fmt: skip
        if engine.dialect.name == "sqlite":
            query = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        else:
            query = (
                "SELECT tgname, pg_get_triggerdef(t.oid) || ' ' || p.prosrc FROM pg_trigger t "
                "JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal"
            )
        out["triggers"] = sorted(tuple(row) for row in connection.execute(text(query)).all())
    engine.dispose()
    return out


def upgraded(url: str) -> Engine:
    return make_engine(url)


def test_a_fresh_database_at_the_newest_revision_equals_the_models(new_url: Any) -> None:
    url = new_url()
    engine = upgraded(url)
    try:
        state = migrations.status(engine)
        assert state.current == migrations.head() and state.up_to_date and not state.legacy
        assert migrations.differences(engine) == []
        names = {name for name, _sql in schema(url)["triggers"]}
        sqlite = {"audit_log_no_update", "audit_log_no_delete"}
        assert names == (sqlite if engine.dialect.name == "sqlite" else {"audit_log_append_only", "audit_log_no_truncate"})
        assert upgraded(url) is not None  # a second start changes nothing and does not fail
        assert migrations.upgrade(engine) == []
    finally:
        engine.dispose()


def test_the_baseline_makes_exactly_the_schema_of_the_previous_release(new_url: Any) -> None:
    old, fresh = new_url(), new_url()
    previous_release(old)
    before = schema(old)
    upgraded(fresh).dispose()
    assert schema(fresh) == before
    upgraded(old).dispose()
    assert schema(old) == before  # adopting it changed nothing either


def test_a_database_of_the_previous_release_loses_nothing(new_url: Any, tmp_path: Path) -> None:
    url = new_url()
    previous_release(url)
    fill(url)
    before = rows(url)
    assert all(before[name] for name in before), [name for name in before if not before[name]]

    probe = make_engine(url, upgrade=False)
    state = migrations.status(probe)
    assert state.legacy and state.current is None and not state.up_to_date
    probe.dispose()

    knowledge = KnowledgeBase(Settings(data_dir=tmp_path / "data", content_dir=tmp_path / "c", database_url=url))
    try:
        assert rows(url) == before
        state = migrations.status(knowledge.engine)
        assert state.current == migrations.head() and not state.legacy
        assert migrations.differences(knowledge.engine) == []

        user = knowledge.accounts.token_user(TOKEN)
        assert user is not None and user.naam == "beheerder-oud"
        assert knowledge.accounts.login("beheerder-oud", PASSWORD) is not None
        assert knowledge.accounts.session_user(user.id, 3) is not None  # sessions of before stay valid
        assert [s.naam for s in knowledge.saved_searches()] == ["Wachtlijsten"]
        (signal,) = knowledge.signals()
        assert signal.titel == "Geen budget voor logeeropvang" and len(signal.geschiedenis) == 2
        assert knowledge.case("2021-05-oud").titel == "Oude casus"

        verdict = knowledge.audit.verify()
        assert verdict.ok and verdict.lines == 3, verdict.problems
        knowledge.audit.append(audit.Event(wie="beheerder-oud", rol="admin", actie="zoeken"))
        knowledge.accounts.add("nieuw-na-migratie", "manager")  # the id sequences carry on
        assert knowledge.audit.verify().lines == 4 and knowledge.audit.verify().ok
        with pytest.raises(DBAPIError, match="alleen aangevuld"), knowledge.engine.begin() as connection:
            connection.execute(text("UPDATE audit_log SET wie = 'iemand anders'"))
        with pytest.raises(DBAPIError, match="alleen aangevuld"), knowledge.engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_log"))
    finally:
        knowledge.close()


def test_a_revision_this_version_does_not_know_is_refused(new_url: Any) -> None:
    url = new_url()
    previous_release(url)
    fill(url)
    upgraded(url).dispose()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    before = rows(url)
    with pytest.raises(LeerlusError, match="schemarevisie 9999"):
        make_engine(url)
    assert rows(url) == before


def test_the_db_commands_show_and_upgrade_the_schema_in_dutch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from leerlus.cli import app

    monkeypatch.setenv("LEERLUS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LEERLUS_CONTENT_DIR", str(tmp_path / "c"))
    url = f"sqlite:///{(tmp_path / 'data' / 'leerlus.sqlite3').resolve()}"
    (tmp_path / "data").mkdir()
    previous_release(url)
    fill(url)
    runner = CliRunner()
    before = runner.invoke(app, ["db", "status"], catch_exceptions=False)
    assert before.exit_code == 1, before.output
    assert "huidige revisie: geen" in before.output and "eerdere versie van Leerlus" in before.output
    done = runner.invoke(app, ["db", "upgrade"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert "database van een eerdere versie overgenomen" in done.output
    assert f"revisie: {migrations.head()}" in done.output
    again = runner.invoke(app, ["db", "upgrade"], catch_exceptions=False)
    assert "niets te doen" in again.output
    after = runner.invoke(app, ["db", "status", "--json"], catch_exceptions=False)
    assert after.exit_code == 0 and json.loads(after.output)["bijgewerkt"] is True


def test_processes_that_open_a_fresh_database_at_once_migrate_one_after_the_other(new_url: Any) -> None:
    """A server and a command (or two nodes) starting together on an empty database: each waits for
    the other's migration instead of creating the same tables a second time."""
    import threading

    url = new_url()
    errors: list[str] = []

    def start() -> None:
        try:
            make_engine(url).dispose()
        except Exception as error:  # any failure is the finding
            errors.append(repr(error)[:300])

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    engine = make_engine(url, upgrade=False)
    assert migrations.status(engine).up_to_date and migrations.differences(engine) == []
    engine.dispose()
