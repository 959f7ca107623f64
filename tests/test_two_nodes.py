"""Stateless application nodes: two real servers on one private PostgreSQL cluster.

Two ``leerlus serve`` processes (uvicorn, each on its own random port on 127.0.0.1, each with its
own data folder) share one database with the PostgreSQL search backend and one case folder, as
two nodes behind a load balancer would. A case written through one node is found through the other
at once: search, spelling help and fuzzy retry, the case page, the facets and the patterns, even
though the second node had already cached its vocabulary and patterns before the write. What
people make on one node (a saved search, a signal) is there on the other. Every wait is bounded.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

import httpx
import pytest

from ingest.parse import parse_case
from ingest.runner import ingest
from kb import store
from kb.knowledge import KnowledgeBase
from kb.search import make_request
from tests.conftest import FIXTURE_CORPUS, ROOT
from tests.pgserver import PostgresServer

_databases = itertools.count()
START_SECONDS = 240.0  # gate, pipeline and the start-up ingest of the first node, on a busy machine
NEW_CASE = {
    "titel": "Kangoeroezorg: een logeerhuis dat niemand wil betalen",
    "soort": "casusbespreking",
    "datum": "2025-04",
    "regio": "Twente",
    "blokkades": ["financiering.bekostiging"],
    "lessen": {"casus": ["Spreek vooraf af wie de kangoeroezorg betaalt."], "systeem": []},
    "tekst": "Het gezin vraagt kangoeroezorg in een logeerhuis. Gemeente en zorgkantoor wijzen naar elkaar.",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Node:
    """One application process: ``leerlus serve`` with its own data folder and port."""

    def __init__(self, name: str, url: str, data: Path, content: Path, logs: Path) -> None:
        self.name = name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = logs / f"{name}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEERLUS_")}
        env.update(
            LEERLUS_DATABASE_URL=url,
            LEERLUS_SEARCH_BACKEND="postgresql",
            LEERLUS_DATA_DIR=str(data),
            LEERLUS_CONTENT_DIR=str(content),
            LEERLUS_INGEST_WAIT_SECONDS=str(START_SECONDS),
        )
        with self.log.open("w", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "leerlus", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.http = httpx.Client(base_url=self.base, timeout=120.0, trust_env=False)

    def wait_ready(self, deadline: float) -> None:
        """Until the gate is loaded and the start-up ingest is done (or the deadline passes)."""
        while True:
            assert self.process.poll() is None, f"{self.name} stopte:\n{self.log.read_text(encoding='utf-8')}"
            assert time.monotonic() < deadline, f"{self.name} werd niet klaar:\n{self.log.read_text(encoding='utf-8')}"
            try:
                status = self.http.get("/api/status", timeout=5.0).json()
            except httpx.TransportError:
                status = {}
            if status.get("poort") == "geladen" and status.get("opstart", {}).get("fase") == "klaar":
                return
            time.sleep(0.5)

    def get(self, path: str, **params: Any) -> Any:
        response = self.http.get(path, params=params)
        assert response.status_code == 200, (self.name, path, response.text)
        return response.json()

    def stop(self) -> None:
        self.http.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def two_nodes(pg_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    """Both servers, started once for the tests of this module (the first test writes the case)."""
    tmp_path = tmp_path_factory.mktemp("knooppunten")
    url = pg_server.create_database(f"knooppunten_{os.getpid()}_{next(_databases)}")
    content = tmp_path / "content"  # one case folder, shared as a volume would be
    shutil.copytree(FIXTURE_CORPUS, content)
    nodes = (
        Node("knooppunt-a", url, tmp_path / "data-a", content, tmp_path),
        Node("knooppunt-b", url, tmp_path / "data-b", content, tmp_path),
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        for node in nodes:
            node.wait_ready(deadline)
        token = _admin_token(url, tmp_path / "data-cli", content)
        for node in nodes:  # one account in the shared database serves both nodes
            node.http.headers["Authorization"] = f"Bearer {token}"
        yield nodes
    finally:
        for node in nodes:
            node.stop()


def _admin_token(url: str, data: Path, content: Path) -> str:
    """An administrator and an API token made with the CLI in the shared database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEERLUS_")}
    env.update(LEERLUS_DATABASE_URL=url, LEERLUS_DATA_DIR=str(data), LEERLUS_CONTENT_DIR=str(content))
    leerlus = [sys.executable, "-m", "leerlus", "gebruikers"]
    added = subprocess.run(
        [*leerlus, "toevoegen", "knooppunt-beheer", "--rol", "admin", "--wachtwoord-stdin"],
        cwd=ROOT, env=env, input="een-lang-wachtwoord-voor-de-test\n", capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    token = subprocess.run(
        [*leerlus, "token", "knooppunt-beheer", "--label", "knooppunten"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert token.returncode == 0 and token.stdout.startswith("llt_"), token.stderr
    return token.stdout.strip()


@pytest.mark.postgres
def test_a_case_written_on_one_node_is_found_on_the_other_at_once(two_nodes: tuple[Node, Node]) -> None:
    a, b = two_nodes
    assert a.port != b.port
    # The second node answers and has cached what it derives from the cases before the write.
    assert b.get("/api/search", q="kangoeroezorg")["total"] == 0
    patterns_before = b.get("/api/patterns")["casussen"]
    assert b.get("/api/cases")["count"] == 4

    created = a.http.post("/api/cases", json=NEW_CASE)
    assert created.status_code == 201, created.text
    case_id = created.json()["id"]

    found = b.get("/api/search", q="kangoeroezorg")
    assert [hit["id"] for hit in found["hits"]] == [case_id] and found["total"] == 1
    assert any("<mark" in snippet for snippet in found["hits"][0]["snippets"])
    typo = b.get("/api/search", q="kangoerozorg")  # one letter missing: only the new case has the word
    assert typo["suggestion"] == "kangoeroezorg"
    assert typo["fuzzy"] and [hit["id"] for hit in typo["hits"]] == [case_id]
    assert b.get(f"/api/cases/{case_id}")["titel"] == NEW_CASE["titel"]
    assert b.get("/api/cases")["count"] == 5
    assert b.get("/api/facets")["facets"]["regio"]["Twente"] == 2
    assert b.get("/api/patterns")["casussen"] == patterns_before + 1


@pytest.mark.postgres
def test_what_people_make_on_one_node_is_on_the_other(two_nodes: tuple[Node, Node]) -> None:
    a, b = two_nodes
    saved = a.http.post("/api/searches", json={"naam": "Wachtlijsten in Utrecht", "q": "wachtlijst"})
    assert saved.status_code == 201, saved.text
    assert [s["naam"] for s in b.get("/api/searches")] == ["Wachtlijsten in Utrecht"]
    signal = b.http.post(
        "/api/signals",
        json={
            "titel": "Geen budget voor logeeropvang",
            "adressaat": "gemeente-beleid",
            "blokkades": ["financiering.bekostiging"],
            "wie": "Teamleider West",
        },
    )
    assert signal.status_code == 201, signal.text
    assert [s["titel"] for s in a.get("/api/signals")] == ["Geen budget voor logeeropvang"]


# -- in one process: two knowledge bases on one database stand for two nodes -------------------


def test_patterns_see_a_write_stamped_by_a_node_whose_clock_is_behind(
    make_settings: Any, database_url: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The patterns cache is keyed on a change counter in the database, not on the newest ingest
    moment: a node whose clock is behind stamps an older moment, and the count stays the same."""
    settings = make_settings(database_url=database_url)
    here, there = KnowledgeBase(settings), KnowledgeBase(settings)
    try:
        assert ingest(here).ok
        assert here.analyst().facts and "Groningen" not in _regions(here)
        monkeypatch.setattr(store, "datetime", _SlowClock)
        path = settings.content_dir / "2022-09-wlz-indicatie.md"
        path.write_text(path.read_text(encoding="utf-8").replace("regio: Twente", "regio: Groningen"), encoding="utf-8")
        assert ingest(there).updated == ["2022-09-wlz-indicatie"]
        assert "Groningen" in _regions(here)
    finally:
        here.close()
        there.close()


@pytest.mark.postgres
def test_spelling_help_knows_a_word_another_node_wrote_a_moment_ago(
    make_settings: Any, pg_server: PostgresServer
) -> None:
    """The vocabulary behind "Bedoelde u" and the fuzzy retry is keyed on the generation in the
    database, checked at every search (it used to be checked once a second)."""
    url = pg_server.create_database(f"woordenschat_{os.getpid()}_{next(_databases)}")
    settings = make_settings(database_url=url, search_backend="postgresql")
    here, there = KnowledgeBase(settings), KnowledgeBase(settings)
    try:
        assert ingest(here).ok
        assert here.search(make_request(query="kangoerozorg")).suggestion is None  # vocabulary cached now
        raw = "---\ntitel: Kangoeroezorg\nsoort: escalatie\ndatum: 2025-04\n---\nOver kangoeroezorg.\n"
        record = parse_case(raw.encode(), path="k.md", rel_path="k.md", taxonomy=there.taxonomy).record
        assert record is not None
        with there.index.writer() as batch:
            batch.put(record)
        result = here.search(make_request(query="kangoerozorg"))
        assert result.suggestion == "kangoeroezorg" and result.fuzzy and [h.id for h in result.hits] == ["k"]
    finally:
        here.close()
        there.close()


def _regions(kb: KnowledgeBase) -> set[str]:
    return {region for fact in kb.analyst().facts for region in fact.get("regio")}


class _SlowClock(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        return datetime(2001, 1, 1, tzinfo=tz)
