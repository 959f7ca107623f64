"""Query compilation for the PostgreSQL search backend: a query as read, as ``tsquery`` text.

:mod:`kb.index.understanding` reads what a person typed, for both engines: gazetteer names with
their variants (the typed form weighs 1, the other forms share
:data:`~kb.index.understanding.VARIANT_WEIGHT`), compounds typed apart, facet boosts. This module
writes that in PostgreSQL's ``tsquery``, and reads the search language itself, which PostgreSQL
has no parser for: words are OR-ed, ``AND`` binds tighter, ``NOT`` negates, ``"..."`` is a phrase
(``<->``), ``thuiszit*`` a prefix (``:*``), ``titel:wachtlijst`` one field (a weight: titel A,
besluit B, lessen C, body D), parentheses group. ``^`` and ``~`` are ignored.

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

from kb.index.pg_schema import FIELD_WEIGHTS
from kb.index.understanding import JOIN_WEIGHT, Name, QueryUnderstanding
from kb.taxonomy import Taxonomy

Token: TypeAlias = tuple[str, Name | None]  # (text, the gazetteer name it is, if any)
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
        self.understanding = QueryUnderstanding(taxonomy)

    def build(self, text: str, known: Callable[[str], bool] = lambda _w: False) -> Compiled:
        """The compiled query for ``text`` (non-empty)."""
        parsed = self.understanding.parse(text, known)
        if parsed.as_words:
            return self.plain(text)
        try:
            clauses = self._clauses(parsed.text, parsed.names)
        except _Unreadable:
            return self.plain(parsed.text)
        clauses += [Clause(lexeme(compound), JOIN_WEIGHT) for compound in parsed.compounds]
        if not clauses:
            return self.plain(parsed.text)
        return Compiled(
            match=" | ".join(f"({c.tsquery})" for c in clauses),
            clauses=clauses,
            boosts=list(dict.fromkeys(parsed.boosts)),  # each value once: ranking multiplies by their number
        )

    def plain(self, text: str) -> Compiled:
        """Words only, lower-cased so that AND/OR/NOT are words too, capped in number; degraded."""
        clauses = [Clause(lexeme(w)) for w in self.understanding.plain_words(text)]
        match = " | ".join(c.tsquery for c in clauses) if clauses else "''"
        return Compiled(match=match, clauses=clauses, degraded=True)

    # -- the search language ---------------------------------------------------------------

    def _clauses(self, text: str, names: tuple[Name, ...]) -> list[Clause]:
        """Top-level OR parts of the query; a gazetteer name becomes its typed form and variants."""
        tokens: list[Token] = []
        position = 0
        for name in names:
            tokens += [(t, None) for t in TOKEN.findall(text[position : name.start])]
            tokens.append((text[name.start : name.end], name))
            position = name.end
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

    # -- gazetteer names -----------------------------------------------------------------

    def _name_query(self, name: Name) -> str:
        return " | ".join(f"({c.tsquery})" for c in self._widened(name))

    @staticmethod
    def _widened(name: Name) -> list[Clause]:
        """The typed form (weight 1) and its other forms sharing one variant weight."""
        clauses = []
        for form, weight in name.forms:
            query = phrase(words_of(form))
            if query:
                clauses.append(Clause(query, weight))
        return clauses
