"""Whoosh backend for the index and search stages: schema, writes, queries, facets, snippets.

One :class:`WhooshIndex` per process keeps one searcher open and refreshes it after writes (a new
searcher per query costs tens of milliseconds). Writers are always committed or cancelled.
Hostile query strings never raise: syntax the parser cannot use degrades to plain words. How a
query is read (:mod:`kb.index.understanding`) and the steps around it, hits and facet order
(:mod:`kb.index.results`) are shared with the PostgreSQL backend.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import sorting
from whoosh.analysis import LowercaseFilter, RegexTokenizer
from whoosh.collectors import FilterCollector, TimeLimitCollector
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.highlight import HtmlFormatter, PinpointFragmenter
from whoosh.query import And, Every, Query, Term
from whoosh.searching import Searcher, TimeLimit
from whoosh.writing import IndexWriter

from kb.index.analysis import dutch_analyzer
from kb.index.facets import Tables, bitmask, build_tables
from kb.index.facets import count as facet_counts
from kb.index.locks import commit, open_writer
from kb.index.query import SPELLING_FIELD, BoostedBy, QueryBuilder
from kb.index.results import SNIPPET_FIELDS, Found, make_hit, run_search
from kb.index.similarity import more_like_case
from kb.index.understanding import FIELD_BOOSTS, TEXT_FIELDS, Filters
from kb.records import FACET_FIELDS, MULTI_VALUED, CaseRecord
from kb.search import Hit, SearchRequest, SearchResult
from kb.snippets import show_links
from kb.taxonomy import Taxonomy, load_taxonomy

SEARCH_SECONDS = 5.0
REFRESH_CHECK_SECONDS = 1.0
PARALLEL_BATCH = 2000


def build_schema() -> Schema:
    analyzer = dutch_analyzer()
    fields: dict[str, Any] = {
        "id": ID(unique=True, stored=True),
        "hash": ID(stored=True),
        "titel": TEXT(analyzer=analyzer, stored=True, field_boost=FIELD_BOOSTS["titel"]),
        "body": TEXT(analyzer=analyzer, stored=True, chars=True),
        "besluit": TEXT(analyzer=analyzer, stored=True, chars=True),
        "lessen": TEXT(analyzer=analyzer, stored=True, chars=True),
        "datum": ID(stored=True, sortable=True),
        # Surface words (no stemming) for "Bedoelde u" suggestions; no positions needed.
        SPELLING_FIELD: TEXT(analyzer=RegexTokenizer(r"\w+") | LowercaseFilter(), phrase=False),
    }
    for name in FACET_FIELDS:
        if name in MULTI_VALUED:
            fields[name] = KEYWORD(stored=True, commas=True, scorable=True)
        else:
            fields[name] = ID(stored=True, sortable=True)
    return Schema(**fields)


class _SnippetFormatter(HtmlFormatter):
    """Whoosh's HTML formatter, but each fragment is returned separately and wrapped in <mark>."""

    def format(self, fragments: list[Any], replace: bool = False) -> list[str]:  # type: ignore[override]
        return [" ".join(self.format_fragment(f, replace=replace).split()) for f in fragments]


