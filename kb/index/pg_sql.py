"""PostgreSQL search backend, SQL pieces: batched writes, filters, order and clause weights.

Kept apart from :mod:`kb.index.postgres` so each module stays small. Field and facet names are
interpolated into SQL only from the fixed lists in :mod:`kb.records`; every value is a bound
parameter.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from kb.index import pg_vocabulary
from kb.index.pg_query import Compiled
from kb.index.pg_schema import CONFIG, TABLE
from kb.index.pg_vocabulary import Vocabulary
from kb.index.understanding import Filters
from kb.records import MULTI_VALUED, SINGLE_VALUED, CaseRecord
from kb.search import SearchRequest

START, STOP, BETWEEN = "\ue0f0", "\ue0f1", "\ue0f2"  # ts_headline marks; private use, outside the link markers
COLUMNS = ("id", "hash", "titel", "body", "besluit", "lessen", "datum", *SINGLE_VALUED, *MULTI_VALUED)


def clause_idf(connection: Connection, compiled: Compiled, vocabulary: Vocabulary) -> list[float]:
    """Per clause the mean BM25 idf of its stems, so rare words weigh more than common ones."""
    texts = [" ".join(part.split("'")[1::2]) for part in (c.tsquery for c in compiled.clauses)]
    rows = connection.execute(
        text(
            f"SELECT t.i, tsvector_to_array(to_tsvector('{CONFIG}', t.x)) "
            "FROM unnest(CAST(:xs AS text[])) WITH ORDINALITY AS t(x, i)"
        ),
        {"xs": texts},
    ).all()
    stems = {int(i) - 1: list(found or ()) for i, found in rows}
    out = []
    for i in range(len(texts)):
        found = stems.get(i) or []
        out.append(sum(vocabulary.idf(s) for s in found) / len(found) if found else 0.0)
    return out


def filters(wanted: Filters, params: dict[str, Any]) -> list[str]:
    """SQL conditions for facet filters (case-insensitive, OR within a field) and the date range."""
    where = []
    for name, values in wanted.facets.items():
        params[f"f_{name}"] = list(values)
        if name in MULTI_VALUED:
            where.append(f"EXISTS (SELECT 1 FROM unnest(d.{name}) AS v WHERE lower(v) = ANY(:f_{name}))")
        else:
            where.append(f"lower(d.{name}) = ANY(:f_{name})")
    if wanted.van:
        params["van"] = wanted.van
        where.append('d.datum COLLATE "C" >= :van')
    if wanted.tot:
        params["tot"] = wanted.tot
        where.append('left(d.datum, length(:tot)) COLLATE "C" <= :tot')
    return where


def order(request: SearchRequest, compiled: Compiled) -> str:
    ranked = compiled.match is not None
    newest = "d.datum DESC, d.id"
    if request.sort == "aangehaald":
        return f"cited DESC, {'score DESC, ' if ranked else ''}{newest}"
    if request.sort == "datum" or not ranked:
        return f"d.datum DESC, {'score DESC, ' if ranked else ''}d.id"
    return f"score DESC, {newest}"


class PostgresBatch:
    """Writes of one batch, applied in order by :meth:`PostgresIndex.writer`."""

    def __init__(self) -> None:
        self._steps: list[tuple[str, Any]] = []

    def put(self, record: CaseRecord) -> None:
        row: dict[str, Any] = {
            "id": record.id,
            "hash": record.content_hash,
            "titel": record.titel,
            "body": record.body_text,
            "besluit": record.besluit or "",
            "lessen": record.lessen_text,
            "datum": record.datum,
        }
        for name in SINGLE_VALUED:
            values = record.facet_values(name)
            row[name] = values[0] if values else None
        for name in MULTI_VALUED:
            row[name] = list(record.facet_values(name))
        self._steps.append(("put", row))

    def delete(self, ids: Iterable[str]) -> None:
        self._steps.append(("delete", list(ids)))

    def apply(self, connection: Connection, generation: int) -> None:
        """Apply the writes in order, counting the touched cases' words out of the vocabulary before
        and in after (:mod:`kb.index.pg_vocabulary`), stamped with ``generation``."""
        touched: list[str] = []
        for kind, payload in self._steps:
            touched.extend([payload["id"]] if kind == "put" else payload)
        pg_vocabulary.count(connection, touched, -1, generation)
        self._write(connection)
        pg_vocabulary.count(connection, touched, 1, generation)

    def _write(self, connection: Connection) -> None:
        columns = ", ".join(COLUMNS)
        values = ", ".join(f":{c}" for c in COLUMNS)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS if c != "id")
        upsert = text(f"INSERT INTO {TABLE} ({columns}) VALUES ({values}) ON CONFLICT (id) DO UPDATE SET {updates}")
        pending: list[dict[str, Any]] = []
        for kind, payload in [*self._steps, ("end", None)]:
            if kind == "put":
                pending.append(payload)
                continue
            if pending:
                connection.execute(upsert, pending)
                pending = []
            if kind == "delete" and payload:
                connection.execute(text(f"DELETE FROM {TABLE} WHERE id = ANY(:ids)"), {"ids": payload})
