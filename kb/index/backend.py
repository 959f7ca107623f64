"""Whoosh backend for the index and search stages: schema, writes, queries, facets, snippets.

One :class:`WhooshIndex` per process keeps one searcher open and refreshes it after writes (a new
searcher per query costs tens of milliseconds). Writers are always committed or cancelled.
Hostile query strings never raise: syntax the parser cannot use degrades to plain words.
"""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.highlight import HtmlFormatter, PinpointFragmenter
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.query import And, Every, NullQuery, Or, Query, Term, TermRange
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter

from kb.index.analysis import dutch_analyzer
from kb.index.facets import Tables, bitmask, build_tables
from kb.index.facets import count as facet_counts
from kb.records import FACET_FIELDS, MULTI_VALUED, CaseRecord
from kb.search import Hit, SearchRequest, SearchResult

TEXT_FIELDS = ("titel", "body", "besluit", "lessen")
FIELD_BOOSTS = {"titel": 3.0, "besluit": 2.0, "lessen": 1.5, "body": 1.0}
SNIPPET_FIELDS = ("body", "besluit", "lessen")
MAX_QUERY_CHARS = 500
MAX_PLAIN_TERMS = 32
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

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        schema = build_schema()
        if whoosh_index.exists_in(str(path)):
            self._ix = whoosh_index.open_dir(str(path))
            if sorted(self._ix.schema.names()) != sorted(schema.names()):
                # Made by another version of Leerlus: start empty, the next ingest refills it.
                self._ix = whoosh_index.create_in(str(path), schema)
        else:
            self._ix = whoosh_index.create_in(str(path), schema)
        self._lock = threading.RLock()
        self._searcher: Searcher | None = None
        self._tables: tuple[Searcher, Tables] | None = None
        self._checked = 0.0
        self._parser = MultifieldParser(
            list(TEXT_FIELDS), self._ix.schema, fieldboosts=FIELD_BOOSTS, group=OrGroup.factory(0.9)
        )

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def writer(self, expected: int = 0) -> Iterator[IndexBatch]:
        """A batch of writes committed together, or cancelled on any error."""
        options: dict[str, Any] = {"timeout": 60.0}
        if expected >= PARALLEL_BATCH:
            options.update(procs=2, multisegment=True, limitmb=256)
        writer = self._ix.writer(**options)
        try:
            yield IndexBatch(writer)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
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

    # -- searching -------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResult:
        """Run ``request``; bad syntax degrades to plain words, never to an exception."""
        searcher = self.refresh()
        query, degraded = self._text_query(request.query)
        filter_query = self._filter_query(searcher, request)
        try:
            page = self._page(searcher, query, filter_query, request)
        except Exception:  # the parser accepted something the matcher cannot run
            query, degraded = self._plain_query(request.query), True
            page = self._page(searcher, query, filter_query, request)
        # One pass over the matching documents gives both the total and the facet counts.
        matched = query if filter_query is None else And([query, filter_query])
        mask = bitmask(searcher.docs_for_query(matched), searcher.reader().doc_count_all())
        return SearchResult(
            query=request.query,
            total=mask.bit_count(),
            hits=self._hits(searcher, query, page, request.highlight),
            facets=facet_counts(self._facet_tables(searcher), mask),
            page=request.page,
            limit=request.limit,
            sort=request.sort,
            filters={k: list(v) for k, v in request.filters.items()},
            van=request.van,
            tot=request.tot,
            degraded=degraded,
        )

    def _page(self, searcher: Searcher, query: Query, filter_query: Query | None, request: SearchRequest) -> list[Any]:
        """The hits of the requested page (not ``search_page``, which would count all matches again)."""
        kwargs: dict[str, Any] = {}
        if filter_query is not None:
            kwargs["filter"] = filter_query
        if request.sort == "datum" or isinstance(query, Every):
            kwargs["sortedby"] = "datum"
            kwargs["reverse"] = True
        results = searcher.search(query, limit=request.page * request.limit, **kwargs)
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

    def _text_query(self, text: str) -> tuple[Query, bool]:
        if not text:
            return Every(), False
        if len(text) > MAX_QUERY_CHARS:
            return self._plain_query(text), True
        try:
            query = self._parser.parse(text)
        except Exception:
            return self._plain_query(text), True
        if query is NullQuery:
            return self._plain_query(text), True
        return query, False

    def _plain_query(self, text: str) -> Query:
        """Words only, lower-cased so that AND/OR/NOT are words too, capped in number."""
        words = list(dict.fromkeys(w.lower() for w in re.findall(r"\w+", text)))[:MAX_PLAIN_TERMS]
        if not words:
            return NullQuery
        return self._parser.parse(" ".join(words))

    def _filter_query(self, searcher: Searcher, request: SearchRequest) -> Query | None:
        parts: list[Query] = []
        for name, values in request.filters.items():
            known = self._lexicon(searcher, name)
            terms = [Term(name, known.get(v.lower(), v)) for v in values]
            parts.append(terms[0] if len(terms) == 1 else Or(terms))
        if request.van or request.tot:
            low = request.van or "0000"
            high = (request.tot or "9999") + "\uffff"
            parts.append(TermRange("datum", low, high))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(parts)

    def _lexicon(self, searcher: Searcher, name: str) -> dict[str, str]:
        """Indexed values of a facet, keyed case-insensitively, so filters forgive case."""
        values = searcher.reader().lexicon(name)
        return {v.decode("utf-8").lower(): v.decode("utf-8") for v in values}

    def _hit(self, hit: Any, marked: Any, highlight: bool) -> Hit:
        fields = hit.fields()
        snippets: list[str] = []
        if marked is not None:
            for name in SNIPPET_FIELDS:
                try:
                    found = marked.highlights(name, top=2)
                except KeyError:  # highlighting is a courtesy; a failure must not lose the hit
                    found = []
                snippets.extend(s for s in found if s)
                if snippets:
                    break
        if highlight and not snippets and fields.get("body"):
            snippets.append(html.escape(_lead(fields["body"])))
        return Hit(
            id=fields["id"],
            titel=fields.get("titel", ""),
            soort=fields.get("soort", ""),
            datum=fields.get("datum", ""),
            score=hit.score if isinstance(hit.score, (int, float)) else 0.0,
            snippets=snippets[:3],
        )


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


def _lead(text: str, limit: int = 200) -> str:
    """The opening of a text, cut at a word boundary, for hits without a highlight."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0] + " …"


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
