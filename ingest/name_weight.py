"""Anonymisation gate, weighing: how strong is the evidence that a candidate is a person's name?

Candidates come from deduce and from the context rules of :mod:`ingest.names`. Each is first cut
to the name itself: a finding never crosses a line break, a heading marker or a sentence boundary,
and a common noun, title or role before the name stays in the text ("Thuiszitter Jeroen de Vries"
becomes "Jeroen de Vries"). Then it is weighed:

- **strong** (refuses the text): a name after a title, label or relation word ("mevrouw Bakker",
  "moeder Sandra"), a first name from the name lists followed by a surname-like word, initials with
  a surname, a first name that is no ordinary word, a capitalised name-list word in the middle of a
  sentence, and any later occurrence of a name found strongly elsewhere in the text;
- **weak** (a "controleer" warning that does not block): a capitalised word that is also an ordinary
  Dutch word, a name-list word that only opens a sentence or a heading, and an institution pattern
  with a name in it ("Gezinshuis De Vries");
- **none**: places and regions, organisations from the gazetteer, abbreviations ("art.", "Rb."),
  stop words, verbs opening a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

from ingest.lexicon import dutch_verbs, first_names, is_common_word, surnames
from ingest.name_references import References
from ingest.name_spans import TITLE_WORDS, Spans, pieces
from ingest.names import AUXILIARIES, COPULAS, RELATIONS
from ingest.privacy_lists import Lists
from ingest.privacy_rules import Candidate
from ingest.redaction import PARTICLES

STRONG_SOURCES = frozenset(
    {
        "label",
        "relatie",
        "titel",
        "rekeninghouder",
        "afsluitgroet",
        "verboden",
        "model",
        "onderwerp",
        "kleine-letters",
        "leeftijd",
    }
)
TOKEN = re.compile(r"[\wÀ-ſ'’.-]*[\wÀ-ſ]")
LINE_START = re.compile(r"(?:^|\n)[ \t]*(?:#+[ \t]*|[-*+>][ \t]+|\d+[.)][ \t]+|\|[ \t]*)?[\"'“„(]?[ \t]*$")
SENTENCE_START = re.compile(r"[.!?:;][ \t]*[\"'“„(]?[ \t]*$")
HEADING = re.compile(r"(?:^|\n)[ \t]*#+[^\n]*$")
RELATION_BEFORE = re.compile(rf"(?i:\b{RELATIONS}|\b(?:{'|'.join(sorted(TITLE_WORDS))})\.?)[ \t]+$")

RELATION_WORD = re.compile(RELATIONS)
SAINT = frozenset(["sint", "st"])
SAINT_BEFORE = re.compile(r"(?i)(?<![\wÀ-ſ])(?:sint|st\.)[ \t-]*$")
ARTICLE_BEFORE = re.compile(r"(?<![\wÀ-ſ])(?:de|het|een)[ \t]+$")  # no person takes an article
EPONYM_BEFORE = re.compile(r"([\w-]+)[ \t]+van[ \t]+(?:de[ \t]+)?$")
PLACE_BEFORE = re.compile(r"(?<![\wÀ-ſ])(?i:in|uit|te|vanuit|naar|nabij)[ \t]+$")
DE_HEER = re.compile(r"(?i)de[ \t]+heer\b")
NON_WORD = re.compile(r"[^\wÀ-ſ]+")
AGE_AFTER = re.compile(r"[ \t]*\((?:\d{1,2}|\d{1,2}[ \t]*(?:jaar|jr\.?|mnd|maanden))\)")

REASONS = {
    "leeftijd": "naam met een leeftijd erachter",
    "context": "naam na een titel, label of relatiewoord",
    "voornaam-achternaam": "voornaam met achternaam",
    "voorletters": "voorletters met achternaam",
    "onbekende-naam": "naam die geen Nederlands woord is",
    "voornaam": "voornaam die geen gewoon woord is",
    "midden-in-zin": "naam met hoofdletter midden in een zin",
    "terugkerend": "naam die elders in de tekst al als naam is gevonden",
    "gewoon-woord": "controleer: ook een gewoon woord",
    "zinsbegin": "controleer: woord aan het begin van een zin of kop",
    "instelling": "controleer: instelling met mogelijk een persoonsnaam",
    "bekende-naam": "controleer: bekend persoon of werk (na 'fan van', 'het boek van', ...)",
}


class NameWeigher:
    """Cuts and weighs person candidates for one text, with the gate's lists."""

    def __init__(self, lists: Lists, known: Callable[[str], bool]) -> None:
        self.lists = lists
        self.known = known
        self.title_case = False  # the piece being weighed came out of a Title Case run
        self.references = References(frozenset(), Spans([]))  # of the text being weighed

    def weigh(self, text: str, candidates: Iterable[Candidate]) -> list[Candidate]:
        """The person findings of ``text``: each candidate cut to its name and weighed, plus every
        later occurrence of a strongly found name."""
        orgs = self.lists.organisation_spans(text)
        self.references = References.of(text, RELATION_WORD, frozenset(self.lists.eponym_words))
        out: list[Candidate] = []
        for candidate in candidates:
            for start, end in pieces(text, candidate.start, candidate.end):
                weighed = self._weigh_piece(text, start, end, candidate.reason, orgs)
                if weighed is not None:
                    out.append(weighed)
        return self._recurring(text, out, orgs)

    # -- one piece ---------------------------------------------------------------------------

    def _weigh_piece(
        self, text: str, start: int, end: int, source: str, orgs: list[tuple[int, int, bool]]
    ) -> Candidate | None:
        self.title_case = False
        start, end, led, moved = self._trim(
            text, start, end, lowercase_name=source in ("kleine-letters", "label", "relatie", "leeftijd")
        )
        if end <= start:
            return None
        fragment = text[start:end]
        tokens = [t for t in TOKEN.findall(fragment) if t.lower() not in PARTICLES]
        if not tokens or all(_acronym(t) for t in tokens):
            return None
        context = led or (source in STRONG_SOURCES and not moved)
        context = context or bool(RELATION_BEFORE.search(text[max(0, start - 30) : start]))
        core = start + fragment.index(tokens[0])
        if self._organisation(core, end, orgs) or self._abbreviation(text, end, tokens):
            return None
        if not context and self._not_a_person(text, start, end, tokens):
            return None
        cue = self.lists.reference_cue
        reference = not context and self.references.is_reference(text, start, end)  # "Marte Meo-therapeut"
        if reference or (not context and cue is not None and cue.search(text[max(0, start - 60) : start])):
            return self._make(start, end, "bekende-naam", blocking=False)  # "fan van Frenkie de Jong"
        by_pattern = any(s <= start and end <= e for s, e, pattern in orgs if pattern)
        article = ARTICLE_BEFORE.search(text, max(0, start - 8), start) is not None and not context
        if by_pattern or self._institution_word(text, start, end) or (article and len(tokens) > 1):
            return self._make(start, end, "instelling", blocking=False) if self._person_like(tokens) else None
        if context:
            if len(tokens) == 1 and (tokens[0].lower() in self.lists.stop_words or self.known(fragment)):
                return None
            if len(tokens) == 1 and fragment.islower() and is_common_word(fragment) and fragment not in first_names():
                return None
            return self._make(start, end, "leeftijd" if source == "leeftijd" else "context")
        if len(tokens) > 1:
            return self._weigh_full_name(start, end, tokens)
        return self._weigh_single(text, start, end, tokens[0])

    def _weigh_full_name(self, start: int, end: int, tokens: list[str]) -> Candidate | None:
        first, last = tokens[0], tokens[-1]
        if _initial(first) and self._surname_like(last):
            return self._make(start, end, "voorletters")
        if first.lower() in first_names() and self._surname_like(last):
            return self._make(start, end, "voornaam-achternaam")
        if not any(t.lower() in first_names() or t.lower() in surnames() or not is_common_word(t) for t in tokens):
            return None  # a Title Case phrase of ordinary words: "Haagse Jeugdhulptafel"
        namey = [self._namey(t) for t in tokens]
        if all(namey) or (any(namey) and all(n or t.lower() in surnames() for n, t in zip(namey, tokens, strict=True))):
            return self._make(start, end, "onbekende-naam")
        return self._make(start, end, "gewoon-woord", blocking=False)

    def _namey(self, token: str) -> bool:
        """A word that reads as a name: in a name list and no ordinary word, or no Dutch word or
        place at all; for a double name ("Jansen-Bakker") each part."""
        parts = [p for p in token.split("-") if p and p.lower() not in PARTICLES]
        if not parts or _acronym(token):
            return False
        return all(
            (p.lower() in first_names() or p.lower() in surnames() or not self.lists.is_place(p))
            and not is_common_word(p)
            for p in parts
        )

    def _weigh_single(self, text: str, start: int, end: int, word: str) -> Candidate | None:
        lower = word.lower()
        if lower in self.lists.stop_words:
            return None
        initial = _opens_sentence(text, start)
        first, surname, common = lower in first_names(), lower in surnames(), is_common_word(word)
        if word.islower():  # deduce's list hit in lower case: "smit belde", but not "roos" or "bas"
            return self._make(start, end, "voornaam") if (first or surname) and not common else None
        if initial and lower in dutch_verbs() and not first:
            return None
        if surname and not first and PLACE_BEFORE.search(text, max(0, start - 12), start):
            return self._make(start, end, "zinsbegin" if initial else "gewoon-woord", blocking=False)  # "uit Nador"
        if (first or surname) and not common:
            return self._make(start, end, "voornaam" if first else "onbekende-naam")
        if (first or surname) and AGE_AFTER.match(text, end):
            return self._make(start, end, "leeftijd")
        if not initial and first and not self.title_case:
            return self._make(start, end, "midden-in-zin")
        if initial and first and _subject(text, end):
            return self._make(start, end, "context")
        if initial and common and not (first or surname):
            return None
        return self._make(start, end, "zinsbegin" if initial and not common else "gewoon-woord", blocking=False)

    # -- helpers -----------------------------------------------------------------------------

    def _trim(self, text: str, start: int, end: int, *, lowercase_name: bool) -> tuple[int, int, bool, bool]:
        """Cut leading markers, titles, roles, prepositions and common words, and trailing
        particles and fragments; ``led`` is True when a title or relation word was cut."""
        led = cut_preposition = False
        while start < end:
            m = NON_WORD.match(text, start, end)
            if m:
                start = m.end()
                continue
            m = TOKEN.match(text, start, end)
            if m is None:
                break
            word = m.group(0)
            lower = word.lower().rstrip(".")
            if not text[m.end() : end].strip():
                break
            two = DE_HEER.match(text, start, end)
            if two:
                led, start = True, start + two.end()
                continue
            if lower in TITLE_WORDS or RELATION_WORD.fullmatch(lower):
                led = True
            elif lower in PARTICLES or _initial(word):
                break
            elif _acronym(word):
                pass  # "GGZ", "GI": an organisation word before the name
            elif word.islower():
                if lowercase_name and not is_common_word(lower):
                    break
                cut_preposition = True
            elif lower in first_names() or not (lower in self.lists.allowed or is_common_word(word)):
                break
            else:
                self.title_case = True
            start = m.end()
        while end > start:
            parts = text[start:end].rstrip(" \t.,;:-").rsplit(None, 1)
            last = parts[-1] if parts else ""
            dropped = last.lower() in PARTICLES or last.endswith("-") or (last.islower() and not lowercase_name)
            dropped = dropped or any(c.isdigit() for c in last)  # "Leerlus Q3": no name holds a digit
            if len(parts) == 2 and dropped:
                end = start + len(parts[0])
            else:
                end = start + len(text[start:end].rstrip(" \t.,;:"))
                break
        return start, end, led, cut_preposition

    def _organisation(self, start: int, end: int, orgs: list[tuple[int, int, bool]]) -> bool:
        return any(s <= start and end <= e for s, e, pattern in orgs if not pattern)

    def _abbreviation(self, text: str, end: int, tokens: list[str]) -> bool:
        """A legal abbreviation with its full stop: "art. 2.3", "Stb. 2014", "Rb. Den Haag"."""
        return len(tokens) == 1 and text[end : end + 1] == "." and tokens[0].lower() in self.lists.abbreviations

    def _not_a_person(self, text: str, start: int, end: int, tokens: list[str]) -> bool:
        """Places, allowed words, abbreviations, team names."""
        fragment = text[start:end]
        if self.known(fragment):
            return True
        if len(tokens) == 1 and self.known(tokens[0]):
            return True
        if self.lists.is_place(fragment) and not (len(tokens) == 1 and tokens[0].lower() in first_names()):
            return True
        eponym = EPONYM_BEFORE.search(text[max(0, start - 40) : start].lower())
        if eponym and eponym.group(1) in self.lists.eponym_words:
            return True  # "de piramide van Maslow", "het syndroom van Down"
        before = re.search(r"([\w-]+)[ \t]+$", text[max(0, start - 30) : start].lower())
        if before is None:
            return False
        word = before.group(1)  # "Jeugdteam Stad", "op Het Baken" (no person takes 'het')
        return word in self.lists.organisations or word.endswith("team") or word == "het"

    def _institution_word(self, text: str, start: int, end: int) -> bool:
        """An institution word in the candidate or right next to it ("Stichting Timon", "Johan de
        Witt College", "Willem van Oranjeschool")."""
        before = re.search(r"([\w-]+)[ \t]+$", text[max(0, start - 30) : start])
        after = re.match(r"[ \t]+([\w-]+)", text[end : end + 30])
        words = [w.lower().strip(".,") for w in re.split(r"[\s-]+", text[start:end])]
        neighbours = [m.group(1).lower().strip(".,") for m in (before, after) if m]
        if any(w in self.lists.institution_words for w in words + neighbours):
            return True
        if words[0] in SAINT or SAINT_BEFORE.search(text, max(0, start - 8), start):
            return True  # "Sint Willibrord", "St. Jozefschool": a saint names a school, church or home
        business = self.lists.business_words
        if (len(words) > 1 and words[-1].rstrip(".") in business) or (after and after.group(1).lower() in business):
            return True  # a business or institution named after a person: "Bouman GGZ", "Jansen Transport"
        return any(w.endswith(self.lists.suffixes) and len(w) > 8 for w in words[-1:] if w not in surnames())

    def _person_like(self, tokens: list[str]) -> bool:
        return any(t.lower() in first_names() or t.lower() in surnames() for t in tokens)

    def _surname_like(self, word: str) -> bool:
        """After a first name or initials: any capitalised word that is not an abbreviation or a
        stop word ("Jan Bakker", "Kees Haarlem", "Anouk ten Have")."""
        return not _acronym(word) and word[:1].isupper() and word.lower() not in self.lists.stop_words

    def _make(self, start: int, end: int, reason: str, *, blocking: bool = True) -> Candidate:
        return Candidate("persoonsnaam", start, end, blocking, reason)

    def _recurring(self, text: str, found: list[Candidate], orgs: list[tuple[int, int, bool]]) -> list[Candidate]:
        """A name found strongly once is strong everywhere: weak findings of the same word become
        strong, and other capitalised occurrences of it become findings too."""
        names: set[str] = set()
        for c in found:
            if c.blocking:
                names.update(t for t in TOKEN.findall(text[c.start : c.end]) if _distinctive(t))
        if not names:
            return found
        out = [
            replace(c, blocking=True, reason="terugkerend") if not c.blocking and _words(text, c) <= names else c
            for c in found
        ]
        covered, inside = Spans((c.start, c.end) for c in out), Spans((s, e) for s, e, _ in orgs)
        for m in _occurrences(text, names):
            if not covered.overlaps(m.start(), m.end()) and not inside.contains(m.start(), m.end()):
                out.append(self._make(m.start(), m.end(), "terugkerend"))
        return out


