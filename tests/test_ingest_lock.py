"""One ingest at a time across nodes: the PostgreSQL advisory lock of :mod:`ingest.runlock`.

Two ``leerlus ingest`` processes (two "nodes": separate data folders, one case folder, one private
PostgreSQL cluster) are started while a third session holds the lock, so both are seen waiting in
``pg_locks`` before it is released. Then exactly one of them writes every case and the other finds
them all unchanged: had they run at once, both would have seen an empty store and written
everything. A run that waits too long stops with a Dutch message naming the node holding the lock.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from ingest.runlock import INGEST_LOCK, IngestBusy, lock_is_free
from ingest.runner import case_files, ingest
from kb.knowledge import KnowledgeBase
from kb.settings import Settings
from tests.conftest import ROOT, SAMPLE_CORPUS
from tests.pgserver import PostgresServer

WAIT_LIMIT = 120.0  # seconds any loop here waits before the test fails


@pytest.fixture
def database(pg_server: PostgresServer, tmp_path: Path) -> tuple[str, str]:
    """A fresh database: (SQLAlchemy URL, its name)."""
    name = f"slot_{os.getpid()}_{tmp_path.name[-12:].replace('-', '_')}"
    return pg_server.create_database(name), name


@pytest.fixture
def holder(pg_server: PostgresServer, database: tuple[str, str]) -> Iterator[psycopg.Connection]:
    """Another node's session, holding the ingest lock until the test releases it."""
    connection = psycopg.connect(
        host=str(pg_server.socketdir), user="leerlus", dbname=database[1], autocommit=True,
        application_name="leerlus-inlezen knooppunt-b pid 4242",
    )  # fmt: skip
    connection.execute("SELECT pg_advisory_lock(%s)", (INGEST_LOCK,))
    yield connection
    connection.close()


def _waiting(holder: psycopg.Connection) -> int:
    row = holder.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
        "AND classid = (%s::bigint >> 32)::oid AND objid = (%s::bigint & 4294967295)::oid",
        (INGEST_LOCK, INGEST_LOCK),
    ).fetchone()
    return int(row[0]) if row else 0


def _node_env(url: str, data: Path, content: Path, wait: float) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEERLUS_")}
    env.update(
        LEERLUS_DATABASE_URL=url,
        LEERLUS_SEARCH_BACKEND="postgresql",
        LEERLUS_DATA_DIR=str(data),
        LEERLUS_CONTENT_DIR=str(content),
        LEERLUS_INGEST_WAIT_SECONDS=str(wait),
    )
    return env


def _ingest_process(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "leerlus", "ingest"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _summary(stdout: str) -> tuple[int, int]:
    """(new, unchanged) from the line "Klaar: N nieuw, ... M ongewijzigd, ..."."""
    found = re.search(r"Klaar: (\d+) nieuw, \d+ bijgewerkt, \d+ verwijderd, (\d+) ongewijzigd", stdout)
    assert found, stdout
    return int(found.group(1)), int(found.group(2))


@pytest.mark.postgres
def test_two_nodes_ingest_one_after_the_other(
    database: tuple[str, str], holder: psycopg.Connection, tmp_path: Path
) -> None:
    url = database[0]
    cases = len(list(case_files(SAMPLE_CORPUS)))
    nodes = [
        _ingest_process(_node_env(url, tmp_path / f"knooppunt-{n}", SAMPLE_CORPUS, WAIT_LIMIT)) for n in "ab"
    ]
    try:
        deadline = time.monotonic() + WAIT_LIMIT
        while _waiting(holder) < 2:  # both nodes reached the lock and wait for it
            assert time.monotonic() < deadline, "de twee inleesprocessen kwamen niet bij de vergrendeling"
            assert all(node.poll() is None for node in nodes), [node.communicate() for node in nodes]
            time.sleep(0.2)
        holder.execute("SELECT pg_advisory_unlock(%s)", (INGEST_LOCK,))
        outputs = [node.communicate(timeout=WAIT_LIMIT * 3) for node in nodes]
    finally:
        for node in nodes:
            if node.poll() is None:
                node.kill()
                node.wait(timeout=30)
    assert [node.returncode for node in nodes] == [0, 0], outputs
    summaries = sorted(_summary(stdout) for stdout, _stderr in outputs)
    assert summaries == [(0, cases), (cases, 0)], outputs  # one wrote everything, the other nothing
    knowledge = KnowledgeBase(Settings(data_dir=tmp_path / "lezer", database_url=url, search_backend="postgresql"))
    try:
        assert len(knowledge.stored_files()) == cases and knowledge.index.doc_count() == cases
        assert lock_is_free(knowledge.engine)
    finally:
        knowledge.close()


@pytest.mark.postgres
def test_a_run_that_waits_too_long_names_the_other_node(
    database: tuple[str, str], holder: psycopg.Connection, tmp_path: Path, content_dir: Path
) -> None:
    env = _node_env(database[0], tmp_path / "data", content_dir, 0.5)
    done = subprocess.run(
        [sys.executable, "-m", "leerlus", "ingest"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 2, done
    assert "de casusmap wordt al ingelezen door leerlus-inlezen knooppunt-b pid 4242" in done.stderr
    assert "Traceback" not in done.stderr

    settings = Settings(
        data_dir=tmp_path / "data", content_dir=content_dir, database_url=database[0],
        search_backend="postgresql", ingest_wait_seconds=0.2,
    )  # fmt: skip
    knowledge = KnowledgeBase(settings)
    try:
        with pytest.raises(IngestBusy) as busy:
            ingest(knowledge)
        assert busy.value.status == 503 and busy.value.code == "inlezen-bezet"
        assert knowledge.stored_files() == {} and not lock_is_free(knowledge.engine)
        holder.execute("SELECT pg_advisory_unlock(%s)", (INGEST_LOCK,))
        report = ingest(knowledge)  # the lock is free again, and this run's connection gave it back
        assert report.ok and len(report.added) == 4 and lock_is_free(knowledge.engine)
        assert ingest(knowledge).unchanged == 4
    finally:
        knowledge.close()


def test_sqlite_takes_no_database_lock(tmp_path: Path, content_dir: Path) -> None:
    knowledge = KnowledgeBase(Settings(data_dir=tmp_path / "data", content_dir=content_dir))
    try:
        assert lock_is_free(knowledge.engine) and ingest(knowledge).ok
    finally:
        knowledge.close()
