"""Anonymisation gate, weighing: names that are references, not people in the case.

Two ways of writing show that a name stands for a method, a theory or a source rather than for a
client, a parent or a professional. Both are read once per text, so weighing stays linear:

- a name used as the first part of a hyphenated compound with an ordinary word: "Marte
  Meo-therapeut", "Bowlby-theorie", "Nagy-denken". Nobody writes "Sandra-gesprek" about a mother; a
  method is written that way. Every other mention of that name in the text is the same term.
- a citation: names in brackets right after a capitalised term, "Signs of Safety (Turnell &
  Edwards)", "Marte Meo (Maria Aarts)", or two names or a year after any word, "Traumasensitief
  werken (Van der Kolk, Perry)". Not after a role, title or relation word ("Moeder (Sandra)"), not
  one name after an ordinary word ("de buurman (Jan Smit)"), and never with a number other than a
  year in the brackets ("Jeroen (15)"): those are people in the case.
- a name with its theory in brackets after it: "Bruce Perry (neurosequentieel model)", "Nagy
  (contextuele benadering)"; the words that name a theory are the data file's
  ``begrippen_met_naam`` (model, theorie, methode, benadering, ...).

Such a name gets a "controleer" warning, not a refusal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.name_spans import TITLE_WORDS, Spans

NAME_WORD = r"[A-ZÀ-Þ][\wÀ-ſ'’]{1,40}"
PARTICLE = r"(?:van|de|der|den|het|ten|ter|te|op|in|'t|le|la|du|da|di|von|el|al|bin|ben)"
# At most five words with at most three particles between two: unbounded, a run of capitalised words
# ("Jan Jan Jan ...") was read to its end from every word, which is quadratic in the text.
NAME = rf"{NAME_WORD}(?:[ \t]+(?:{PARTICLE}[ \t]+){{0,3}}{NAME_WORD}){{0,4}}"
TERM_USE = re.compile(rf"(?<![\wÀ-ſ-])({NAME})-[a-zà-ÿ]")
SEPARATOR = re.compile(r"[ \t]*(?:,|&|;|\ben\b|\band\b)[ \t]*")
DESCRIBED = re.compile(rf"(?<![\wÀ-ſ])({NAME})[ \t]*\(([^()\n]{{1,80}})\)")
YEAR = re.compile(r"\b(?:19|20)\d\d\)$")
CITATION = re.compile(
    rf"(?<![\wÀ-ſ])([\wÀ-ſ]{{1,40}})[ \t]*\(((?:{PARTICLE}[ \t]+){{0,3}}{NAME}"
    rf"(?:{SEPARATOR.pattern}(?:{PARTICLE}[ \t]+){{0,3}}{NAME}){{0,5}})"
    r"(?:[ \t]*,?[ \t]*(?:19|20)\d\d)?\)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class References:
    """The names of one text that are terms or citations."""

    terms: frozenset[str]
    citations: Spans

    @classmethod
    def of(cls, text: str, roles: re.Pattern[str], concepts: frozenset[str] = frozenset()) -> References:
        terms: set[str] = set()
        for m in TERM_USE.finditer(text):
            words = m.group(1).split()
            terms.update(" ".join(words[i:]) for i in range(len(words)))  # "Meo" of "Marte Meo" too
        spans = []
        for m in CITATION.finditer(text):
            before = m.group(1)
            if before.lower() in TITLE_WORDS or roles.fullmatch(before.lower()):
                continue
            several = len(SEPARATOR.findall(m.group(2))) > 0 or bool(YEAR.search(m.group(0)))
            if not before[:1].isupper() and not several:
                continue  # "de buurman (Jan Smit)" introduces a person; "werken (Van der Kolk, Perry)" cites two
            words = _words(m.group(2))
            if not all(word[:1].isupper() or re.fullmatch(PARTICLE, word, re.IGNORECASE) for word in words):
                continue  # a list of names only, as a citation is
            spans.append((m.start(2), m.end(2)))
        for m in DESCRIBED.finditer(text):
            words = re.findall(r"[a-zà-ÿ]+", m.group(2).lower())
            if any(w in concepts or any(w.endswith(c) for c in concepts if len(c) >= 5) for w in words):
                spans.append((m.start(1), m.end(1)))  # "Bruce Perry (neurosequentieel model)"
        return cls(frozenset(terms), Spans(spans))

    def is_reference(self, text: str, start: int, end: int) -> bool:
        """Whether the name at ``start:end`` is a term of this text or sits in a citation."""
        fragment = " ".join(text[start:end].split())
        return fragment in self.terms or self.citations.contains(start, end)


def _words(names: str) -> list[str]:
    return [w for w in re.split(r"[ \t,&;]+", names) if w and w.lower() not in ("en", "and")]
