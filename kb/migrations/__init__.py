"""Schema migrations of the store stage, with alembic: ``leerlus db upgrade`` and ``leerlus db status``.

Every SQL table is made and changed by the revisions in ``kb/migrations/versions``, shipped inside
the package; ``alembic_version`` in the database names the revision it is at. Opening the store
(:func:`kb.db.make_engine`, so every command and ``leerlus serve``) upgrades to the newest revision
first; on PostgreSQL one node at a time.

- Tables of what people made (:mod:`kb.userdata`: users, API tokens, the audit log and its
  triggers, signals and their history, saved searches, review decisions, obligations) are changed in
  place by a revision that carries every row across.
- Tables derived from the case files (:mod:`kb.models`) may be dropped and recreated by a revision:
  the next ingest refills them. The search backend's tables on PostgreSQL are derived too and keep
  their own version (:mod:`kb.index.pg_schema`); alembic leaves them alone.
- A database made before alembic (no ``alembic_version``, tables already there) is adopted:
  :mod:`kb.migrations.legacy` brings it to the last schema of those releases, and the baseline
  revision only adds what is missing. A database at a revision this version does not know (made by a
  newer Leerlus) is refused before anything changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection, Engine

from kb.errors import LeerlusError
from kb.index.pg_schema import TABLES as SEARCH_TABLES
from kb.migrations import legacy

HERE = Path(__file__).resolve().parent


def target_metadata() -> MetaData:
    """The metadata of every table the revisions manage: the case tables and the user tables."""
    from sqlmodel import SQLModel

    from kb import models, userdata  # noqa: F401  (they register their tables)

    return SQLModel.metadata


def tracked(name: str | None) -> bool:
    """Whether alembic manages the table ``name`` (the search backend's own tables it does not)."""
    return name not in SEARCH_TABLES


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head() -> str:
    """The newest revision this version of Leerlus knows."""
    found = _script().get_current_head()
    assert found is not None
    return found


def current(connection: Connection) -> str | None:
    """The revision the database is at, or ``None`` (empty, or made before alembic)."""
    return MigrationContext.configure(connection).get_current_revision()


def _known(revision: str) -> bool:
    try:
        return _script().get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an id it cannot resolve
        return False


def at_head(engine: Engine) -> bool:
    """Whether the database is at :func:`head` already (the usual case at every start)."""
    with engine.connect() as connection:
        return current(connection) == head()


def upgrade(engine: Engine) -> list[str]:
    """Bring the database to :func:`head` in one transaction; Dutch notes on what changed (empty
    when it was already there). :class:`LeerlusError` for a revision this version does not know."""
    notes: list[str] = []
    with engine.begin() as connection:
        if legacy.is_legacy(connection):
            notes += legacy.adopt(connection)
            notes.append("database van een eerdere versie overgenomen; bestaande gegevens blijven staan")
        stored = current(connection)
        if stored is not None and not _known(stored):
            raise LeerlusError(
                f"de database staat op schemarevisie {stored}, die deze versie van Leerlus niet kent (nieuwste "
                f"bekende: {head()}); hij is waarschijnlijk gemaakt door een nieuwere versie. Er is niets gewijzigd.",
                code="schema-onbekend",
                status=500,
            )
        if stored != head():
            command.upgrade(_config(connection), "head")
            notes.append(f"databaseschema bijgewerkt van revisie {stored or 'geen'} naar {head()}")
    return notes


@dataclass(frozen=True)
class Status:
    """Where a database stands: its revision, the newest one, and whether it predates alembic."""

    database: str
    current: str | None
    head: str
    legacy: bool
    empty: bool

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    def to_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "huidige_revisie": self.current,
            "nieuwste_revisie": self.head,
            "bijgewerkt": self.up_to_date,
            "eerdere_versie": self.legacy,
            "leeg": self.empty,
        }

    def lines(self) -> list[str]:
        """The status in Dutch, one fact a line."""
        if self.up_to_date:
            verdict = "bijgewerkt"
        elif self.legacy:
            verdict = "gemaakt door een eerdere versie van Leerlus; 'leerlus db upgrade' neemt hem over"
        elif self.empty:
            verdict = "leeg; 'leerlus db upgrade' maakt de tabellen"
        else:
            verdict = "niet bijgewerkt; 'leerlus db upgrade' brengt hem naar de nieuwste revisie"
        return [
            f"database: {self.database}",
            f"huidige revisie: {self.current or 'geen'}",
            f"nieuwste revisie: {self.head}",
            f"stand: {verdict}",
        ]


def status(engine: Engine) -> Status:
    """The :class:`Status` of the database, read without changing anything."""
    from sqlalchemy import inspect

    with engine.connect() as connection:
        return Status(
            database=engine.url.render_as_string(hide_password=True),
            current=current(connection),
            head=head(),
            legacy=legacy.is_legacy(connection),
            empty=not inspect(connection).get_table_names(),
        )


def differences(engine: Engine) -> list[Any]:
    """What alembic's autogenerate finds between the database and the models (empty: they match)."""

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        return type_ != "table" or tracked(name)

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include, "target_metadata": target_metadata()}
        )
        return list(compare_metadata(context, target_metadata()))
