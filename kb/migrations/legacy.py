"""Adopting a database made before alembic (the store stage): Leerlus 0.1.0 and older.

Those releases made every table with ``create_all`` and kept two version numbers in
``leerlus_meta``: ``schema`` for the derived case tables (another number: emptied and refilled by the
next ingest) and ``gebruikersdata`` for the tables of :mod:`kb.userdata` (an older number: brought
forward in place, step by step). :func:`adopt` does what those releases would have done, so the
database is at their last schema (schema 4, gebruikersdata 5); the baseline revision then only adds
what is missing and alembic takes over. Nothing people entered is dropped.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from kb.errors import LeerlusError

LAST_SCHEMA = "4"
LAST_USER_SCHEMA = "5"
# The derived case tables of those releases, children first (they point at "case").
DERIVED = ("casetag", "caselink", "mention", "blockerfinding", "case")


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


def _new_tables_only(connection: Connection) -> None:
    """2 -> 3, 3 -> 4, 4 -> 5: new tables (reviews; obligations; users, tokens and the audit log),
    which the baseline revision creates."""


USER_STEPS: dict[str, Callable[[Connection], None]] = {
    "1": _add_signal_uid,
    "2": _new_tables_only,
    "3": _new_tables_only,
    "4": _new_tables_only,
}


def is_legacy(connection: Connection) -> bool:
    """A database with Leerlus tables and no ``alembic_version``: made by a release before alembic."""
    inspector = inspect(connection)
    return inspector.has_table("leerlus_meta") and not inspector.has_table("alembic_version")


def adopt(connection: Connection) -> list[str]:
    """Bring a database of an earlier release to the last schema before alembic; Dutch notes on
    what was done. Refuses (:class:`LeerlusError`) a user schema it does not know, before touching
    anything."""
    stored: dict[str, str] = {
        str(key): str(value) for key, value in connection.execute(text("SELECT key, value FROM leerlus_meta")).all()
    }
    notes: list[str] = []
    version = stored.get("gebruikersdata")
    if version is not None and version != LAST_USER_SCHEMA:
        steps = []
        while version != LAST_USER_SCHEMA:
            step = USER_STEPS.get(str(version))
            if step is None:
                raise LeerlusError(
                    f"de gebruikersgegevens hebben schemaversie {stored['gebruikersdata']}; deze versie van "
                    f"Leerlus kan die niet omzetten. Maak eerst een export met de versie die de database maakte.",
                    code="schema-onbekend",
                    status=500,
                )
            steps.append(step)
            version = str(int(version) + 1)
        for step in steps:
            step(connection)
        notes.append(f"gebruikersgegevens omgezet van schemaversie {stored['gebruikersdata']} naar {LAST_USER_SCHEMA}")
    if inspect(connection).has_table("case") and stored.get("schema") != LAST_SCHEMA:
        for name in DERIVED:
            connection.execute(text(f'DROP TABLE IF EXISTS "{name}"'))
        notes.append("casustabellen van een ouder schema leeggemaakt; de volgende inleesrun vult ze opnieuw")
    for key, value in (("schema", LAST_SCHEMA), ("gebruikersdata", LAST_USER_SCHEMA)):
        connection.execute(text("DELETE FROM leerlus_meta WHERE key = :key"), {"key": key})
        connection.execute(
            text("INSERT INTO leerlus_meta (key, value) VALUES (:key, :value)"), {"key": key, "value": value}
        )
    return notes