class WhooshIndex:
    """The on-disk index of all cases, with one shared, refreshed searcher."""

    def __init__(self, path: Path, taxonomy: Taxonomy | None = None) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        schema = build_schema()
        if whoosh_index.exists_in(str(path)):
            self._ix = whoosh_index.open_dir(str(path))
            stored = self._ix.schema
            if sorted(stored.names()) != sorted(schema.names()) or any(
                getattr(stored[name], "field_boost", 1.0) != getattr(schema[name], "field_boost", 1.0)
                for name in schema.names()
            ):
                # Made by another version of Leerlus: start empty, the next ingest refills it.
                self._ix = whoosh_index.create_in(str(path), schema)
        else:
            self._ix = whoosh_index.create_in(str(path), schema)
        self._lock = threading.RLock()
        self._searcher: Searcher | None = None
        self._tables: tuple[Searcher, Tables] | None = None
        self._checked = 0.0
        self.queries = QueryBuilder(self._ix.schema, taxonomy or load_taxonomy())

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def writer(self, expected: int = 0) -> Iterator[IndexBatch]:
        """A batch of writes committed together, or cancelled on any error."""
        options: dict[str, Any] = {"timeout": 60.0}
        if expected >= PARALLEL_BATCH:
            options.update(procs=2, multisegment=True, limitmb=256)
        writer = open_writer(self._ix, self.path, **options)  # recovers a lock left by a crash
        try:
            yield IndexBatch(writer)
        except BaseException:
            writer.cancel()
            raise
        commit(writer)  # gives the lock back when the commit fails
        self.refresh(force=True)

    def clear(self) -> None:
        """Drop every document (used by ``reindex``)."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            self._ix = whoosh_index.create_in(str(self.path), build_schema())

    # -- reading ---------------------------------------------------------------------------

    def refresh(self, force: bool = False) -> Searcher:
        """The shared searcher, reopened when the index changed (checked at most once a second)."""
        with self._lock:
            now = time.monotonic()
            if self._searcher is None:
                self._searcher = self._ix.searcher()
            elif (force or now - self._checked > REFRESH_CHECK_SECONDS) and not self._searcher.up_to_date():
                # A fresh searcher rather than refresh(): refreshing a searcher of an empty
                # index fails inside Whoosh. The old one is left to the garbage collector
                # because another thread may still be reading from it.
                self._searcher = self._ix.searcher()
            self._checked = now
            return self._searcher

    def hashes(self) -> dict[str, str]:
        """Every indexed case as ``id -> content hash``."""
        searcher = self.refresh(force=True)
        return {fields["id"]: fields["hash"] for fields in searcher.all_stored_fields()}

    def doc_count(self) -> int:
        return self.refresh().doc_count()

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.iterdir() if p.is_file())

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None

    # -- similarity ------------------------------------------------------------------------

    def similar_text(self, case_id: str, fields: tuple[str, ...], top: int = 40, n: int = 60) -> dict[str, float]:
        """Cases whose text in ``fields`` resembles this case's (see :mod:`kb.index.similarity`)."""
        searcher = self.refresh()
        docnum = searcher.document_number(id=case_id)
        return {} if docnum is None else more_like_case(searcher, docnum, fields, numterms=n, top=top)

    def similar_to_text(self, text: str, *, blocker: str | None = None, top: int = 5) -> dict[str, float]:
        """Cases whose body resembles ``text`` (a draft that is not in the index), optionally only
        those carrying ``blocker``; id -> score."""
        if not text.strip():
            return {}
        searcher = self.refresh()
        only = Term("blokkades", blocker) if blocker else None
        results = searcher.more_like(None, "body", text=text, top=top, numterms=25, normalize=True, filter=only)
        return {hit["id"]: float(hit.score) for hit in results}

    def key_terms(self, case_id: str, count: int = 25) -> list[str]:
        """The most characteristic (stemmed) terms of a case's body, best first."""
        searcher = self.refresh()
        docnum = searcher.document_number(id=case_id)
        if docnum is None:
            return []
        total = max(searcher.doc_count(), 1)
        # Words in a quarter of all cases or more ("jongen", "gezin") say nothing about similarity.
        return [
            term
            for term, _score in searcher.key_terms([docnum], "body", numterms=count)
            if searcher.doc_frequency("body", term) / total < 0.25
        ]

    def surface_forms(self, case_id: str, stems: list[str]) -> dict[str, str]:
        """For stemmed terms, the first word in the case's text that stems to each (for display)."""
        searcher = self.refresh()
        docnum = searcher.document_number(id=case_id)
        if docnum is None:
            return {}
        analyzer = searcher.schema["body"].analyzer
        text = searcher.stored_fields(docnum).get("body", "")
        wanted, found = set(stems), {}
        for token in analyzer(text, chars=True, keeporiginal=True):
            if token.text in wanted and token.text not in found:
                found[token.text] = text[token.startchar : token.endchar]
        return found

    # -- searching -------------------------------------------------------------------------

    def search(self, request: SearchRequest, citations: Mapping[str, int] | None = None) -> SearchResult:
        """Run ``request`` in the steps of :func:`kb.index.results.run_search`: bad syntax degrades
        to plain words, never to an exception; nothing found: a fuzzy retry and a "Bedoelde u"
        suggestion. ``citations`` (case id -> times cited) orders the sort ``aangehaald``."""
        searcher = self.refresh()
        cited = _by_docnum(searcher, citations or {}) if request.sort == "aangehaald" else {}
        filter_query = self.queries.filters(searcher, Filters.of(request))
        tables = self._facet_tables(searcher)

        def compile_query(text: str) -> tuple[Query, bool]:
            built = self.queries.build(text, searcher.reader())
            return built.query, built.degraded

        def attempt(query: Query) -> Found[Any] | None:
            try:
                page, mask = self._run(searcher, query, filter_query, request, cited)
            except Exception:  # the parser accepted something the matcher cannot run
                return None
            return Found(mask.bit_count(), facet_counts(tables, mask), page)

        return run_search(
            request,
            compile_query=compile_query,
            everything=Every(),
            plain=self.queries.plain,
            attempt=attempt,
            suggest=lambda text: self.queries.suggestion(searcher, text),
            loose=self.queries.fuzzy,
            hits=lambda query, page: self._hits(searcher, query, page, request.highlight),
        )

    def _run(
        self,
        searcher: Searcher,
        query: Query,
        filter_query: Query | None,
        request: SearchRequest,
        cited: dict[int, int],
    ) -> tuple[list[Any], int]:
        """The page of hits and the bitmask of all matches (one pass gives total and facets)."""
        page = self._page(searcher, query, filter_query, request, cited)
        core = query.a if isinstance(query, BoostedBy) else query  # boosts reorder, they never add matches
        matched = core if filter_query is None else And([core, filter_query])
        return page, bitmask(searcher.docs_for_query(matched), searcher.reader().doc_count_all())

    def _page(
        self,
        searcher: Searcher,
        query: Query,
        filter_query: Query | None,
        request: SearchRequest,
        cited: dict[int, int],
    ) -> list[Any]:
        """The hits of the requested page (not ``search_page``, which would count all matches again)."""
        kwargs: dict[str, Any] = {}
        newest = sorting.FieldFacet("datum", reverse=True)
        if request.sort == "aangehaald":
            most_cited = sorting.FunctionFacet(lambda _searcher, docnum: -cited.get(docnum, 0))
            tiebreak = newest if isinstance(query, Every) else sorting.ScoreFacet()
            kwargs["sortedby"] = sorting.MultiFacet([most_cited, tiebreak])
        elif request.sort == "datum" or isinstance(query, Every):
            kwargs["sortedby"] = newest
        base = searcher.collector(limit=request.page * request.limit, **kwargs)
        collector: Any = TimeLimitCollector(base, SEARCH_SECONDS, use_alarm=False)  # alarms need the main thread
        if filter_query is not None:  # filtering happens in the outermost collector
            collector = FilterCollector(collector, filter_query, None)
        with contextlib.suppress(TimeLimit):  # a pathological query gets the hits so far, never a hang
            searcher.search_with_collector(query, collector)
        results = collector.results()
        return list(results[(request.page - 1) * request.limit : request.page * request.limit])

    def _hits(self, searcher: Searcher, query: Query, page: list[Any], highlight: bool) -> list[Hit]:
        """Hits of one page. For snippets, the matched terms of just these documents are looked up
        in the postings, so the main search does not record terms for every match."""
        if highlight and page and not isinstance(query, Every):
            results = page[0].results
            _record_matched_terms(results, searcher, query, [hit.docnum for hit in page])
            results.fragmenter = PinpointFragmenter(maxchars=220, surround=70, autotrim=True)
            results.formatter = _SnippetFormatter(tagname="mark", between="")
            return [self._hit(hit, hit, True) for hit in page]
        return [self._hit(hit, None, highlight) for hit in page]

    def _facet_tables(self, searcher: Searcher) -> Tables:
        with self._lock:
            if self._tables is None or self._tables[0] is not searcher:
                self._tables = (searcher, build_tables(searcher, FACET_FIELDS))
            return self._tables[1]

    def _hit(self, hit: Any, marked: Any, highlight: bool) -> Hit:
        fields = hit.fields()
        snippets: list[str] = []
        if marked is not None:
            for name in SNIPPET_FIELDS:
                try:
                    found = marked.highlights(name, top=2)
                except KeyError:  # highlighting is a courtesy; a failure must not lose the hit
                    found = []
                snippets.extend(show_links(s) for s in found if s)
                if snippets:
                    break
        return make_hit(
            id=fields["id"],
            titel=fields.get("titel", ""),
            soort=fields.get("soort", ""),
            datum=fields.get("datum", ""),
            score=hit.score if isinstance(hit.score, (int, float)) else 0.0,
            snippets=snippets,
            body=fields.get("body", ""),
            highlight=highlight,
        )


