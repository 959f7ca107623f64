"""PostgreSQL full-text search backend for the index and search stages, for deployments.

The same contract as :class:`kb.index.backend.WhooshIndex` (see :mod:`kb.index.interface`), kept
in the database every application node already shares, so no node holds local search state:

- one row per case in ``search_document`` with a weighted ``tsvector`` (titel A, besluit B,
  lessen C, body D; Dutch Snowball with ``unaccent``) and a GIN index (:mod:`kb.index.pg_schema`);
- queries read by :mod:`kb.index.understanding` (gazetteer widening, compounds, facet boosts,
  filters) as for Whoosh, compiled to ``tsquery`` by :mod:`kb.index.pg_query`, ranked by
  ``ts_rank_cd`` per clause, each clause weighted by its BM25 idf, times ``1 + FACET_BOOST``
  for every boosted facet value the case carries;
- facet counts and the total in one SQL statement over all matches, filters and date ranges in
  SQL, ``ts_headline`` snippets for the page only, escaped like Whoosh's and marked ``<mark>``;
- the steps around a query, hits and facet order shared with Whoosh (:mod:`kb.index.results`):
  bad syntax degrades to plain words; a failing or slow statement (5 s) degrades the same way,
  never to an exception; nothing found: a fuzzy retry and a "Bedoelde u" suggestion.

Writes of a batch are collected and applied in one transaction when the batch ends, so a failed
batch leaves nothing behind; like Whoosh, the index is committed after the SQL store.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from kb.index import pg_similar, pg_sql, pg_vocabulary, results
from kb.index.pg_query import Clause, Compiled, PgQueryBuilder, lexeme
from kb.index.pg_schema import CONFIG, TABLE, ensure_schema, generation
from kb.index.pg_sql import BETWEEN, START, STOP, PostgresBatch
from kb.index.pg_vocabulary import Vocabulary
from kb.index.results import SNIPPET_FIELDS, Found, run_search
from kb.index.understanding import FIELD_BOOSTS, Filters
from kb.records import FACET_FIELDS, MULTI_VALUED, SINGLE_VALUED
from kb.search import Hit, SearchRequest, SearchResult
from kb.taxonomy import Taxonomy, load_taxonomy

SEARCH_MILLISECONDS = 5000
FACET_BOOST = 1.0
# ts_rank_cd weights {D, C, B, A}: the field boosts of the Whoosh schema, scaled into [0, 1].
RANK_WEIGHTS = "{" + ", ".join(f"{FIELD_BOOSTS[f] / 3:.3f}" for f in ("body", "lessen", "besluit", "titel")) + "}"
RANK_NORMALIZATION = 1  # divide by 1 + log(length): long cases do not win by length alone
HEADLINE = f"StartSel={START}, StopSel={STOP}, MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter={BETWEEN}"
HEADLINES = [f"ts_headline('{CONFIG}', d.{name}, q.qm, :opts)" for name in SNIPPET_FIELDS]


class PostgresIndex:
    """All cases in PostgreSQL full-text search, with the vocabulary cached per generation."""

    def __init__(self, database: str | Engine, taxonomy: Taxonomy | None = None) -> None:
        self._own_engine = isinstance(database, str)
        self.engine = (
            create_engine(database, pool_pre_ping=True, hide_parameters=True) if isinstance(database, str) else database
        )
        self.notes = ensure_schema(self.engine)  # Dutch notes on what is missing (unaccent)
        self.queries = PgQueryBuilder(taxonomy or load_taxonomy())
        self._lock = threading.Lock()
        self._vocabulary: tuple[str, Vocabulary] | None = None

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def writer(self, expected: int = 0) -> Iterator[PostgresBatch]:
        """A batch applied in one transaction when the block ends; nothing on any error."""
        batch = PostgresBatch()
        yield batch
        with self.engine.begin() as connection:
            batch.apply(connection, pg_vocabulary.begin_write(connection))

    def clear(self) -> None:
        with self.engine.begin() as connection:
            generation = pg_vocabulary.begin_write(connection)
            connection.execute(text(f"DELETE FROM {TABLE}"))
            pg_vocabulary.forget_all(connection, generation)

    # -- reading ---------------------------------------------------------------------------

    def vocabulary(self) -> Vocabulary:
        """Term statistics of the index as it is now: kept while the generation in the database is
        the one they were loaded at; as soon as any node committed a write, refreshed with the rows
        of the vocabulary table that changed since. Generation and rows are read in one snapshot,
        so they always belong together."""
        with self.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            current = generation(connection)
            with self._lock:
                if self._vocabulary is None:
                    self._vocabulary = (current, Vocabulary.load(connection))
                elif self._vocabulary[0] != current:
                    self._vocabulary = (current, self._vocabulary[1].refreshed(connection))
                return self._vocabulary[1]

    def hashes(self) -> dict[str, str]:
        with self.engine.connect() as connection:
            return dict(connection.execute(text(f"SELECT id, hash FROM {TABLE}")).all())  # type: ignore[arg-type]

    def doc_count(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(text(f"SELECT count(*) FROM {TABLE}")).scalar() or 0)

    def size_bytes(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(text(f"SELECT pg_total_relation_size('{TABLE}')")).scalar() or 0)

    def close(self) -> None:
        if self._own_engine:
            self.engine.dispose()

    # -- similarity ------------------------------------------------------------------------

    def similar_text(self, case_id: str, fields: tuple[str, ...], top: int = 40, n: int = 60) -> dict[str, float]:
        vocabulary = self.vocabulary()
        searched = tuple(name for name in fields if name != "titel") or fields
        with self.engine.connect() as connection:
            terms = pg_similar.case_terms(connection, case_id, pg_similar.letters_of(fields))
            chosen = {stem: 1.0 for stem, _w in pg_similar.strongest(terms, vocabulary, n)}
            letters = pg_similar.letters_of(searched)
            return pg_similar.bm25(connection, chosen, letters, vocabulary, top=top, without=case_id)

    def similar_to_text(self, text: str, *, blocker: str | None = None, top: int = 5) -> dict[str, float]:
        if not text.strip():
            return {}
        vocabulary = self.vocabulary()
        with self.engine.connect() as connection:
            chosen = pg_similar.strongest(pg_similar.text_terms(connection, text), vocabulary, 25)
            if not chosen:
                return {}
            best = chosen[0][1]
            weighted = {stem: weight / best for stem, weight in chosen}  # normalised, as Whoosh's more_like
            return pg_similar.bm25(connection, weighted, "D", vocabulary, top=top, blocker=blocker)

    def key_terms(self, case_id: str, count: int = 25) -> list[str]:
        vocabulary = self.vocabulary()
        total = max(vocabulary.docs, 1)
        with self.engine.connect() as connection:
            terms = pg_similar.case_terms(connection, case_id, "D")
        # Words in a quarter of all cases or more ("jongen", "gezin") say nothing about similarity.
        return [
            stem
            for stem, _w in pg_similar.strongest(terms, vocabulary, count)
            if vocabulary.stems.get(stem, 0) / total < 0.25
        ]

    def surface_forms(self, case_id: str, stems: list[str]) -> dict[str, str]:
        with self.engine.connect() as connection:
            return pg_similar.surface_forms(connection, case_id, stems)

    # -- searching -------------------------------------------------------------------------

    def search(self, request: SearchRequest, citations: Mapping[str, int] | None = None) -> SearchResult:
        """Run ``request`` in the steps of :func:`kb.index.results.run_search`: bad syntax or a
        failing statement degrades to plain words, never to an exception; nothing found: a fuzzy
        retry and a "Bedoelde u" suggestion. ``citations`` (id -> times cited) orders the sort
        ``aangehaald``."""
        vocabulary = self.vocabulary()
        cited = dict(citations or {}) if request.sort == "aangehaald" else {}
        filters = Filters.of(request)

        def compile_query(text_: str) -> tuple[Compiled, bool]:
            compiled = self.queries.build(text_, vocabulary.known)
            return compiled, compiled.degraded

        def suggest(text_: str) -> str | None:
            def closest(word: str) -> str | None:
                close = vocabulary.close_words(word, 2)
                return close[0][2] if close else None

            return self.queries.understanding.suggestion(text_, vocabulary.known, closest)

        return run_search(
            request,
            compile_query=compile_query,
            everything=Compiled(match=None),
            plain=self.queries.plain,
            attempt=lambda compiled: self._attempt(compiled, request, filters, cited, vocabulary),
            suggest=suggest,
            loose=lambda text_: self._fuzzy(text_, vocabulary),
            hits=lambda compiled, rows: self._hits(rows, compiled, request.highlight),
        )

    def _attempt(
        self,
        compiled: Compiled,
        request: SearchRequest,
        filters: Filters,
        cited: dict[str, int],
        vocabulary: Vocabulary,
    ) -> Found[Any] | None:
        """Total, facets and the rows of the page, or ``None`` when PostgreSQL refused or timed out."""
        try:
            with self.engine.begin() as connection:
                connection.execute(text(f"SET LOCAL statement_timeout = {SEARCH_MILLISECONDS}"))
                return self._run(connection, compiled, request, filters, cited, vocabulary)
        except DBAPIError:
            return None

    def _run(
        self,
        connection: Connection,
        compiled: Compiled,
        request: SearchRequest,
        filters: Filters,
        cited: dict[str, int],
        vocabulary: Vocabulary,
    ) -> Found[Any]:
        params: dict[str, Any] = {}
        where = pg_sql.filters(filters, params)
        queries = ["NULL::tsquery AS qm"]
        score = "0.0"
        if compiled.match is not None:
            where.insert(0, "d.tsv @@ q.qm")
            queries = [f"to_tsquery('{CONFIG}', :qm) AS qm"]
            params["qm"] = compiled.match
            idf = pg_sql.clause_idf(connection, compiled, vocabulary)
            ranks = []
            for i, clause in enumerate(compiled.clauses):
                queries.append(f"to_tsquery('{CONFIG}', :c{i}) AS q{i}")
                params[f"c{i}"], params[f"w{i}"] = clause.tsquery, clause.weight * idf[i]
                ranks.append(f":w{i} * ts_rank_cd('{RANK_WEIGHTS}', d.tsv, q.q{i}, {RANK_NORMALIZATION})")
            boosts = []
            for j, (name, value) in enumerate(compiled.boosts):
                params[f"b{j}"] = value
                test = f":b{j} = ANY(d.{name})" if name in MULTI_VALUED else f"d.{name} = :b{j}"
                boosts.append(f"(CASE WHEN {test} THEN {FACET_BOOST} ELSE 0 END)")
            score = f"({' + '.join(ranks) or '0'}) * (1 + {' + '.join(boosts) or '0'})"
        condition = " AND ".join(where) or "TRUE"
        source = f"FROM {TABLE} d CROSS JOIN (SELECT {', '.join(queries)}) q WHERE {condition}"
        facets = ["SELECT '', '', count(*) FROM m"]
        facets += [f"SELECT '{n}', {n}, count(*) FROM m WHERE {n} IS NOT NULL GROUP BY {n}" for n in SINGLE_VALUED]
        facets += [f"SELECT '{n}', v, count(*) FROM m CROSS JOIN unnest(m.{n}) AS v GROUP BY v" for n in MULTI_VALUED]
        rows = connection.execute(
            text(f"WITH m AS MATERIALIZED (SELECT {', '.join(FACET_FIELDS)} {source}) {' UNION ALL '.join(facets)}"),
            params,
        ).all()
        total = next(int(c) for name, _v, c in rows if name == "")
        counted: dict[str, dict[str, int]] = {}
        for name, value, count in rows:
            if name:
                counted.setdefault(name, {})[value] = int(count)
        order = pg_sql.order(request, compiled)
        params.update(limit=request.limit, offset=(request.page - 1) * request.limit)
        params.update(cited_ids=list(cited), cited_counts=list(cited.values()))
        page = connection.execute(
            text(
                f"""SELECT d.id, d.titel, d.soort, d.datum, {score} AS score, coalesce(c.n, 0) AS cited,
                       left(d.body, 2000) AS lead
                FROM {TABLE} d
                CROSS JOIN (SELECT {", ".join(queries)}) q
                LEFT JOIN unnest(CAST(:cited_ids AS text[]), CAST(:cited_counts AS int[])) AS c(id, n) ON c.id = d.id
                WHERE {condition} ORDER BY {order} LIMIT :limit OFFSET :offset"""
            ),
            params,
        ).all()
        return Found(total, counted, list(page))

    def _hits(self, rows: list[Any], compiled: Compiled, highlight: bool) -> list[Hit]:
        marked: dict[str, tuple[str, str, str]] = {}
        if highlight and rows and compiled.match is not None:
            try:
                with self.engine.connect() as connection:
                    found = connection.execute(
                        text(
                            f"""SELECT d.id, {", ".join(HEADLINES)}
                            FROM {TABLE} d CROSS JOIN (SELECT to_tsquery('{CONFIG}', :qm) AS qm) q
                            WHERE d.id = ANY(:ids)"""
                        ),
                        {"qm": compiled.match, "opts": HEADLINE, "ids": [r.id for r in rows]},
                    ).all()
                marked = {row[0]: tuple(row[1:]) for row in found}  # type: ignore[misc]
            except DBAPIError:  # highlighting is a courtesy; a failure must not lose the hits
                marked = {}
        hits = []
        for row in rows:
            snippets: list[str] = []
            for headline in marked.get(row.id, ()):
                if START in (headline or ""):
                    snippets = [results.marked(part, START, STOP) for part in headline.split(BETWEEN) if START in part]
                    break
            hits.append(
                results.make_hit(
                    id=row.id,
                    titel=row.titel,
                    soort=row.soort,
                    datum=row.datum,
                    score=float(row.score),
                    snippets=snippets,
                    body=row.lead or "",
                    highlight=highlight,
                )
            )
        return hits

    # -- typing errors ---------------------------------------------------------------------

    def _fuzzy(self, text_: str, vocabulary: Vocabulary) -> Compiled | None:
        """Every word within one or two typing errors of a word in the cases."""
        loose = []
        for word in self.queries.understanding.loose_words(text_):
            distance = self.queries.understanding.typo_distance(word)
            close = [w for _d, _n, w in vocabulary.close_words(word, distance)][:20]
            loose += [lexeme(w) for w in close if w.replace("_", "").isalnum()]
        if not loose:
            return None
        match = " | ".join(dict.fromkeys(loose))
        return Compiled(match=match, clauses=[Clause(match)])
