"""The knowledge base as one object: SQL store plus search index, shared by API, web and CLI.

A :class:`KnowledgeBase` is built once per process from :class:`~kb.settings.Settings`. Readers
call its methods; the ingest stage writes through :meth:`KnowledgeBase.write`, which keeps SQL
and index in one unit of work per batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from kb import compliance, exchange, review, saved_searches, signals, store
from kb.accounts import Accounts
from kb.audit import AuditLog
from kb.db import make_engine, session_scope
from kb.errors import NotFound
from kb.index.interface import IndexBatch, SearchIndex, open_index
from kb.index.results import ordered_facets
from kb.models import CaseDetail, CasesPage
from kb.patterns import Analyst, PatternRequest, Patterns, facts_from_rows
from kb.precedents import Similar, similar_cases
from kb.records import CaseRecord
from kb.search import SearchRequest, SearchResult, request_from_params
from kb.settings import Settings
from kb.signals import SignalPublic
from kb.taxonomy import Taxonomy, load_taxonomy
from kb.userdata import SavedSearchPublic


@dataclass
class Batch:
    """One unit of work: SQL session and index writer, committed together."""

    session: Session
    index: IndexBatch

    def put(self, record: CaseRecord) -> None:
        store.upsert_case(session=self.session, record=record)
        self.index.put(record)

    def delete(self, ids: Sequence[str]) -> None:
        store.delete_cases(session=self.session, ids=ids)
        self.index.delete(ids)


class KnowledgeBase:
    """Read and write access to all cases, through SQL and the search index."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = make_engine(settings.sql_url)
        self.taxonomy: Taxonomy = load_taxonomy(settings.taxonomy_dir)
        self.index: SearchIndex = open_index(settings, self.taxonomy, self.engine)
        self.accounts = Accounts(self.engine)  # users and API tokens (kb.accounts)
        self.audit = AuditLog(self.engine)  # the append-only audit log (kb.audit)
        self._analyst: tuple[tuple[Any, ...], dict[bool, Analyst]] | None = None

    def close(self) -> None:
        self.index.close()
        self.engine.dispose()

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def write(self, expected: int = 0) -> Iterator[Batch]:
        """SQL is committed first, then the index; a failure in either cancels the index."""
        with self.index.writer(expected) as index_batch, session_scope(self.engine) as session:
            yield Batch(session=session, index=index_batch)
            store.mark_changed(session=session)

    def reset(self) -> None:
        """Empty SQL and index, for a rebuild from the files."""
        with session_scope(self.engine) as session:
            ids = [case_id for case_id, _ in store.stored_files(session=session).values()]
            store.delete_cases(session=session, ids=ids)
            store.mark_changed(session=session)
        self.index.clear()

    # -- reading ---------------------------------------------------------------------------

    def stored_files(self) -> dict[str, tuple[str, str]]:
        with Session(self.engine) as session:
            return store.stored_files(session=session)

    def search(self, request: SearchRequest) -> SearchResult:
        """Search the index; every hit says how often other cases cite it, and the sort
        ``aangehaald`` puts the most cited first (relevance, then date, breaks ties)."""
        with Session(self.engine) as session:
            if request.sort == "aangehaald":
                counts = store.citation_counts(session=session)
                result = self.index.search(request, citations=counts)
            else:
                result = self.index.search(request)
                counts = store.citation_counts(session=session, ids=[hit.id for hit in result.hits])
        for hit in result.hits:
            hit.aangehaald = counts.get(hit.id, 0)
        result.afgekapt = request.bounded  # cut to the limits: not searched as typed, and the answer says so
        return result

    def case(self, case_id: str) -> CaseDetail:
        """One case with links both ways; :class:`NotFound` with a Dutch message otherwise."""
        with Session(self.engine) as session:
            case = store.get_case(session=session, case_id=case_id)
            if case is None:
                raise NotFound(f"casus '{case_id}' bestaat niet")
            labels = {t.code: t.label for t in self.taxonomy.blokkades}
            detail = store.case_detail(session=session, case=case, labels=labels)
            if detail.partijen:
                parties = {t.code: t.label for t in self.taxonomy.partijen}
                today = dt.date.today()
                found = compliance.obligations(session=session, case_ids=[case_id])
                detail.partijen = [o.to_dict(today, parties) for o in found]
            return detail

    def cases(self, *, filters: Mapping[str, Iterable[str]] | None = None, page: int = 1, limit: int = 20) -> CasesPage:
        with Session(self.engine) as session:
            return store.list_cases(session=session, filters=filters, page=page, limit=limit)

    def facets(self) -> dict[str, dict[str, int]]:
        """Counts per value of every facet over all cases, most frequent first."""
        with Session(self.engine) as session:
            raw = store.tag_values(session=session)
        return ordered_facets(raw)

    def similar(self, case_id: str, limit: int = 8, source: CaseDetail | None = None) -> list[Similar]:
        """Cases similar to ``case_id``, with the reasons why (see :mod:`kb.precedents`)."""
        return similar_cases(self, case_id, limit, source)

    # -- patterns --------------------------------------------------------------------------

    def analyst(self, suggesties: bool = False) -> Analyst:
        """The patterns stage over every stored case (see :mod:`kb.patterns`), counting vastgesteld
        blockers, or with ``suggesties`` the suggested ones too. The cases are read again only when
        the store changed (by this process or another one), checked by one query."""
        with Session(self.engine) as session:
            marker = store.change_marker(session=session)
            cached = self._analyst
            if cached is None or cached[0] != marker:
                facts = facts_from_rows(store.pattern_rows(session=session))
                cached = (
                    marker,
                    {False: Analyst(facts, self.taxonomy), True: Analyst(facts, self.taxonomy, suggestions=True)},
                )
                self._analyst = cached
        return cached[1][suggesties]

    def patterns(self, request: PatternRequest) -> Patterns:
        """All pattern tables for a request from the dashboard, the API or the CLI."""
        analyst = self.analyst(request.selectie.suggesties)
        result = analyst.patterns(request.selectie, request.per, request.drempel, request.venster)
        chosen = [f.id for f in analyst.select(request.selectie)]
        summary = self.compliance(case_ids=chosen)
        result.naleving = {k: summary[k] for k in ("peildatum", "te_laat", "te_laat_per_partij", "te_laat_per_grens")}
        return result

    # -- review of suggested blockers -------------------------------------------------------

    def review_queue(self, code: str | None = None, team: str | None = None) -> review.Queue:
        """Open suggestions waiting for a person (see :mod:`kb.review`)."""
        strictness = review.Strictness.from_data(self.taxonomy.kalibratie)
        with Session(self.engine) as session:
            return review.queue(session=session, labels=self._labels(), strictness=strictness, code=code, team=team)

    def review_stats(self) -> list[review.CodeStats]:
        """Per code what people decided on its suggestions, overall and per quarter."""
        with Session(self.engine) as session:
            return review.stats(session=session, labels=self._labels())

    def review_count(self) -> int:
        with Session(self.engine) as session:
            return review.open_count(session=session)

    def review_decisions(self, case_id: str) -> list[dict[str, Any]]:
        """The decisions people took on this case's suggestions, oldest first."""
        with Session(self.engine) as session:
            return [r.model_dump() for r in review.decisions(session=session, case_id=case_id)]

    def _labels(self) -> dict[str, str]:
        return {t.code: t.label for t in self.taxonomy.blokkades}

    # -- compliance with binding advice -------------------------------------------------------

    def move_obligation(self, case_id: str, nummer: int, naar: str, wie: str, notitie: str = "") -> dict[str, Any]:
        """Record a compliance step for obligation ``nummer`` of a case (see :mod:`kb.compliance`)."""
        with session_scope(self.engine) as session:
            item = compliance.move(session=session, case_id=case_id, nummer=nummer, naar=naar, wie=wie, notitie=notitie)
            return item.to_dict(dt.date.today(), {t.code: t.label for t in self.taxonomy.partijen})

    def compliance(self, today: dt.date | None = None, case_ids: list[str] | None = None) -> dict[str, Any]:
        """Every obligation (of the given cases) with its status, and the overdue ones per party and
        per boundary."""
        today = today or dt.date.today()
        parties = {t.code: t.label for t in self.taxonomy.partijen}
        with Session(self.engine) as session:
            items = compliance.obligations(session=session, case_ids=case_ids)
            boundaries = store.tags_of(session=session, ids=list({o.case_id for o in items}), fields=("blokkades",))
        codes = {case_id: sorted(tags.get("blokkades", set())) for case_id, tags in boundaries.items()}
        summary = compliance.overview(items, codes, today)
        return {
            "peildatum": today.isoformat(),
            "verplichtingen": [o.to_dict(today, parties) for o in items],
            "te_laat": [o.to_dict(today, parties) for o in summary["te_laat"]],
            "te_laat_per_partij": summary["per_partij"],
            "te_laat_per_grens": summary["per_grens"],
        }

    # -- signals ---------------------------------------------------------------------------

    def create_signal(self, **fields: Any) -> SignalPublic:
        """A new signal (see :func:`kb.signals.create` for the fields)."""
        with session_scope(self.engine) as session:
            signal = signals.create(session=session, taxonomy=self.taxonomy, **fields)
            return signals.public(session=session, signal=signal, taxonomy=self.taxonomy)

    def move_signal(self, signal_id: int, naar: str, wie: str, notitie: str = "") -> SignalPublic:
        with session_scope(self.engine) as session:
            signal = signals.move(session=session, signal_id=signal_id, naar=naar, wie=wie, notitie=notitie)
            return signals.public(session=session, signal=signal, taxonomy=self.taxonomy)

    def signal(self, signal_id: int) -> SignalPublic:
        with Session(self.engine) as session:
            signal = signals.get(session=session, signal_id=signal_id)
            return signals.public(session=session, signal=signal, taxonomy=self.taxonomy)

    def signals(self, status: str | None = None) -> list[SignalPublic]:
        with Session(self.engine) as session:
            found = signals.listing(session=session, status=status)
            return [signals.public(session=session, signal=s, taxonomy=self.taxonomy) for s in found]

    def lesson_signals(self, case_id: str) -> dict[str, SignalPublic]:
        """Signals made from this case's system lessons, by lesson (``case-id#n``)."""
        with Session(self.engine) as session:
            found = signals.from_lessons_of(session=session, case_id=case_id)
            return {s.bron_les or "": signals.public(session=session, signal=s, taxonomy=self.taxonomy) for s in found}

    def check_returns(self) -> list[tuple[int, str]]:
        """Flag resolved signals whose blocker came back in a newer case (after every ingest)."""
        with session_scope(self.engine) as session:
            return signals.check_returns(session=session)

    def export_userdata(self) -> dict[str, Any]:
        with Session(self.engine) as session:
            return exchange.export(session=session)

    def import_userdata(self, data: Any) -> dict[str, int]:
        with session_scope(self.engine) as session:
            return exchange.import_data(session=session, data=data, taxonomy=self.taxonomy)

    # -- saved searches --------------------------------------------------------------------

    def save_search(self, naam: str, request: SearchRequest) -> SavedSearchPublic:
        with session_scope(self.engine) as session:
            return saved_searches.save(session=session, naam=naam, request=request)

    def saved_searches(self) -> list[SavedSearchPublic]:
        with Session(self.engine) as session:
            return saved_searches.all_saved(session=session)

    def saved_search(self, slug: str) -> SavedSearchPublic:
        with Session(self.engine) as session:
            return saved_searches.public(saved_searches.get(session=session, slug=slug))

    def delete_saved_search(self, slug: str) -> None:
        with session_scope(self.engine) as session:
            saved_searches.remove(session=session, slug=slug)

    def newest_matches(self, slug: str, limit: int = 20) -> tuple[SavedSearchPublic, list[CaseDetail]]:
        """A saved search and its newest matching cases (what its Atom feed shows)."""
        saved = self.saved_search(slug)
        found = self.search(request_from_params(saved.params, sort="datum", page=1, limit=limit, highlight=False))
        return saved, [self.case(hit.id) for hit in found.hits]

    def unknown_links(self) -> list[tuple[str, str]]:
        with Session(self.engine) as session:
            return store.unknown_link_targets(session=session)
