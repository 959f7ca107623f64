"""Database engine and sessions for the store stage: SQLite (WAL) by default, any SQLAlchemy URL.

SQLite gets write-ahead logging and a busy timeout so a running server and a command-line
ingest can share the file. Every engine made here has its schema at the newest alembic revision
(:mod:`kb.migrations`) before anyone uses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from kb import migrations, models, userdata  # noqa: F401  (models and userdata register their tables)

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows; one process at a time is then up to the user
    fcntl = None  # type: ignore[assignment]

# Serialises upgrading the schema between nodes that start at once on one PostgreSQL database.
SETUP_LOCK = 0x1EE2_0DB0


def make_engine(url: str, *, upgrade: bool = True) -> Engine:
    """Create an engine for ``url`` and, unless ``upgrade`` is false, bring its schema to the newest
    revision first (:func:`kb.migrations.upgrade`), so two commands still suffice."""
    connect_args: dict[str, Any] = {}
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"check_same_thread": False, "timeout": 30}
    # hide_parameters: an error message never carries the values of a statement (personal data).
    engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True, hide_parameters=True)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    if upgrade:
        upgrade_schema(engine)
    return engine


def upgrade_schema(engine: Engine) -> list[str]:
    """Run the migrations (:mod:`kb.migrations`), one process at a time; Dutch notes on what changed.
    A database already at the newest revision costs one query and no lock."""
    if migrations.at_head(engine):
        return []
    with _one_node_at_a_time(engine):
        return migrations.upgrade(engine)


@contextmanager
def _one_node_at_a_time(engine: Engine) -> Iterator[None]:
    """Hold a lock for the block: processes (application nodes, a server and a command) that open a
    fresh database at the same moment would otherwise run the same migration at once and all but
    one would fail. On PostgreSQL the advisory lock :data:`SETUP_LOCK`; on SQLite an exclusive
    ``flock`` on a file beside the database."""
    if engine.dialect.name == "sqlite":
        with _file_lock(engine.url.database):
            yield
        return
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SETUP_LOCK})
        connection.commit()
        try:
            yield
        finally:
            try:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SETUP_LOCK})
                connection.commit()
            except Exception:
                connection.invalidate()  # closing the session frees the lock; never pool it locked
                raise


@contextmanager
def _file_lock(database: str | None) -> Iterator[None]:
    if not database or database == ":memory:" or fcntl is None:
        yield
        return
    with open(f"{database}-migratie.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