def _opens_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 60) : start]
    return bool(
        LINE_START.search(before) or SENTENCE_START.search(before) or HEADING.search(text, max(0, start - 200), start)
    )


def _subject(text: str, end: int) -> bool:
    """The word after ``end`` is a finite verb (not a copula): the name is a sentence's subject."""
    m = re.match(r"[ \t]+([a-zà-öø-ÿ]+)", text[end : end + 30])
    if m is None or m.group(1) in COPULAS:
        return False
    word = m.group(1)
    verbs = dutch_verbs()
    return word in AUXILIARIES or (word.endswith("t") and (word[:-1] + "en") in verbs)


def _initial(token: str) -> bool:
    return bool(re.fullmatch(r"(?:[A-Z]\.)+[A-Z]?|[A-Z]", token))


def _acronym(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters) and "." not in token


def _distinctive(token: str) -> bool:
    """A name word worth looking for elsewhere: capitalised, no particle, not an ordinary word."""
    return (
        token[:1].isupper()
        and token.lower() not in PARTICLES
        and not _initial(token)
        and not _acronym(token)
        and (token.lower() in first_names() or not is_common_word(token))
        and len(token) > 2
    )


def _words(text: str, candidate: Candidate) -> set[str]:
    return {t for t in TOKEN.findall(text[candidate.start : candidate.end]) if t.lower() not in PARTICLES}


def _occurrences(text: str, names: set[str]) -> Iterator[re.Match[str]]:
    pattern = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.finditer(rf"(?<![\wÀ-ſ@.-])(?:{pattern})(?![\wÀ-ſ@-]|\.[\wÀ-ſ])", text)
