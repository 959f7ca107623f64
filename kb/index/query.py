"""Query building for the search stage on Whoosh: a query as read, turned into Whoosh queries.

:mod:`kb.index.understanding` reads what a person typed (gazetteer names and their variants,
compounds typed apart, facet boosts, filters); this module writes that in Whoosh's query language.
A name becomes ``(typed OR "variant"^w ...)`` before parsing; laws, bodies, provisions and blockers
named in the query favour cases that carry them as facets (:class:`BoostedBy`). Syntax the parser
cannot use degrades to plain words; the fuzzy retry and "Bedoelde u" use Whoosh's own term
matching and spelling corrector.
"""

from __future__ import annotations

from dataclasses import dataclass

from whoosh.matching import AndMaybeMatcher, ReadTooFar
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.query import And, AndMaybe, FuzzyTerm, NullQuery, Or, Query, Term, TermRange
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from kb.index.understanding import (
    FIELD_BOOSTS,
    JOIN_WEIGHT,
    TEXT_FIELDS,
    Filters,
    ParsedQuery,
    QueryUnderstanding,
)
from kb.taxonomy import Taxonomy

SPELLING_FIELD = "woorden"
FACET_BOOST = 2.0


class _ProgressingAndMaybeMatcher(AndMaybeMatcher):
    """Whoosh's AndMaybe matcher, except that skipping low-quality blocks stops when a sub-matcher
    makes no progress. The original loops forever then (seen with facet boosts on multi-field
    queries); stopping early is safe, it only means the block is scored normally."""

    def skip_to_quality(self, minquality: float) -> int:
        a, b = self.a, self.b
        if not a.is_active():
            raise ReadTooFar
        if not b.is_active():
            return int(a.skip_to_quality(minquality))
        skipped = 0
        aq, bq = a.block_quality(), b.block_quality()
        while a.is_active() and b.is_active() and aq + bq < minquality:
            before = (a.id(), b.id())
            if aq < bq:
                moved = a.skip_to_quality(minquality - bq)
                aq = a.block_quality() if a.is_active() else 0
            else:
                moved = b.skip_to_quality(minquality - aq)
                bq = b.block_quality() if b.is_active() else 0
            skipped += moved
            if not moved and a.is_active() and b.is_active() and (a.id(), b.id()) == before:
                break
        return skipped


class BoostedBy(AndMaybe):
    """Documents matching the first query, scored higher when they also match the second."""

    matcherclass = _ProgressingAndMaybeMatcher


@dataclass(frozen=True)
class Built:
    query: Query
    degraded: bool = False


class QueryBuilder:
    """Builds Whoosh queries from user text for one schema and one taxonomy."""

    def __init__(self, schema: object, taxonomy: Taxonomy) -> None:
        self.schema = schema
        self.parser = MultifieldParser(list(TEXT_FIELDS), schema, fieldboosts=FIELD_BOOSTS, group=OrGroup.factory(0.9))
        self.understanding = QueryUnderstanding(taxonomy)

    # -- main query ------------------------------------------------------------------------

    def build(self, text: str, reader: IndexReader | None = None) -> Built:
        """The query for ``text``. With the index ``reader``, words typed apart are also searched
        as the compound the cases use ("jeugd hulp" -> "jeugdhulp")."""
        known = (lambda word: (SPELLING_FIELD, word) in reader) if reader is not None else (lambda _w: False)
        parsed = self.understanding.parse(text, known)
        if parsed.as_words:
            return Built(self.plain(text), degraded=True)
        expanded = _expand(parsed) + "".join(f" {joined}^{JOIN_WEIGHT}" for joined in parsed.compounds)
        try:
            query = self.parser.parse(expanded)
        except Exception:  # any parser failure: plain words instead
            return Built(self.plain(parsed.text), degraded=True)
        if query is NullQuery:
            return Built(self.plain(parsed.text), degraded=True)
        boosts: list[Query] = [Term(name, value, boost=FACET_BOOST) for name, value in parsed.boosts]
        return Built(BoostedBy(query, Or(boosts)) if boosts else query)

    def plain(self, text: str) -> Query:
        """Words only, lower-cased so that AND/OR/NOT are words too, capped in number."""
        words = self.understanding.plain_words(text)
        if not words:
            return NullQuery
        return self.parser.parse(" ".join(words))

    def fuzzy(self, text: str) -> Query | None:
        """Every word within one or two typing errors, for a query that found nothing."""
        analyzer = self.schema["body"].analyzer  # type: ignore[index]
        terms: list[Query] = []
        for word in self.understanding.loose_words(text):
            for token in analyzer(word):
                distance = self.understanding.typo_distance(token.text)
                terms += [FuzzyTerm(f, token.text, maxdist=distance, prefixlength=1) for f in TEXT_FIELDS]
        return Or(terms) if terms else None

    def suggestion(self, searcher: Searcher, text: str) -> str | None:
        """The query with each unknown word replaced by the most frequent close word in the cases."""
        corrector = searcher.corrector(SPELLING_FIELD)
        reader = searcher.reader()

        def closest(word: str) -> str | None:
            found = corrector.suggest(word, limit=1, maxdist=2, prefix=1)
            return found[0] if found else None

        return self.understanding.suggestion(text, lambda word: (SPELLING_FIELD, word) in reader, closest)

    def filters(self, searcher: Searcher, filters: Filters) -> Query | None:
        """Facet filters (a value matches whatever case the index stores it in) and the date range."""
        parts: list[Query] = []
        for name, values in filters.facets.items():
            known = {v.decode("utf-8").lower(): v.decode("utf-8") for v in searcher.reader().lexicon(name)}
            terms: list[Query] = [Term(name, known.get(v, v)) for v in values]
            parts.append(terms[0] if len(terms) == 1 else Or(terms))
        if filters.van or filters.tot:
            parts.append(TermRange("datum", filters.van or "0000", (filters.tot or "9999") + "\uffff"))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(parts)


def _expand(parsed: ParsedQuery) -> str:
    """The text with every gazetteer name replaced by ``(typed OR "form"^weight ...)``."""
    text, out, position = parsed.text, [], 0
    for name in parsed.names:
        out.append(text[position : name.start])
        out.append("(" + " OR ".join(_alternative(form, weight) for form, weight in name.forms) + ")")
        position = name.end
    out.append(text[position:])
    return "".join(out)


def _alternative(form: str, weight: float) -> str:
    quoted = f'"{form}"' if " " in form or "-" in form else form
    return quoted if weight == 1.0 else f"{quoted}^{weight:.3f}"
