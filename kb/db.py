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
    """Run the migrations (:mod:`kb.migrations`), one node at a time; Dutch notes on what changed."""
    with _one_node_at_a_time(engine):
        return migrations.upgrade(engine)


@contextmanager
def _one_node_at_a_time(engine: Engine) -> Iterator[None]:
    """On PostgreSQL, hold :data:`SETUP_LOCK` for the block: application nodes that start at the
    same moment would otherwise run the same migration at once and one of them would fail."""
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
