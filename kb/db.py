"""Database engine and sessions for the store stage: SQLite (WAL) by default, any SQLAlchemy URL.

SQLite gets write-ahead logging and a busy timeout so a running server and a command-line
ingest can share the file.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel, create_engine, select

from kb import audit, models, userdata  # noqa: F401  (models and userdata register their tables)

# Bump when a case table changes. Those tables are derived from the case files, so a store with
# another version has them emptied and rebuilt by the next ingest instead of migrated.
SCHEMA_VERSION = "4"
DERIVED_TABLES = (models.Case, models.CaseTag, models.CaseLink, models.Mention, models.BlockerFinding)

# Serialises creating the tables between nodes that start at once on one PostgreSQL database.
SETUP_LOCK = 0x1EE2_0DB0

# Bump when a table in kb.userdata changes, and add a step to USER_MIGRATIONS that brings the
# previous version forward in place: what people entered is never dropped.
USER_SCHEMA_VERSION = "5"


def _add_signal_uid(connection: Connection) -> None:
    """1 -> 2: signals get a stable ``uid`` so export and import recognise them."""
    if not inspect(connection).has_table("signal"):
        return
    connection.execute(text("ALTER TABLE signal ADD COLUMN uid VARCHAR(32)"))
    for (signal_id,) in connection.execute(text("SELECT id FROM signal")).all():
        connection.execute(
            text("UPDATE signal SET uid = :uid WHERE id = :id"), {"uid": uuid.uuid4().hex, "id": signal_id}
        )
    connection.execute(text("CREATE UNIQUE INDEX ix_signal_uid ON signal (uid)"))


def _review_table(connection: Connection) -> None:
    """2 -> 3: the review record of suggested blockers is a new table; ``create_all`` makes it."""


def _obligation_table(connection: Connection) -> None:
    """3 -> 4: the compliance record of binding advice is a new table; ``create_all`` makes it."""


def _access_tables(connection: Connection) -> None:
    """4 -> 5: users, API tokens and the audit log are new tables; ``create_all`` makes them and
    :func:`kb.audit.protect` adds the triggers that keep the log append-only."""


USER_MIGRATIONS: dict[str, Callable[[Connection], None]] = {
    "1": _add_signal_uid,
    "2": _review_table,
    "3": _obligation_table,
    "4": _access_tables,
}


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` and make sure the tables exist."""
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
    with _one_node_at_a_time(engine):
        _ensure_schema(engine)
    return engine


@contextmanager
def _one_node_at_a_time(engine: Engine) -> Iterator[None]:
    """On PostgreSQL, hold :data:`SETUP_LOCK` for the block: application nodes that start at the
    same moment would otherwise create the same tables at once and one of them would fail."""
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


def _ensure_schema(engine: Engine) -> None:
    """Create missing tables. Case tables of another schema version are dropped and recreated;
    user tables of an older version are migrated step by step."""
    inspector = inspect(engine)
    stored: dict[str, str] = {}
    if inspector.has_table(models.Meta.__tablename__):
        with Session(engine) as session:
            stored = {m.key: m.value for m in session.exec(select(models.Meta)).all()}
    derived = [SQLModel.metadata.tables[str(model.__tablename__)] for model in DERIVED_TABLES]
    if inspector.has_table("case") and stored.get("schema") != SCHEMA_VERSION:
        SQLModel.metadata.drop_all(engine, tables=derived)
    user_version = stored.get("gebruikersdata")
    if user_version is not None and user_version != USER_SCHEMA_VERSION:
        _migrate_user_tables(engine, user_version)
    SQLModel.metadata.create_all(engine)
    with engine.begin() as connection:
        audit.protect(connection)
    with Session(engine) as session:
        session.merge(models.Meta(key="schema", value=SCHEMA_VERSION))
        session.merge(models.Meta(key="gebruikersdata", value=USER_SCHEMA_VERSION))
        session.commit()


def _migrate_user_tables(engine: Engine, version: str) -> None:
    """Run the migration steps from ``version`` up to :data:`USER_SCHEMA_VERSION` in one transaction."""
    with engine.begin() as connection:
        while version != USER_SCHEMA_VERSION:
            step = USER_MIGRATIONS.get(version)
            if step is None:
                raise RuntimeError(
                    f"de gebruikersgegevens hebben schemaversie {version}; deze versie van Leerlus kan die "
                    f"niet omzetten naar {USER_SCHEMA_VERSION}. Maak eerst een export met een oudere versie."
                )
            step(connection)
            version = str(int(version) + 1)


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
