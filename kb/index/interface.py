"""The search index stage as an interface: what the knowledge base and the other stages call.

Two engines implement it: :class:`kb.index.backend.WhooshIndex`, the embedded default (files in
the data directory, one process), and :class:`kb.index.postgres.PostgresIndex`, PostgreSQL
full-text search for deployments where several application nodes share one database. Which one
runs is a setting (``LEERLUS_SEARCH_BACKEND``); :func:`open_index` builds it. Callers only see
the types of :mod:`kb.search` and :class:`~kb.records.CaseRecord`, and one conformance suite
(``tests/test_search_conformance.py``) runs the same tests on both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from kb.records import CaseRecord
from kb.search import SearchRequest, SearchResult
from kb.taxonomy import Taxonomy

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from kb.settings import Settings

BACKENDS = ("whoosh", "postgresql")


class IndexBatch(Protocol):
    """Writes of one unit of work, committed together by :meth:`SearchIndex.writer`."""

    def put(self, record: CaseRecord) -> None:
        """Add or replace the case ``record.id``."""

    def delete(self, ids: Iterable[str]) -> None:
        """Remove these cases; unknown ids are ignored."""


@runtime_checkable
class SearchIndex(Protocol):
    """A full-text index of all cases: writes in batches, ranked search with facets and snippets,
    and the text signals of similar cases."""

    def writer(self, expected: int = 0) -> AbstractContextManager[IndexBatch]:
        """A batch committed when the block ends, cancelled on any error."""

    def clear(self) -> None:
        """Drop every document (``leerlus reindex``)."""

    def hashes(self) -> dict[str, str]:
        """Every indexed case as ``id -> content hash`` (for ingest and ``leerlus doctor``)."""

    def doc_count(self) -> int: ...

    def size_bytes(self) -> int: ...

    def close(self) -> None: ...

    def search(self, request: SearchRequest, citations: Mapping[str, int] | None = None) -> SearchResult:
        """Run ``request``; never raises on what a person typed (bad syntax sets ``degraded``)."""

    def similar_text(self, case_id: str, fields: tuple[str, ...], top: int = 40, n: int = 60) -> dict[str, float]:
        """Cases whose text in ``fields`` resembles this case's; id -> score."""

    def similar_to_text(self, text: str, *, blocker: str | None = None, top: int = 5) -> dict[str, float]:
        """Cases whose body resembles a draft ``text`` (optionally only those with ``blocker``)."""

    def key_terms(self, case_id: str, count: int = 25) -> list[str]:
        """The most characteristic stems of a case's body, best first."""

    def surface_forms(self, case_id: str, stems: list[str]) -> dict[str, str]:
        """For stems, the first word in the case's body that stems to each (for display)."""


def open_index(settings: Settings, taxonomy: Taxonomy, engine: Engine | None = None) -> SearchIndex:
    """The index the settings ask for: Whoosh in the data directory, or PostgreSQL full-text search
    in the configured database (through ``engine`` when the caller already has one)."""
    if settings.search_backend == "postgresql":
        from kb.index.postgres import PostgresIndex

        return PostgresIndex(engine or settings.sql_url, taxonomy)
    from kb.index.backend import WhooshIndex

    return WhooshIndex(settings.index_dir, taxonomy)
