"""Query building for the search stage: the field's own Dutch, turned into Whoosh queries.

A professional types abbreviations, variants and typos. Before parsing, every name the gazetteers
know ("SWV", "pgb", "wet langdurige zorg") is widened to all its variants, both ways, the typed
form weighing most. Laws, bodies, provisions and blockers named in the query also favour cases
that carry them as facets. Syntax the parser cannot use degrades to plain words; a query without
any hit falls back to fuzzy matching, and a likely misspelling gets a "Bedoelde u" suggestion.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from whoosh.matching import AndMaybeMatcher, ReadTooFar
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.query import And, AndMaybe, FuzzyTerm, NullQuery, Or, Query, Term, TermRange
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from kb.search import SearchRequest
from kb.taxonomy import Taxonomy

TEXT_FIELDS = ("titel", "body", "besluit", "lessen")
FIELD_BOOSTS = {"titel": 3.0, "besluit": 2.0, "lessen": 1.5, "body": 1.0}
SPELLING_FIELD = "woorden"
MAX_QUERY_CHARS = 500
MAX_PLAIN_TERMS = 32
VARIANT_WEIGHT = 0.7
JOIN_WEIGHT = 1.5
FACET_FIELD = {"WET": "wetten", "INSTANTIE": "instanties", "VOORZIENING": "voorzieningen"}
FACET_BOOST = 2.0
SYNTAX = re.compile(r'["():^~*?\[\]{}]|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b')
WORD = re.compile(r"[\w'’-]+")
QUESTION_MARK = re.compile(r"(?<=\w)\?+(?=\s|$)")


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
    """Builds queries from user text for one schema and one taxonomy."""

    def __init__(self, schema: object, taxonomy: Taxonomy) -> None:
        self.schema = schema
        self.parser = MultifieldParser(list(TEXT_FIELDS), schema, fieldboosts=FIELD_BOOSTS, group=OrGroup.factory(0.9))
        self.variants: dict[str, tuple[str, str, tuple[str, ...]]] = {}  # variant -> (label, canonical, all)
        for label, terms in taxonomy.gazetteer.items():
            for term in terms:
                forms = tuple(dict.fromkeys(_norm(v) for v in [term.code, *term.extra.get("varianten", [])]))
                for form in forms:
                    self.variants.setdefault(form, (label, term.code, forms))
        self.longest = max((len(v.split()) for v in self.variants), default=1)
        self._term_cache: dict[str, tuple[str, ...]] = {}
        self.blocker_words: dict[str, set[str]] = {}
        for blocker in taxonomy.blokkades:
            for word in [*blocker.extra.get("trefwoorden", []), blocker.label]:
                self.blocker_words.setdefault(_norm(str(word)), set()).add(blocker.code)

    # -- main query ------------------------------------------------------------------------

    def build(self, text: str, reader: IndexReader | None = None) -> Built:
        """The query for ``text``. With the index ``reader``, words typed apart are also searched
        as the compound the cases use ("jeugd hulp" -> "jeugdhulp")."""
        if len(text) > MAX_QUERY_CHARS:
            return Built(self.plain(text), degraded=True)
        text = QUESTION_MARK.sub(" ", text).strip() or text  # a question mark, not a wildcard
        named = self._named(text)
        expanded = self._expand(text) if named else text
        if reader is not None and not SYNTAX.search(text):
            known = lambda word: (SPELLING_FIELD, word) in reader  # noqa: E731
            expanded += "".join(f" {joined}^{JOIN_WEIGHT}" for joined in _joined(text, known))
        try:
            query = self.parser.parse(expanded)
        except Exception:  # any parser failure: plain words instead
            return Built(self.plain(text), degraded=True)
        if query is NullQuery:
            return Built(self.plain(text), degraded=True)
        boosts = self._facet_boosts(text, named)
        return Built(BoostedBy(query, Or(boosts)) if boosts else query)

    def plain(self, text: str) -> Query:
        """Words only, lower-cased so that AND/OR/NOT are words too, capped in number."""
        words = list(dict.fromkeys(w.lower() for w in re.findall(r"\w+", text)))[:MAX_PLAIN_TERMS]
        if not words:
            return NullQuery
        return self.parser.parse(" ".join(words))

    def fuzzy(self, text: str) -> Query | None:
        """Every word within one or two typing errors, for a query that found nothing."""
        analyzer = self.schema["body"].analyzer  # type: ignore[index]
        terms: list[Query] = []
        for word in re.findall(r"\w+", text.lower())[:MAX_PLAIN_TERMS]:
            for token in analyzer(word):
                distance = 1 if len(token.text) <= 6 else 2
                terms += [FuzzyTerm(f, token.text, maxdist=distance, prefixlength=1) for f in TEXT_FIELDS]
        return Or(terms) if terms else None

    def suggestion(self, searcher: Searcher, text: str) -> str | None:
        """The query with each unknown word replaced by the most frequent close word in the cases."""
        if SYNTAX.search(text):
            return None
        corrector = searcher.corrector(SPELLING_FIELD)
        reader = searcher.reader()
        changed, words = False, []
        for word in WORD.findall(text):
            lower = word.lower()
            if len(lower) < 4 or (SPELLING_FIELD, lower) in reader or _norm(lower) in self.variants:
                words.append(word)
                continue
            found = corrector.suggest(lower, limit=1, maxdist=2, prefix=1)
            if found:
                words.append(found[0])
                changed = True
            else:
                words.append(word)
        return " ".join(words) if changed else None

    def filters(self, searcher: Searcher, request: SearchRequest) -> Query | None:
        parts: list[Query] = []
        for name, values in request.filters.items():
            known = {v.decode("utf-8").lower(): v.decode("utf-8") for v in searcher.reader().lexicon(name)}
            terms: list[Query] = [Term(name, known.get(v.lower(), v)) for v in values]
            parts.append(terms[0] if len(terms) == 1 else Or(terms))
        if request.van or request.tot:
            parts.append(TermRange("datum", request.van or "0000", (request.tot or "9999") + "\uffff"))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(parts)

    # -- helpers ---------------------------------------------------------------------------

    def _named(self, text: str) -> list[tuple[int, int, str]]:
        """Gazetteer variants in the query outside quotes: (start, end, variant), longest first."""
        spans = []
        words = [(m.start(), m.end(), m.group(0)) for m in WORD.finditer(text)]
        quoted = [(m.start(), m.end()) for m in re.finditer(r'"[^"]*"', text)]
        i = 0
        while i < len(words):
            for size in range(min(self.longest, len(words) - i), 0, -1):
                start, end = words[i][0], words[i + size - 1][1]
                if any(a <= start < b for a, b in quoted) or text[start - 1 : start] == ":":
                    continue
                phrase = _norm(text[start:end])
                if phrase in self.variants:
                    spans.append((start, end, phrase))
                    i += size - 1
                    break
            i += 1
        return spans

    def _expand(self, text: str) -> str:
        out, position = [], 0
        for start, end, phrase in self._named(text):
            _label, _canonical, forms = self.variants[phrase]
            seen = {self._terms(phrase)}
            others = []
            for form in forms:
                key = self._terms(form)
                if key not in seen:  # "zorgkantoren" stems like "zorgkantoor": no second term
                    seen.add(key)
                    others.append(form)
            # The variants share one weight, so a name with a dozen forms ("school": basisschool,
            # vso, mbo, ...) does not outweigh the other words of the query.
            share = VARIANT_WEIGHT / max(1, len(others))
            alternatives = [_quoted(phrase), *(f"{_quoted(form)}^{share:.3f}" for form in others)]
            out.append(text[position:start])
            out.append("(" + " OR ".join(alternatives) + ")")
            position = end
        out.append(text[position:])
        return "".join(out)

    def _terms(self, phrase: str) -> tuple[str, ...]:
        """The index terms a phrase becomes, to drop variants that search for the same thing."""
        if phrase not in self._term_cache:
            analyzer = self.schema["body"].analyzer  # type: ignore[index]
            self._term_cache[phrase] = tuple(t.text for t in analyzer(phrase))
        return self._term_cache[phrase]

    def _facet_boosts(self, text: str, named: list[tuple[int, int, str]]) -> list[Query]:
        boosts: list[Query] = []
        for _start, _end, phrase in named:
            label, canonical, _forms = self.variants[phrase]
            boosts.append(Term(FACET_FIELD[label], canonical, boost=FACET_BOOST))
        lowered = _norm(text)
        for words, codes in self.blocker_words.items():
            if re.search(rf"(?<!\w){re.escape(words)}", lowered):
                boosts += [Term("blokkades", code, boost=FACET_BOOST) for code in codes]
        return boosts


def _joined(text: str, known: Callable[[str], bool]) -> list[str]:
    """Adjacent typed words that the cases write as one ("jeugd hulp" -> "jeugdhulp", "logeer
    opvang" -> "logeeropvang"), when that compound occurs in the cases."""
    words = [w.lower() for w in WORD.findall(text)]
    out = []
    for first, second in zip(words, words[1:], strict=False):
        joined = first + second
        if len(first) >= 3 and len(second) >= 3 and known(joined):
            out.append(joined)
    return out


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def _quoted(phrase: str) -> str:
    return f'"{phrase}"' if " " in phrase or "-" in phrase else phrase
