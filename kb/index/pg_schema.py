"""PostgreSQL search index, storage: the table, the Dutch text search configuration, the GIN index.

Every case is one row of ``search_document`` with its text fields, its facet values (text and
text arrays) and two generated ``tsvector`` columns:

- ``tsv``: titel (weight A), besluit (B), lessen (C) and body (D), analysed by the configuration
  ``leerlus_nl``: PostgreSQL's ``dutch`` (Snowball stemmer and stop words) with ``unaccent`` in
  front, so ``geindiceerd`` finds ``geïndiceerd``. A GIN index serves ``@@``.
- ``words``: the same text with the ``simple`` configuration (lower case, no stemming), whose
  vocabulary feeds "Bedoelde u" suggestions, fuzzy retries and compounds typed apart.

``search_state`` keeps the schema version and a generation counter bumped by every committed
write, so a process knows when its cached vocabulary is stale; the vocabulary itself is a table
kept up to date by every write (:mod:`kb.index.pg_vocabulary`). Creating ``unaccent`` needs a
privileged role; without it the configuration is built without it and a Dutch warning says what
is lost. The table is derived from the case files: another version is dropped and refilled by
the next ingest, like the case tables in :mod:`kb.db`.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from kb.index import pg_vocabulary
from kb.records import MULTI_VALUED, SINGLE_VALUED

log = logging.getLogger(__name__)

CONFIG = "leerlus_nl"
TABLE = "search_document"
TABLES = (TABLE, "search_state", pg_vocabulary.TABLE)  # derived and versioned here, not by kb.migrations
VERSION = "1"
FIELD_WEIGHTS = {"titel": "A", "besluit": "B", "lessen": "C", "body": "D"}
# Serialises schema setup between application nodes starting at the same time.
SETUP_LOCK = 0x1EE2_0019
NO_UNACCENT = (
    "zoeken in PostgreSQL: de extensie 'unaccent' kon niet worden aangemaakt ({reason}); accenten tellen "
    "daardoor mee bij zoeken ('geindiceerd' vindt 'geïndiceerd' niet). Laat een beheerder eenmalig "
    "'CREATE EXTENSION unaccent;' uitvoeren in deze database en start Leerlus opnieuw."
)


def _tsvector(config: str) -> str:
    parts = [
        f"setweight(to_tsvector('{config}'::regconfig, coalesce({name}, '')), '{weight}')"
        for name, weight in FIELD_WEIGHTS.items()
    ]
    return " || ".join(parts)


def _create_table(connection: Connection) -> None:
    facets = [f"{name} text" for name in SINGLE_VALUED] + [
        f"{name} text[] NOT NULL DEFAULT '{{}}'" for name in MULTI_VALUED
    ]
    words = "to_tsvector('simple'::regconfig, titel || ' ' || body || ' ' || besluit || ' ' || lessen)"
    connection.execute(
        text(
            f"""CREATE TABLE {TABLE} (
                id text PRIMARY KEY,
                hash text NOT NULL,
                titel text NOT NULL DEFAULT '',
                body text NOT NULL DEFAULT '',
                besluit text NOT NULL DEFAULT '',
                lessen text NOT NULL DEFAULT '',
                datum text NOT NULL DEFAULT '',
                {", ".join(facets)},
                tsv tsvector GENERATED ALWAYS AS ({_tsvector(CONFIG)}) STORED,
                words tsvector GENERATED ALWAYS AS ({words}) STORED
            )"""
        )
    )
    connection.execute(text(f"CREATE INDEX {TABLE}_tsv ON {TABLE} USING gin (tsv)"))
    connection.execute(text(f"CREATE INDEX {TABLE}_blokkades ON {TABLE} USING gin (blokkades)"))
    connection.execute(text(f"CREATE INDEX {TABLE}_datum ON {TABLE} (datum)"))


def _unaccent(connection: Connection) -> str | None:
    """Create ``unaccent`` if it is missing; the reason it could not be, or ``None``."""
    if connection.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")).first():
        return None
    savepoint = connection.begin_nested()
    try:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent"))
    except DBAPIError as error:
        savepoint.rollback()
        return type(error.orig).__name__ if error.orig is not None else "onbekende fout"
    savepoint.commit()
    return None


def _configuration(connection: Connection, with_unaccent: bool) -> None:
    found = connection.execute(text("SELECT 1 FROM pg_ts_config WHERE cfgname = :name"), {"name": CONFIG}).first()
    if found:
        return
    connection.execute(text(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.dutch)"))
    if with_unaccent:
        connection.execute(
            text(
                f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING FOR "
                "asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH unaccent, dutch_stem"
            )
        )


def ensure_schema(engine: Engine) -> list[str]:
    """Create (or rebuild, on another version) the search table; Dutch notes on what is missing."""
    notes: list[str] = []
    with engine.begin() as connection:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SETUP_LOCK})
        reason = _unaccent(connection)
        if reason is not None:
            notes.append(NO_UNACCENT.format(reason=reason))
            log.warning(notes[-1])
        version = f"{VERSION}{'' if reason else '+unaccent'}"
        connection.execute(text("CREATE TABLE IF NOT EXISTS search_state (name text PRIMARY KEY, value text NOT NULL)"))
        stored = connection.execute(text("SELECT value FROM search_state WHERE name = 'schema'")).scalar()
        exists = connection.execute(text("SELECT to_regclass(:t) IS NOT NULL"), {"t": TABLE}).scalar()
        rebuilt = stored != version or not exists
        if rebuilt:
            connection.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))
            connection.execute(text(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}"))
            _configuration(connection, with_unaccent=reason is None)
            _create_table(connection)
            connection.execute(
                text(
                    "INSERT INTO search_state (name, value) VALUES ('schema', :v) "
                    "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value"
                ),
                {"v": version},
            )
        # The generation only ever grows (also over a rebuild), so a cached vocabulary is never
        # mistaken for a current one.
        connection.execute(
            text("INSERT INTO search_state (name, value) VALUES ('generatie', '0') ON CONFLICT (name) DO NOTHING")
        )
        vocabulary = connection.execute(text("SELECT to_regclass(:t) IS NOT NULL"), {"t": pg_vocabulary.TABLE}).scalar()
        if rebuilt or not vocabulary:  # also a search table of a release before the vocabulary table
            pg_vocabulary.create(connection, pg_vocabulary.begin_write(connection))
    return notes


def generation(connection: Connection) -> str:
    return str(connection.execute(text("SELECT value FROM search_state WHERE name = 'generatie'")).scalar())
