"""Alembic environment of the store stage: runs the revisions in ``kb/migrations/versions`` on the
connection :func:`kb.migrations.upgrade` hands over (never from an ini file or a URL of its own).

The target is the metadata of every SQL table (:mod:`kb.models`, :mod:`kb.userdata`). The search
backend's own tables on PostgreSQL (:mod:`kb.index.pg_schema`) are derived and versioned there, so
autogenerate and the comparison leave them alone. On SQLite, revisions alter tables in batch mode
(copy and rename), since SQLite cannot change most columns in place.
"""

from __future__ import annotations

from typing import Any

from alembic import context

from kb.migrations import target_metadata, tracked

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when someone runs plain `alembic`
    raise RuntimeError("kb.migrations draait alleen via 'leerlus db upgrade' (geen alembic.ini)")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return type_ != "table" or tracked(name)


context.configure(
    connection=connection,
    target_metadata=target_metadata(),
    render_as_batch=connection.dialect.name == "sqlite",
    include_object=include_object,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
