"""Baseline: the schema of Leerlus 0.1.0, the last release before alembic, on SQLite and PostgreSQL.

Every table exactly as that release made it with ``create_all``, plus the triggers that keep the
audit log append-only. A table that already exists is left as it is, so the same revision creates a
fresh database and adopts one the previous release made (its rows stay where they are; see
:mod:`kb.migrations.legacy` for what runs before). Nothing here may change once released: a new
schema is a new revision.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Text = sa.Text
JSON = sa.JSON
When = sa.DateTime(timezone=True)


def String(length: int | None = None) -> sa.String:  # noqa: N802 - reads like the type it is
    return sa.String(length=length)


def _column(name: str, type_: sa.types.TypeEngine | type, nullable: bool = False) -> sa.Column:
    return sa.Column(name, type_, nullable=nullable)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


# name -> (columns and constraints, indexes as (column, unique))
TABLES: dict[str, tuple[Callable[[], list[Any]], list[tuple[str, bool]]]] = {
    "saved_search": (
        lambda: [
            _column("slug", String(120)),
            _column("naam", String(120)),
            _column("params", Text()),
            _column("aangemaakt", When),
            sa.PrimaryKeyConstraint("slug"),
        ],
        [],
    ),
    "signal": (
        lambda: [
            _id(),
            _column("uid", String(32)),
            _column("titel", String(300)),
            _column("toelichting", Text()),
            _column("blokkades", JSON(), nullable=True),
            _column("casussen", JSON(), nullable=True),
            _column("adressaat", String(100)),
            _column("status", String(30)),
            _column("bron_les", String(300), nullable=True),
            _column("aangemaakt", When),
            _column("gewijzigd", When),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("uid"),
        ],
        [("bron_les", False), ("status", False)],
    ),
    "signal_event": (
        lambda: [
            _id(),
            _column("signal_id", sa.Integer()),
            _column("soort", String(30)),
            _column("van", String(30), nullable=True),
            _column("naar", String(30), nullable=True),
            _column("wie", String(120)),
            _column("notitie", Text()),
            _column("casus", String(200), nullable=True),
            _column("moment", When),
            sa.ForeignKeyConstraint(["signal_id"], ["signal.id"]),
            sa.PrimaryKeyConstraint("id"),
        ],
        [("moment", False), ("signal_id", False)],
    ),
    "blocker_review": (
        lambda: [
            _id(),
            _column("case_id", String(200)),
            _column("code", String(100)),
            _column("beslissing", String(20)),
            _column("wie", String(120)),
            _column("confidence", sa.Float(), nullable=True),
            _column("evidence", Text()),
            _column("team", String(200), nullable=True),
            _column("moment", When),
            sa.PrimaryKeyConstraint("id"),
        ],
        [("case_id", False), ("code", False), ("moment", False)],
    ),
    "obligation_event": (
        lambda: [
            _id(),
            _column("case_id", String(200)),
            _column("nummer", sa.Integer()),
            _column("partij", String(100)),
            _column("naar", String(30)),
            _column("wie", String(120)),
            _column("notitie", Text()),
            _column("moment", When),
            sa.PrimaryKeyConstraint("id"),
        ],
        [("case_id", False), ("moment", False)],
    ),
    "app_user": (
        lambda: [
            _id(),
            _column("naam", String(80)),
            _column("rol", String(20)),
            _column("team", String(200), nullable=True),
            _column("wachtwoord_hash", String(200), nullable=True),
            _column("actief", sa.Boolean()),
            _column("lokaal", sa.Boolean()),
            _column("sessie_versie", sa.Integer()),
            _column("aangemaakt", When),
            sa.PrimaryKeyConstraint("id"),
        ],
        [("naam", True)],
    ),
    "api_token": (
        lambda: [
            _id(),
            _column("user_id", sa.Integer()),
            _column("label", String(120)),
            _column("prefix", String(16)),
            _column("hash", String(64)),
            _column("aangemaakt", When),
            _column("ingetrokken", When, nullable=True),
            sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("hash"),
        ],
        [("user_id", False)],
    ),
    "audit_log": (
        lambda: [
            _id(),
            _column("moment", String(32)),
            _column("wie", String(80)),
            _column("rol", String(20)),
            _column("actie", String(40)),
            _column("object", String(300)),
            _column("casussen", Text()),
            _column("uitkomst", String(20)),
            _column("verzoek", String(64)),
            _column("adres", String(64)),
            _column("vorige_hash", String(64)),
            _column("hash", String(64)),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("vorige_hash"),
            sa.UniqueConstraint("hash"),
        ],
        [("actie", False), ("moment", False)],
    ),
    "leerlus_meta": (
        lambda: [_column("key", String(50)), _column("value", String()), sa.PrimaryKeyConstraint("key")],
        [],
    ),
    # Derived from the case files (kb.models): refilled by the next ingest when recreated.
    "case": (
        lambda: [
            _column("id", String(200)),
            _column("path", String(1000)),
            _column("content_hash", String(64)),
            _column("titel", String()),
            _column("soort", String(40)),
            _column("datum", String(10)),
            _column("jaar", String(4)),
            _column("regio", String(), nullable=True),
            _column("team", String(), nullable=True),
            _column("leeftijdscategorie", String(10), nullable=True),
            *(_column(name, Text(), nullable=True) for name in ("besluit", "mandaat", "uitkomst")),
            *(
                _column(name, JSON(), nullable=True)
                for name in (
                    "hulpvraag", "wetten", "instanties", "voorzieningen", "blokkades", "suggesties",
                    "blokkades_afgewezen", "lessen_casus", "lessen_systeem", "verwijzingen",
                )
            ),  # fmt: skip
            _column("vraag", Text(), nullable=True),
            _column("grondslag", Text(), nullable=True),
            _column("partijen", JSON(), nullable=True),
            _column("extra", JSON(), nullable=True),
            _column("body_markdown", Text()),
            _column("body_html", Text()),
            _column("ingested_at", When),
            sa.PrimaryKeyConstraint("id"),
        ],
        [("datum", False), ("jaar", False), ("path", True), ("regio", False), ("soort", False), ("team", False)],
    ),
    "casetag": (
        lambda: [
            _column("case_id", String(200)),
            _column("veld", String(40)),
            _column("waarde", String(200)),
            sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
            sa.PrimaryKeyConstraint("case_id", "veld", "waarde"),
        ],
        [("waarde", False)],
    ),
    "caselink": (
        lambda: [
            _column("source_id", String(200)),
            _column("target_id", String(200)),
            _column("via", String(20)),
            sa.ForeignKeyConstraint(["source_id"], ["case.id"]),
            sa.PrimaryKeyConstraint("source_id", "target_id"),
        ],
        [("target_id", False)],
    ),
    "mention": (
        lambda: [
            _id(),
            _column("case_id", String(200)),
            _column("label", String(20)),
            _column("text", String()),
            _column("canonical", String()),
            _column("start", sa.Integer()),
            _column("end", sa.Integer()),
            sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
            sa.PrimaryKeyConstraint("id"),
        ],
        [("canonical", False), ("case_id", False)],
    ),
    "blockerfinding": (
        lambda: [
            _id(),
            _column("case_id", String(200)),
            _column("code", String(100)),
            _column("source", String(20)),
            _column("evidence", Text(), nullable=True),
            _column("start", sa.Integer(), nullable=True),
            _column("end", sa.Integer(), nullable=True),
            _column("confidence", sa.Float(), nullable=True),
            sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
            sa.PrimaryKeyConstraint("id"),
        ],
        [("case_id", False), ("code", False)],
    ),
}

SQLITE_TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'het auditlog wordt alleen aangevuld'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'het auditlog wordt alleen aangevuld'); END""",
)
POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION leerlus_audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'het auditlog wordt alleen aangevuld';
END
$$ LANGUAGE plpgsql"""
POSTGRES_TRIGGERS = {
    "audit_log_append_only": "BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW",
    "audit_log_no_truncate": "BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT",
}


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    for name, (columns, indexes) in TABLES.items():
        if inspector.has_table(name):
            continue  # made by the previous release: adopted as it is
        op.create_table(name, *columns())
        for column, unique in indexes:
            op.create_index(f"ix_{name}_{column}", name, [column], unique=unique)
    _protect_audit_log(bind)


def _protect_audit_log(bind: sa.engine.Connection) -> None:
    """The triggers that refuse any UPDATE, DELETE (and on PostgreSQL TRUNCATE) of the audit log."""
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
        return
    if bind.dialect.name != "postgresql":
        return
    present = set(
        bind.execute(
            sa.text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass AND NOT tgisinternal")
        ).scalars()
    )
    if present >= set(POSTGRES_TRIGGERS):
        return
    op.execute(POSTGRES_FUNCTION)
    for name, when in POSTGRES_TRIGGERS.items():
        if name not in present:
            op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION leerlus_audit_log_append_only()")


def downgrade() -> None:
    raise NotImplementedError("de basisrevisie wordt niet teruggedraaid: dat zou gebruikersgegevens weggooien")