def _by_docnum(searcher: Searcher, citations: Mapping[str, int]) -> dict[int, int]:
    """Citation counts keyed by document number in the current searcher."""
    out: dict[int, int] = {}
    for case_id, count in citations.items():
        docnum = searcher.document_number(id=case_id)
        if docnum is not None and count:
            out[docnum] = count
    return out


def _record_matched_terms(results: Any, searcher: Searcher, query: Query, docnums: list[int]) -> None:
    """Fill in which query terms each of ``docnums`` contains, as ``search(terms=True)`` would,
    by skipping through each term's postings to just these documents."""
    docterms: dict[int, list[tuple[str, bytes]]] = {}
    termdocs: dict[tuple[str, bytes], list[int]] = {}
    wanted = sorted(set(docnums))
    for fieldname, btext in _query_terms(searcher, query):
        matcher = searcher.postings(fieldname, btext)
        for docnum in wanted:
            if not matcher.is_active():
                break
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
            if matcher.is_active() and matcher.id() == docnum:
                docterms.setdefault(docnum, []).append((fieldname, btext))
                termdocs.setdefault((fieldname, btext), []).append(docnum)
    results.docterms = docterms
    results.termdocs = termdocs


def _query_terms(searcher: Searcher, query: Query) -> set[tuple[str, bytes]]:
    """The indexed text-field terms a query can match, prefixes and wildcards expanded.
    (Whoosh's own ``existing_terms`` forgets every field after the first one it sees.)"""
    reader = searcher.reader()
    found: set[tuple[str, bytes]] = set()
    for leaf in query.leaves():
        for fieldname, text in leaf.expanded_terms(reader, phrases=True):
            if fieldname not in TEXT_FIELDS:
                continue
            btext = searcher.schema[fieldname].to_bytes(text)
            if (fieldname, btext) in reader:
                found.add((fieldname, btext))
    return found


class IndexBatch:
    """Writes of one batch; only :class:`WhooshIndex.writer` creates it."""

    def __init__(self, writer: IndexWriter) -> None:
        self._writer = writer

    def put(self, record: CaseRecord) -> None:
        doc: dict[str, Any] = {
            "id": record.id,
            "hash": record.content_hash,
            "titel": record.titel,
            "body": record.body_text,
            "besluit": record.besluit or "",
            "lessen": record.lessen_text,
            "datum": record.datum,
            SPELLING_FIELD: " ".join([record.titel, record.body_text, record.besluit or "", record.lessen_text]),
        }
        for name in FACET_FIELDS:
            values = record.facet_values(name)
            if name in MULTI_VALUED:
                if values:
                    doc[name] = ",".join(v.replace(",", " ") for v in values)
            elif values:
                doc[name] = values[0]
        self._writer.update_document(**doc)

    def delete(self, ids: Iterable[str]) -> None:
        for case_id in ids:
            self._writer.delete_by_term("id", case_id)
