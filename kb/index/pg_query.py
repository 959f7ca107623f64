"""Query understanding for the PostgreSQL search backend: what a person typed, as ``tsquery`` text.

The same understanding as :mod:`kb.index.query` for Whoosh, written for PostgreSQL:

- The search language: words are OR-ed, ``AND`` binds tighter, ``NOT`` negates, ``"..."`` is a
  phrase (``<->``), ``thuiszit*`` a prefix (``:*``), ``titel:wachtlijst`` one field (a weight:
  titel A, besluit B, lessen C, body D), parentheses group. ``^`` and ``~`` are ignored.
- Gazetteer names ("swv", "wet langdurige zorg") are widened to all their variants, both ways;
  the typed form weighs 1, the other forms share :data:`~kb.index.query.VARIANT_WEIGHT`.
- Words typed apart that the cases write as one ("jeugd hulp") are also searched as that compound.
- Laws, bodies, provisions and blockers named in the query become facet boosts.

Only words made of ``\\w`` characters ever reach the ``tsquery`` text, each single-quoted, with
fixed operators around them: nothing a person types can inject syntax. What cannot be read as the
language (an unbalanced quote or bracket, a dangling operator, more than 500 characters) is
searched as plain words and marked ``degraded``. Each top-level part of the query is a ranking
clause with its own weight, so ranking can weigh a typed form above its variants.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeAlias

from kb.index.analysis import dutch_analyzer
from kb.index.pg_schema import FIELD_WEIGHTS
from kb.index.query import (
    FACET_FIELD,
    JOIN_WEIGHT,
    MAX_PLAIN_TERMS,
    MAX_QUERY_CHARS,
    QUESTION_MARK,
    SYNTAX,
    VARIANT_WEIGHT,
    WORD,
    _joined,
    _norm,
)
from kb.taxonomy import Taxonomy

Token: TypeAlias = tuple[str, str | None]  # (text, gazetteer name or None)
TOKEN = re.compile(r'"[^"]*"?|[()]|[^\s()"]+')
OPERATORS = {"AND": "&", "OR": "|"}
NEGATIONS = {"NOT", "ANDNOT"}


@dataclass(frozen=True)
class Clause:
    """A part of the query ranked on its own: ``tsquery`` text and its weight."""

    tsquery: str
    weight: float = 1.0


@dataclass
class Compiled:
    """A query ready for SQL: what must match, how to rank, which facet values favour a case."""

    match: str | None  # None: every case (an empty query)
    clauses: list[Clause] = field(default_factory=list)
    boosts: list[tuple[str, str]] = field(default_factory=list)
    degraded: bool = False


class _Unreadable(Exception):
    """The text is not the search language; it is searched as plain words."""


def lexeme(word: str, suffix: str = "") -> str:
    return f"'{word}'{suffix}"


def words_of(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def phrase(words: list[str], suffix: str = "") -> str | None:
    """One word, or consecutive words joined with ``<->``."""
    if not words:
        return None
    if len(words) == 1:
        return lexeme(words[0], suffix)
    return "(" + " <-> ".join(lexeme(w, suffix) for w in words) + ")"


class PgQueryBuilder:
    """Compiles user text for one taxonomy; ``known`` says whether a surface word occurs in the cases."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.variants: dict[str, tuple[str, str, tuple[str, ...]]] = {}  # variant -> (label, canonical, all)
        for label, terms in taxonomy.gazetteer.items():
            for term in terms:
                forms = tuple(dict.fromkeys(_norm(v) for v in [term.code, *term.extra.get("varianten", [])]))
                for form in forms:
                    self.variants.setdefault(form, (label, term.code, forms))
        self.longest = max((len(v.split()) for v in self.variants), default=1)
        self.blocker_words: dict[str, set[str]] = {}
        for blocker in taxonomy.blokkades:
            for word in [*blocker.extra.get("trefwoorden", []), blocker.label]:
                self.blocker_words.setdefault(_norm(str(word)), set()).add(blocker.code)
        self._analyzer = dutch_analyzer()
        self._stems: dict[str, tuple[str, ...]] = {}

    def build(self, text: str, known: Callable[[str], bool] = lambda _w: False) -> Compiled:
        """The compiled query for ``text`` (non-empty)."""
        if len(text) > MAX_QUERY_CHARS:
            return self.plain(text)
        text = QUESTION_MARK.sub(" ", text).strip() or text
        named = self._named(text)
        try:
            clauses = self._clauses(text, named)
        except _Unreadable:
            return self.plain(text)
        if not SYNTAX.search(text):
            clauses += [Clause(lexeme(joined), JOIN_WEIGHT) for joined in _joined(text, known)]
        if not clauses:
            return self.plain(text)
        return Compiled(
            match=" | ".join(f"({c.tsquery})" for c in clauses),
            clauses=clauses,
            boosts=self._facet_boosts(text, named),
        )

    def plain(self, text: str) -> Compiled:
        """Words only, lower-cased so that AND/OR/NOT are words too, capped in number; degraded."""
        words = list(dict.fromkeys(w.lower() for w in words_of(text)))[:MAX_PLAIN_TERMS]
        clauses = [Clause(lexeme(w)) for w in words]
        match = " | ".join(c.tsquery for c in clauses) if clauses else "''"
        return Compiled(match=match, clauses=clauses, degraded=True)

    def words_for_fuzzy(self, text: str) -> list[str]:
        return [w.lower() for w in words_of(text)][:MAX_PLAIN_TERMS]

    # -- the search language ---------------------------------------------------------------

    def _clauses(self, text: str, named: list[tuple[int, int, str]]) -> list[Clause]:
        """Top-level OR parts of the query; a gazetteer name becomes its typed form and variants."""
        tokens: list[Token] = []  # (token, gazetteer phrase or None)
        position = 0
        for start, end, name in named:
            tokens += [(t, None) for t in TOKEN.findall(text[position:start])]
            tokens.append((text[start:end], name))
            position = end
        tokens += [(t, None) for t in TOKEN.findall(text[position:])]
        parts, rest = self._group(tokens, 0, nested=False)
        if rest != len(tokens):
            raise _Unreadable
        clauses: list[Clause] = []
        for part, named_as in parts:
            if named_as is not None:
                clauses += self._widened(named_as)
            else:
                clauses.append(Clause(part))
        return clauses

    def _group(self, tokens: list[Token], i: int, nested: bool) -> tuple[list[Token], int]:
        """OR-parts of a group (AND chains joined into one part) and the index after it."""
        parts: list[list[Token]] = []  # AND-chains
        pending_and = False
        while i < len(tokens):
            token, name = tokens[i]
            if token == ")":
                if not nested:
                    raise _Unreadable
                return self._joined_parts(parts, pending_and), i + 1
            if name is None and token in OPERATORS:
                if not parts:
                    raise _Unreadable
                pending_and = token == "AND"
                i += 1
                continue
            atom, i = self._unary(tokens, i)
            if atom is None:
                continue
            if pending_and and parts:
                parts[-1].append(atom)
            else:
                parts.append([atom])
            pending_and = False
        if nested:
            raise _Unreadable
        return self._joined_parts(parts, pending_and), i

    @staticmethod
    def _joined_parts(parts: list[list[Token]], dangling: bool) -> list[Token]:
        if dangling:
            raise _Unreadable
        out: list[Token] = []
        for chain in parts:
            if len(chain) == 1:
                out.append(chain[0])
            else:
                out.append((" & ".join(f"({q})" for q, _ in chain), None))
        return out

    def _unary(self, tokens: list[Token], i: int) -> tuple[Token | None, int]:
        token, name = tokens[i]
        if name is not None:
            return (self._name_query(name), name), i + 1
        if token in NEGATIONS:
            if i + 1 >= len(tokens):
                raise _Unreadable
            atom, after = self._unary(tokens, i + 1)
            if atom is None:
                raise _Unreadable
            return (f"!({atom[0]})", None), after
        if token == "(":
            parts, after = self._group(tokens, i + 1, nested=True)
            if not parts:
                return None, after
            return (" | ".join(f"({q})" for q, _ in parts), None), after
        return self._atom(token, tokens, i)

    def _atom(self, token: str, tokens: list[Token], i: int) -> tuple[Token | None, int]:
        weight = ""
        fieldname, colon, rest = token.partition(":")
        if colon and fieldname.lower() in FIELD_WEIGHTS:
            weight = FIELD_WEIGHTS[fieldname.lower()]
            token = rest
            if not token and i + 1 < len(tokens) and tokens[i + 1][0].startswith('"'):
                i, token = i + 1, tokens[i + 1][0]
        if token.startswith('"'):
            if len(token) < 2 or not token.endswith('"'):
                raise _Unreadable
            query = phrase([w.lower() for w in words_of(token)], f":{weight}" if weight else "")
            return ((query, None) if query else None), i + 1
        token = re.sub(r"[\^~][\d.]*", " ", token)
        prefix = token.rstrip().endswith("*")
        words = [w.lower() for w in words_of(token)]
        marks = ("*" if prefix and len(words) == 1 else "") + weight
        query = phrase(words, f":{marks}" if marks else "")
        return ((query, None) if query else None), i + 1

    # -- gazetteer and facets --------------------------------------------------------------

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
                if text[end : end + 1] == "*":
                    continue
                name = _norm(text[start:end])
                if name in self.variants:
                    spans.append((start, end, name))
                    i += size - 1
                    break
            i += 1
        return spans

    def _name_query(self, name: str) -> str:
        return " | ".join(f"({c.tsquery})" for c in self._widened(name))

    def _widened(self, name: str) -> list[Clause]:
        """The typed form (weight 1) and its other forms sharing one variant weight."""
        _label, _canonical, forms = self.variants[name]
        seen = {self._stemmed(name)}
        others = []
        for form in forms:
            key = self._stemmed(form)
            if key not in seen:  # "zorgkantoren" stems like "zorgkantoor": no second clause
                seen.add(key)
                others.append(form)
        share = VARIANT_WEIGHT / max(1, len(others))
        clauses = []
        for form, weight in [(name, 1.0), *((o, share) for o in others)]:
            query = phrase(words_of(form))
            if query:
                clauses.append(Clause(query, weight))
        return clauses

    def _stemmed(self, phrase_text: str) -> tuple[str, ...]:
        if phrase_text not in self._stems:
            self._stems[phrase_text] = tuple(t.text for t in self._analyzer(phrase_text))
        return self._stems[phrase_text]

    def _facet_boosts(self, text: str, named: list[tuple[int, int, str]]) -> list[tuple[str, str]]:
        boosts = []
        for _start, _end, name in named:
            label, canonical, _forms = self.variants[name]
            boosts.append((FACET_FIELD[label], canonical))
        lowered = _norm(text)
        for words, codes in self.blocker_words.items():
            if re.search(rf"(?<!\w){re.escape(words)}", lowered):
                boosts += [("blokkades", code) for code in sorted(codes)]
        return list(dict.fromkeys(boosts))
