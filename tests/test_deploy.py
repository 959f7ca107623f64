"""The deployment guide as files (``deploy/``): backup and restore are run, the compose file is read.

``deploy/backup.sh`` saves a knowledge base on a private PostgreSQL cluster (cases ingested with the
PostgreSQL search backend, a signal with its history, a saved search); ``deploy/restore.sh`` puts it
into an empty database and an empty folder. Then every table is compared row by row, sequences
included, the case folders byte by byte, and the restored knowledge base is used: doctor finds no
drift, search gives the same answers, a new signal gets a fresh number. The restore refuses a
database or folder that is not empty and a damaged backup. The compose file is checked for what
the guide promises: two nodes on PostgreSQL sharing one case folder, behind a TLS proxy.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import yaml

from ingest.doctor import check
from ingest.runner import ingest
from kb.knowledge import KnowledgeBase
from kb.search import make_request
from kb.settings import Settings
from tests.conftest import FIXTURE_CORPUS, ROOT
from tests.pgserver import PostgresServer

DEPLOY = ROOT / "deploy"


def _env(server: PostgresServer, database: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "LEERLUS_"))}
    env.update(PGHOST=str(server.socketdir), PGUSER="leerlus", PGDATABASE=database)
    env["PATH"] = f"{server.bindir}:{env.get('PATH', '/usr/bin:/bin')}"
    return env


def _run(script: str, server: PostgresServer, database: str, *args: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(DEPLOY / script), *map(str, args)],
        env=_env(server, database), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def _tables(server: PostgresServer, database: str) -> dict[str, str]:
    """Every table and sequence of the database with a digest of its full contents."""
    with psycopg.connect(host=str(server.socketdir), user="leerlus", dbname=database) as connection:
        names = [r[0] for r in connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        out = {}
        for name in names:
            rows = connection.execute(f'SELECT t::text FROM "{name}" t ORDER BY 1').fetchall()
            out[name] = hashlib.sha256("\n".join(r[0] for r in rows).encode()).hexdigest() + f" ({len(rows)})"
        for (name,) in connection.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"):
            out[f"seq {name}"] = str(connection.execute(f'SELECT last_value, is_called FROM "{name}"').fetchone())
        return out


def _files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def saved(pg_server: PostgresServer, tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """A knowledge base worth saving: (database, case folder, backup folder)."""
    database = f"bron_{os.getpid()}_{tmp_path.name[-10:].replace('-', '_')}"
    url = pg_server.create_database(database)
    content = tmp_path / "casussen"
    shutil.copytree(FIXTURE_CORPUS, content)
    knowledge = KnowledgeBase(
        Settings(data_dir=tmp_path / "data", content_dir=content, database_url=url, search_backend="postgresql")
    )
    try:
        assert ingest(knowledge).ok
        signal = knowledge.create_signal(
            titel="Geen budget voor logeeropvang", adressaat="gemeente-beleid",
            blokkades=["financiering.bekostiging"], casussen=["2023-02-schulden-huur"], wie="Teamleider West",
        )  # fmt: skip
        knowledge.move_signal(signal.id, "geagendeerd", "Teamleider West", "Op de agenda van het overleg.")
        knowledge.save_search("Wachtlijsten", make_request(query="wachtlijst", filters={"regio": ["Utrecht"]}))
    finally:
        knowledge.close()
    done = _run("backup.sh", pg_server, database, content, tmp_path / "reservekopieen")
    assert done.returncode == 0, done.stderr
    backup = Path(done.stdout.strip().splitlines()[-1])
    assert sorted(p.name for p in backup.iterdir()) == ["SHA256SUMS", "casussen.tar.gz", "database.dump"]
    yield database, content, backup


@pytest.mark.postgres
def test_a_backup_restores_into_an_empty_database_and_compares(
    pg_server: PostgresServer, saved: tuple[str, Path, Path], tmp_path: Path
) -> None:
    source, content, backup = saved
    target = f"herstel_{os.getpid()}_{tmp_path.name[-10:].replace('-', '_')}"
    url = pg_server.create_database(target)
    restored = tmp_path / "hersteld"
    done = _run("restore.sh", pg_server, target, backup, restored)
    assert done.returncode == 0, done.stderr
    before, after = _tables(pg_server, source), _tables(pg_server, target)
    assert {"case", "signal", "signal_event", "saved_search", "search_document"} <= set(before)
    assert after == before
    assert _files(restored) == _files(content)

    settings = Settings(data_dir=tmp_path / "data2", content_dir=restored, database_url=url, search_backend="postgresql")
    knowledge = KnowledgeBase(settings)
    try:
        assert check(knowledge) == []
        report = ingest(knowledge)
        assert report.ok and report.unchanged == 4 and not (report.added or report.updated or report.removed)
        assert [h.id for h in knowledge.search(make_request(query="thuiszitter")).hits][:1] == [
            "2021-05-thuiszitter-swv"
        ]
        old = knowledge.signals()
        assert [s.status for s in old] == ["geagendeerd"] and len(old[0].geschiedenis) == 2
        assert [s.naam for s in knowledge.saved_searches()] == ["Wachtlijsten"]
        new = knowledge.create_signal(
            titel="Wachtlijst jeugd-ggz", adressaat="gemeente-inkoop", blokkades=["aanbod.wachtlijst"],
            casussen=[], wie="Teamleider West",
        )
        assert new.id == old[0].id + 1
    finally:
        knowledge.close()


@pytest.mark.postgres
def test_a_restore_refuses_what_is_not_empty_or_not_whole(
    pg_server: PostgresServer, saved: tuple[str, Path, Path], tmp_path: Path
) -> None:
    source, _content, backup = saved
    into_source = _run("restore.sh", pg_server, source, backup, tmp_path / "leeg")
    assert into_source.returncode == 2 and "is niet leeg" in into_source.stderr
    empty = f"leeg_{os.getpid()}_{tmp_path.name[-10:].replace('-', '_')}"
    pg_server.create_database(empty)
    full = tmp_path / "vol"
    full.mkdir()
    (full / "iets.md").write_text("x", encoding="utf-8")
    into_full = _run("restore.sh", pg_server, empty, backup, full)
    assert into_full.returncode == 2 and "casusmap" in into_full.stderr and "niet leeg" in into_full.stderr
    damaged = tmp_path / "beschadigd"
    shutil.copytree(backup, damaged)
    archive = damaged / "casussen.tar.gz"
    archive.write_bytes(archive.read_bytes()[:-10] + b"0123456789")
    broken = _run("restore.sh", pg_server, empty, damaged, tmp_path / "leeg")
    assert broken.returncode == 2 and "beschadigd" in broken.stderr
    assert _tables(pg_server, empty) == {} and not (tmp_path / "leeg").exists()


def test_compose_runs_two_nodes_on_postgresql_behind_a_tls_proxy() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    nodes = [services["app-a"], services["app-b"]]
    for node in nodes:
        env = node["environment"]
        assert env["LEERLUS_SEARCH_BACKEND"] == "postgresql"
        assert env["LEERLUS_DATABASE_URL"].startswith("postgresql+psycopg://") and "@db:5432/" in env["LEERLUS_DATABASE_URL"]
        assert set(env) <= {f"LEERLUS_{name.upper()}" for name in Settings.model_fields}
        assert f"casussen:{env['LEERLUS_CONTENT_DIR']}" in node["volumes"]  # one shared case folder
        assert "ports" not in node  # only the proxy is reachable from outside
    assert services["db"]["image"].startswith("postgres:")
    assert "443:443" in services["proxy"]["ports"]
    caddyfile = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    assert "reverse_proxy app-a:8000 app-b:8000" in caddyfile and "health_uri /api/status" in caddyfile
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("compose.yaml", "Caddyfile", "Dockerfile", "voorbeeld.env", "backup.sh", "restore.sh"):
        assert (DEPLOY / name).is_file() and f"deploy/{name}" in readme, name
