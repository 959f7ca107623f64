"""Shared fixtures: settings and knowledge bases on SQLite and on a private PostgreSQL server,
an in-process HTTP client logged in with a role, and a small hand-written corpus."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kb.access import ADMIN
from kb.knowledge import KnowledgeBase
from kb.settings import Settings
from tests.pgserver import PostgresServer, find_bindir

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CORPUS = Path(__file__).parent / "fixtures" / "corpus"
SAMPLE_CORPUS = ROOT / "content"
IN_CI = bool(os.environ.get("CI"))


_EXIT_STATUS: list[int] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _EXIT_STATUS.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave without tearing down the interpreter once pytest is done: freeing deduce's lookup
    structures object by object takes longer than many test files. The exit status is kept, so
    failures and "no tests" (5) still fail the run."""
    import sys

    if _EXIT_STATUS and os.environ.get("LEERLUS_SLOW_EXIT") != "1":
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_EXIT_STATUS[-1])


def require(condition: bool, reason: str) -> None:
    """Skip locally when a system dependency is missing, but fail in CI where it must exist."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI must provide it; see .ci/run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    bindir = find_bindir()
    require(bindir is not None, "PostgreSQL server binaries not found")
    assert bindir is not None
    server = PostgresServer(bindir)
    server.start()
    yield server
    server.stop()


_db_counter = itertools.count()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    """``None`` means the embedded default (SQLite in the data directory)."""
    if request.param == "sqlite":
        return None
    server: PostgresServer = request.getfixturevalue("pg_server")
    return server.create_database(f"leerlus_{os.getpid()}_{next(_db_counter)}")


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CORPUS, target)
    return target


@pytest.fixture
def make_settings(tmp_path: Path, content_dir: Path) -> Callable[..., Settings]:
    def factory(**overrides: object) -> Settings:
        values: dict[str, object] = {"data_dir": tmp_path / "data", "content_dir": content_dir}
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return factory


@pytest.fixture
def kb(make_settings: Callable[..., Settings], database_url: str | None) -> Iterator[KnowledgeBase]:
    """A knowledge base on the fixture corpus, on both database backends, not yet ingested."""
    knowledge = KnowledgeBase(make_settings(database_url=database_url))
    yield knowledge
    knowledge.close()


@pytest.fixture
def ingested(kb: KnowledgeBase) -> KnowledgeBase:
    from ingest.runner import ingest

    report = ingest(kb)
    assert report.ok, [str(i) for i in report.issues]
    return kb


@pytest.fixture(scope="session")
def sample_kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    """The real sample corpus from ``content/``, ingested once on SQLite."""
    from ingest.runner import ingest

    data = tmp_path_factory.mktemp("sample-data")
    knowledge = KnowledgeBase(Settings(data_dir=data, content_dir=SAMPLE_CORPUS))
    report = ingest(knowledge)
    assert report.ok, [str(i) for i in report.issues if i.is_error]
    yield knowledge
    knowledge.close()


_user_counter = itertools.count(1)
PASSWORD = "correct paard batterij niet"


def signed_in(app: Any, role: str = ADMIN, *, team: str | None = None, **options: Any) -> Any:
    """A ``TestClient`` for ``app`` as a fresh user with ``role`` (and ``team``), sending that
    user's API token, as a script would. Use it as a context manager like any ``TestClient``."""
    from fastapi.testclient import TestClient

    accounts = app.state.kb.accounts
    naam = f"{role}-{next(_user_counter)}"
    accounts.add(naam, role, team=team)
    token, _ = accounts.new_token(naam, "tests")
    client = TestClient(app, **options)
    client.headers["Authorization"] = f"Bearer {token}"
    client.user = naam  # type: ignore[attr-defined]
    return client


def logged_in(app: Any, role: str = ADMIN, *, team: str | None = None, **options: Any) -> Any:
    """A ``TestClient`` that logged in on ``/inloggen`` with a password, as a browser does: it holds
    a session cookie and must send the CSRF token of a page with every form (see :func:`csrf_of`)."""
    from fastapi.testclient import TestClient

    naam = f"{role}-{next(_user_counter)}"
    app.state.kb.accounts.add(naam, role, team=team, wachtwoord=PASSWORD)
    client = TestClient(app, **options)
    form = client.get("/inloggen")
    done = client.post(
        "/inloggen", data={"naam": naam, "wachtwoord": PASSWORD, "csrf_token": csrf_of(form.text)}, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    client.user = naam  # type: ignore[attr-defined]
    return client


def csrf_of(html: str) -> str:
    """The CSRF token in the first form of a page."""
    import re

    found = re.search(r'name="csrf_token" value="([^"]*)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


@pytest.fixture
def client(ingested: KnowledgeBase):  # type: ignore[no-untyped-def]
    from api.app import create_app

    with signed_in(create_app(ingested.settings, kb=ingested), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def own_kb(tmp_path: Path) -> Iterator[KnowledgeBase]:
    """A private copy of the sample corpus, ingested: for tests that write case files."""
    from ingest.runner import ingest

    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CORPUS, content)
    knowledge = KnowledgeBase(Settings(data_dir=tmp_path / "data", content_dir=content))
    assert ingest(knowledge).ok
    yield knowledge
    knowledge.close()
