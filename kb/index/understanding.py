"""Query understanding for the search stage, shared by both engines: what a person typed, read once.

A professional types abbreviations, variants and typos. Before any engine compiles a query, this
module reads it the same way for Whoosh (:mod:`kb.index.query`) and PostgreSQL
(:mod:`kb.index.pg_query`):

- every name the gazetteers know ("SWV", "pgb", "wet langdurige zorg") outside quotes, field
  prefixes and wildcards, with all its variants both ways: the typed form weighs 1, the other
  forms share :data:`VARIANT_WEIGHT` (forms that stem alike are searched once);
- words typed apart that the cases write as one ("jeugd hulp" -> "jeugdhulp");
- laws, bodies, provisions and blockers named in the query, as facet values that favour the
  cases carrying them;
- the facet filters (case-insensitive) and the date range of the request;
- the words to fall back on: plain words for text that is not the search language, loose words
  for a fuzzy retry, and "Bedoelde u" for a likely misspelling.

Each engine says only what it knows of its own index (is a word in the cases? which word is
closest?); the reading itself lives here once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from kb.index.analysis import dutch_analyzer
from kb.records import FACET_FIELDS
from kb.search import SearchRequest
from kb.taxonomy import Taxonomy

TEXT_FIELDS = ("titel", "body", "besluit", "lessen")
# Every field weighs the same. Weighting titel 3, besluit 2 and lessen 1.5 was measured against equal
# weights on four rulers written apart (nDCG@10, all queries): equal weights won on each, by 0.03 to
# 0.06, most on questions and paraphrases, whose common words in a title outweighed the rare words
# in the text (bench/eval_relevance.py, December 2026).
FIELD_BOOSTS = {"titel": 1.0, "besluit": 1.0, "lessen": 1.0, "body": 1.0}
MAX_QUERY_CHARS = 500
MAX_PLAIN_TERMS = 32
VARIANT_WEIGHT = 0.7
JOIN_WEIGHT = 3.0  # typed apart, meant as one: the compound the cases use weighs most
FACET_FIELD = {"WET": "wetten", "INSTANTIE": "instanties", "VOORZIENING": "voorzieningen"}
SYNTAX = re.compile(r'["():^~*?\[\]{}]|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b')
WORD = re.compile(r"[\w'’-]+")
QUESTION_MARK = re.compile(r"(?<=\w)\?+(?=\s|$)")
SUGGEST_MIN_LETTERS = 4


@dataclass(frozen=True)
class Name:
    """A gazetteer name in the query: where it stands and the forms it is searched as."""

    start: int
    end: int
    variant: str  # the typed form, normalised
    label: str  # WET, INSTANTIE or VOORZIENING
    canonical: str
    forms: tuple[tuple[str, float], ...]  # (form, weight): the typed form (1.0) first


@dataclass(frozen=True)
class ParsedQuery:
    """A query as read: the text to compile, its names, compounds and facet boosts.

    ``as_words`` queries are not read at all: every engine searches them as plain words. That is a
    query too long to read, or one whose brackets or quotes do not pair up (a query cut at the
    limits often ends inside one), whose meaning the search language cannot tell."""

    text: str  # as typed, a question mark after a word dropped (a question, not a wildcard)
    names: tuple[Name, ...] = ()
    compounds: tuple[str, ...] = ()
    boosts: tuple[tuple[str, str], ...] = ()  # (facet field, value); one per mention
    syntax: bool = False  # uses the search language: operators, quotes, fields, wildcards
    as_words: bool = False


@dataclass(frozen=True)
class Filters:
    """The facet filters of a request, lower-cased (OR within a field, AND across), and its dates."""

    facets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    van: str | None = None
    tot: str | None = None

    @classmethod
    def of(cls, request: SearchRequest) -> Filters:
        facets = {
            name: tuple(v.lower() for v in values)
            for name, values in request.filters.items()
            if name in FACET_FIELDS and values
        }
        return cls(facets, request.van, request.tot)


class QueryUnderstanding:
    """Reads user text for one taxonomy (see the module docstring)."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.variants: dict[str, tuple[str, str, tuple[str, ...]]] = {}  # variant -> (label, canonical, all)
        for label, terms in taxonomy.gazetteer.items():
            for term in terms:
                forms = tuple(dict.fromkeys(norm(v) for v in [term.code, *term.extra.get("varianten", [])]))
                for form in forms:
                    self.variants.setdefault(form, (label, term.code, forms))
        self.longest = max((len(v.split()) for v in self.variants), default=1)
        self.blocker_words: dict[str, set[str]] = {}
        for blocker in taxonomy.blokkades:
            for word in [*blocker.extra.get("trefwoorden", []), blocker.label]:
                self.blocker_words.setdefault(norm(str(word)), set()).add(blocker.code)
        self._analyzer = dutch_analyzer()
        self._stems: dict[str, tuple[str, ...]] = {}

    def parse(self, text: str, known: Callable[[str], bool] = lambda _w: False) -> ParsedQuery:
        """Read ``text`` (non-empty); ``known`` says whether a surface word occurs in the cases."""
        if len(text) > MAX_QUERY_CHARS or not _pairs_up(text):
            return ParsedQuery(text=text, as_words=True)
        text = QUESTION_MARK.sub(" ", text).strip() or text
        names = tuple(self.names(text))
        syntax = bool(SYNTAX.search(text))
        return ParsedQuery(
            text=text,
            names=names,
            compounds=() if syntax else tuple(joined(text, known)),
            boosts=tuple(self._boosts(text, names)),
            syntax=syntax,
        )

    def names(self, text: str) -> list[Name]:
        """Gazetteer variants outside quotes, field prefixes and wildcards, longest match first."""
        found = []
        words = [(m.start(), m.end()) for m in WORD.finditer(text)]
        quoted = [(m.start(), m.end()) for m in re.finditer(r'"[^"]*"', text)]
        i = 0
        while i < len(words):
            for size in range(min(self.longest, len(words) - i), 0, -1):
                start, end = words[i][0], words[i + size - 1][1]
                if any(a <= start < b for a, b in quoted) or text[start - 1 : start] == ":":
                    continue
                if text[end : end + 1] == "*":  # "wlz*" is a prefix the person typed, not a name
                    continue
                variant = norm(text[start:end])
                if variant in self.variants:
                    label, canonical, _forms = self.variants[variant]
                    found.append(Name(start, end, variant, label, canonical, self._forms(variant)))
                    i += size - 1
                    break
            i += 1
        return found

    def is_name(self, word: str) -> bool:
        return norm(word) in self.variants

    # -- falling back ----------------------------------------------------------------------

    @staticmethod
    def plain_words(text: str) -> list[str]:
        """Words only, lower-cased so that AND/OR/NOT are words too, unique, capped in number."""
        return list(dict.fromkeys(w.lower() for w in re.findall(r"\w+", text)))[:MAX_PLAIN_TERMS]

    @staticmethod
    def loose_words(text: str) -> list[str]:
        """The words to retry within one or two typing errors, for a query that found nothing."""
        return re.findall(r"\w+", text.lower())[:MAX_PLAIN_TERMS]

    @staticmethod
    def typo_distance(word: str) -> int:
        return 1 if len(word) <= 6 else 2

    def suggestion(self, text: str, known: Callable[[str], bool], closest: Callable[[str], str | None]) -> str | None:
        """The query with each unknown word replaced by the closest word in the cases (``closest``
        gives the most frequent word within two edits), or ``None`` when nothing changed."""
        if SYNTAX.search(text):
            return None
        changed, words = False, []
        for word in WORD.findall(text):
            lower = word.lower()
            if len(lower) < SUGGEST_MIN_LETTERS or known(lower) or self.is_name(lower):
                words.append(word)
                continue
            close = closest(lower)
            words.append(close or word)
            changed = changed or bool(close)
        return " ".join(words) if changed else None

    # -- helpers ---------------------------------------------------------------------------

    def stems(self, phrase: str) -> tuple[str, ...]:
        """The index terms a phrase becomes (the Dutch analyzer both engines mirror)."""
        if phrase not in self._stems:
            self._stems[phrase] = tuple(t.text for t in self._analyzer(phrase))
        return self._stems[phrase]

    def _forms(self, variant: str) -> tuple[tuple[str, float], ...]:
        """The typed form (weight 1) and the forms that search for something else, sharing one
        weight, so a name with a dozen forms ("school": basisschool, vso, mbo, ...) does not
        outweigh the other words of the query."""
        _label, _canonical, forms = self.variants[variant]
        seen = {self.stems(variant)}
        others = []
        for form in forms:
            key = self.stems(form)
            if key not in seen:  # "zorgkantoren" stems like "zorgkantoor": searched once
                seen.add(key)
                others.append(form)
        share = VARIANT_WEIGHT / max(1, len(others))
        return ((variant, 1.0), *((form, share) for form in others))

    def _boosts(self, text: str, names: tuple[Name, ...]) -> list[tuple[str, str]]:
        boosts = [(FACET_FIELD[name.label], name.canonical) for name in names]
        lowered = norm(text)
        for words, codes in self.blocker_words.items():
            if re.search(rf"(?<!\w){re.escape(words)}", lowered):
                boosts += [("blokkades", code) for code in sorted(codes)]
        return boosts


def joined(text: str, known: Callable[[str], bool]) -> list[str]:
    """Adjacent typed words that the cases write as one ("jeugd hulp" -> "jeugdhulp", "logeer
    opvang" -> "logeeropvang"), when that compound occurs in the cases."""
    words = [w.lower() for w in WORD.findall(text)]
    out = []
    for first, second in zip(words, words[1:], strict=False):
        compound = first + second
        if len(first) >= 3 and len(second) >= 3 and known(compound):
            out.append(compound)
    return out


def _pairs_up(text: str) -> bool:
    """Whether every bracket closes after it opens and quotes come in pairs."""
    depth = 0
    for char in text:
        depth += (char == "(") - (char == ")")
        if depth < 0:
            return False
    return depth == 0 and text.count('"') % 2 == 0


def norm(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())
