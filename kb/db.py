"""Database engine and sessions for the store stage: SQLite (WAL) by default, any SQLAlchemy URL.

SQLite gets write-ahead logging and a busy timeout so a running server and a command-line
ingest can share the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

from kb import models  # noqa: F401  (registers the tables on SQLModel.metadata)

# Bump when a table changes. Every table is derived from the case files, so a store with another
# version is emptied and rebuilt by the next ingest instead of migrated.
SCHEMA_VERSION = "2"


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` and make sure the tables exist."""
    connect_args: dict[str, Any] = {}
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"check_same_thread": False, "timeout": 30}
    engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    _ensure_schema(engine)
    return engine


def _ensure_schema(engine: Engine) -> None:
    """Create the tables; drop and recreate them when they were made by another schema version."""
    if inspect(engine).has_table("case"):
        with Session(engine) as session:
            stored = session.get(models.Meta, "schema") if inspect(engine).has_table("leerlus_meta") else None
        if stored is None or stored.value != SCHEMA_VERSION:
            SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        session.merge(models.Meta(key="schema", value=SCHEMA_VERSION))
        session.commit()


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
