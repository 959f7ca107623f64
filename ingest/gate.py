"""Anonymisation gate: find personal data in a case text, report it, and offer a redacted version.

Uses ``deduce`` (rule-based de-identification for Dutch) for names, places, dates and numbers, the
checks in :mod:`ingest.privacy_rules` for BSN, IBAN, e-mail, phone, addresses and dates of birth,
and the trained spaCy model's PER entities when that model is loaded. The allow and deny lists in
``privacy.yaml`` (plus all gazetteer names) decide what is never flagged or always flagged.
Blocking kinds stop a case; warnings ask for a second look. Deduce is loaded once per process,
lazily; its first load on a new install builds a cache for about a minute.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ingest.names import dutch_verbs, dutch_words, find_names
from ingest.privacy_lists import load_lists
from ingest.privacy_rules import Candidate, date_kind, elfproef, find_all, is_case_date
from kb.taxonomy import Taxonomy, load_taxonomy

BLOCKING = ("persoonsnaam", "bsn", "geboortedatum", "adres", "telefoonnummer", "e-mailadres", "iban")
PLACEHOLDER = {
    "persoonsnaam": "PERSOON",
    "bsn": "BSN",
    "geboortedatum": "GEBOORTEDATUM",
    "adres": "ADRES",
    "telefoonnummer": "TELEFOONNUMMER",
    "e-mailadres": "E-MAILADRES",
    "iban": "IBAN",
}
TITLES = re.compile(
    r"^(?:(?:in|uit|naar|bij|te|van|met|door|voor|en|of|de|het|een)\s+)*"
    r"(?:(?:mevrouw|mevr\.?|mw\.?|meneer|mnr\.?|dhr\.?|de heer|heer|mr\.?|dr\.?|drs\.?|ir\.?|prof\.?|ing\.?"
    r"|juf|meester)\s+)*",
    re.IGNORECASE,
)
PARTICLES = {"van", "de", "der", "den", "het", "'t", "ter", "ten", "te", "en", "in", "bij", "uit", "op"}
SERVICE_NUMBERS = ("0800", "0900", "0906", "0909")  # free and paid service lines, never a person


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: what kind, the text, where (offsets and line), and whether it
    blocks the case."""

    kind: str
    text: str
    start: int
    end: int
    line: int
    blocking: bool

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class GateResult:
    findings: tuple[Finding, ...]
    redacted: str

    @property
    def ok(self) -> bool:
        return not any(f.blocking for f in self.findings)

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    def to_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "findings": [f.to_dict() for f in self.findings], "redacted": self.redacted}


class Gate:
    """The anonymisation gate of one process. Thread-safe; deduce loads on first use."""

    def __init__(
        self,
        taxonomy: Taxonomy | None = None,
        person_model: Any = None,
        *,
        spacy_model: str | None = None,
        taxonomy_dir: Path | None = None,
    ) -> None:
        self.lists = load_lists(taxonomy or load_taxonomy(taxonomy_dir))
        self.person_model = person_model
        self._pipeline_key = (spacy_model, taxonomy_dir)
        self._deduce: Any = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._deduce is not None

    def load(self) -> None:
        """Load deduce now (building its cache on a new install), and the trained model's person
        recogniser when a model with named entities is installed or configured."""
        with self._lock:
            if self._deduce is None:
                self._deduce = _load_deduce()
                if self.person_model is None:
                    self.person_model = _person_recogniser(*self._pipeline_key)

    def check(self, text: str) -> GateResult:
        """All findings in ``text`` (offsets into ``text`` as given) and a redacted version."""
        self.load()
        candidates = list(self._deduce_candidates(text)) + list(find_all(text))
        candidates += [c for c in find_names(text, self._allowed) if not self._inside_allowed(text, c)]
        candidates += self._denied(text)
        if self.person_model is not None:
            candidates += [Candidate("persoonsnaam", s, e, True) for s, e in self.person_model(text)]
        candidates = [c for c in candidates if c.kind != "datum" or not is_case_date(text, c.start)]
        candidates = [c for c in candidates if not self._not_personal(text, c)]
        findings = self._merge(text, candidates)
        return GateResult(findings=tuple(findings), redacted=redact(text, findings))

    # -- sources ---------------------------------------------------------------------------

    def _deduce_candidates(self, text: str) -> Iterable[Candidate]:
        with self._lock:  # deduce keeps state while processing a document
            doc = self._deduce.deidentify(text)
        for ann in doc.annotations:
            tag, start, end = ann.tag, ann.start_char, ann.end_char
            if tag in ("persoon", "patient"):
                start, end = self._trim_person(text, start, end)
                if end > start and not self._allowed(text[start:end]) and not self._not_a_name(text, start, end):
                    yield Candidate("persoonsnaam", start, end, True)
            elif tag == "locatie":
                if re.search(r"\d", ann.text) and not _common_word_address(ann.text):
                    yield Candidate("adres", start, end, True)
                elif not self._allowed(ann.text) and re.search(
                    r"(straat|laan|weg|plein|kade|gracht)\b", ann.text, re.I
                ):
                    yield Candidate("straatnaam", start, end, False)
            elif tag == "datum":
                kind = date_kind(text, start)
                if kind == "geboortedatum" or _full_date(ann.text):
                    yield Candidate(kind, start, end, kind == "geboortedatum")
            elif tag == "telefoonnummer":
                yield Candidate("telefoonnummer", start, end, True)
            elif tag in ("emailadres", "email"):
                yield Candidate("e-mailadres", start, end, True)
            elif tag == "bsn":
                digits = re.sub(r"\D", "", ann.text)
                yield Candidate("bsn" if elfproef(digits) else "nummer", start, end, elfproef(digits))
            elif tag in ("id", "url"):
                yield Candidate("nummer" if tag == "id" else "url", start, end, False)

    def _denied(self, text: str) -> list[Candidate]:
        found = []
        for denied, kind in self.lists.denied:
            for m in re.finditer(rf"(?<!\w){re.escape(denied)}(?!\w)", text, re.IGNORECASE):
                found.append(Candidate(kind, m.start(), m.end(), kind in BLOCKING))
        return found

    # -- filtering -------------------------------------------------------------------------

    def _allowed(self, fragment: str) -> bool:
        key = " ".join(fragment.lower().split()).strip(".,;:()")
        return key in self.lists.allowed or key in self.lists.places

    def _not_a_name(self, text: str, start: int, end: int) -> bool:
        """Deduce's person guesses that are ordinary words: a stop word ("elke", "alle"), an
        imperative or heading word at the start of a line or sentence ("Pak werk", "### Kern"),
        a word of an allowed phrase, the name of a team ("Jeugdteam Stad") or a name after 'het'."""
        words = text[start:end].split()
        lower = [w.lower().strip(".,") for w in words]
        if any(w in self.lists.allowed for w in lower):
            return True
        before = text[max(0, start - 30) : start]
        adjacent = re.search(r"([\w-]+)[ \t]+$", before.lower())  # "Jeugdteam Stad", not "GGD: Sara"
        if adjacent and (adjacent.group(1) in self.lists.organisations or adjacent.group(1).endswith("team")):
            return True
        if adjacent and adjacent.group(1) == "het":  # "op Het Baken": a place; no person takes 'het'
            return True
        if len(words) != 1:
            return False
        word = lower[0]
        if word in self.lists.stop_words:
            return True
        line_start = re.search(r"(^|\n)\s*(#+\s*|[-*]\s*|\d+[.)]\s*)?[\"'“„]?$", before) is not None
        sentence_start = line_start or re.search(r"[.!?:;]\s*[\"'“„]?$", before) is not None
        heading = re.search(r"(^|\n)\s*#+\s*$", before) is not None
        return sentence_start and (word in dutch_verbs() or (heading and word in dutch_words()))

    def _not_personal(self, text: str, candidate: Candidate) -> bool:
        """A service number (0800, 0900) or a "name" that is an institution ("Stichting Timon",
        "Lucas Onderwijs", "Willem Alexander school")."""
        fragment = text[candidate.start : candidate.end]
        if candidate.kind == "telefoonnummer":
            return re.sub(r"\D", "", fragment).startswith(SERVICE_NUMBERS)
        if candidate.kind != "persoonsnaam":
            return False
        before = re.search(r"([\w.-]+)[ \t]+$", text[max(0, candidate.start - 30) : candidate.start])
        after = re.match(r"[ \t]+([\w.-]+)", text[candidate.end : candidate.end + 30])
        words = [w.lower().strip(".,") for w in re.split(r"[\s-]+", fragment)]
        words += [m.group(1).lower() for m in (before, after) if m]
        return any(w in self.lists.institution_words for w in words)

    def _inside_allowed(self, text: str, candidate: Candidate) -> bool:
        """True when the candidate is part of an allowed phrase around it ("Veilig Thuis")."""
        window = text[max(0, candidate.start - 40) : candidate.end + 40].lower()
        inner = text[candidate.start : candidate.end].lower()
        return any(inner in a and a in window for a in self.lists.allowed if len(a) > len(inner))

    def _trim_person(self, text: str, start: int, end: int) -> tuple[int, int]:
        """Drop leading prepositions and titles and trailing words that begin an allowed phrase
        ("Jan de Vries van Veilig" before "Thuis"), so only the name part remains."""
        fragment = text[start:end]
        lead = TITLES.match(fragment)
        if lead:
            start += lead.end()
        while True:  # a role before the name ("Pleegmoeder Ingrid ...") is not part of it
            first = re.match(r"(\S+)\s+", text[start:end])
            if first is None or first.group(1).lower().strip(".,:;()") not in self.lists.allowed:
                break
            start += first.end()
        words = list(re.finditer(r"\S+", text[start:end]))
        for i in range(1, len(words)):
            tail = text[start + words[i].start() : min(len(text), end + 40)].lower()
            if any(
                tail.startswith(a + " ") or tail == a or tail.startswith(a + ".")
                for a in self.lists.allowed
                if len(a) > 3
            ):
                end = start + words[i].start()
                break
        while True:
            parts = text[start:end].rstrip().rsplit(None, 1)
            if len(parts) == 2 and parts[1].lower() in PARTICLES:
                end = start + len(parts[0])
            else:
                break
        return start, start + len(text[start:end].rstrip(" ,.;:"))

    def _merge(self, text: str, candidates: list[Candidate]) -> list[Finding]:
        """One finding per stretch of text: overlapping candidates are joined, blocking wins."""
        ordered = sorted(candidates, key=lambda c: (c.start, -c.end))
        merged: list[Candidate] = []
        for c in ordered:
            if c.end <= c.start:
                continue
            if merged and c.start < merged[-1].end:
                last = merged[-1]
                keep = last if (last.blocking, last.end - last.start) >= (c.blocking, c.end - c.start) else c
                merged[-1] = Candidate(
                    keep.kind, min(last.start, c.start), max(last.end, c.end), last.blocking or c.blocking
                )
            else:
                merged.append(c)
        return [
            Finding(c.kind, text[c.start : c.end], c.start, c.end, text.count("\n", 0, c.start) + 1, c.blocking)
            for c in merged
        ]


def _common_word_address(fragment: str) -> bool:
    """ "Punt 3", "Stap 2": a Dutch word with a number, not a street (streets get our own check)."""
    words = fragment.split()
    return len(words) == 2 and words[0].lower() in dutch_words() and words[1][0].isdigit()


def _full_date(fragment: str) -> bool:
    """A date with day, month and year (``maart 2023`` is no personal data)."""
    return bool(re.search(r"\d{1,2}\D+\d{1,2}\D+\d{2,4}|\d{1,2}\s+[a-z]+\.?\s+\d{4}", fragment, re.IGNORECASE))


class Redactor:
    """Replaces blocking findings by numbered placeholders; the same person (or number, or address)
    gets the same placeholder every time, also across the fields of one submission."""

    def __init__(self) -> None:
        self.numbers: dict[tuple[str, str], int] = {}
        self.counters: dict[str, int] = {}

    def apply(self, text: str, findings: Iterable[Finding]) -> str:
        out, position = [], 0
        for finding in sorted((f for f in findings if f.blocking), key=lambda f: f.start):
            out.append(text[position : finding.start])
            out.append(f"[{PLACEHOLDER.get(finding.kind, finding.kind.upper())}-{self._number(finding)}]")
            position = finding.end
        out.append(text[position:])
        return "".join(out)

    def _number(self, finding: Finding) -> int:
        key = (finding.kind, _identity(finding))
        if key not in self.numbers:
            known = _same_person(finding, self.numbers)
            if known is None:
                self.counters[finding.kind] = self.counters.get(finding.kind, 0) + 1
                known = self.counters[finding.kind]
            self.numbers[key] = known
        return self.numbers[key]


def redact(text: str, findings: Iterable[Finding]) -> str:
    """``text`` with every blocking finding replaced by a consistent numbered placeholder."""
    return Redactor().apply(text, findings)


def _identity(finding: Finding) -> str:
    if finding.kind in ("bsn", "telefoonnummer", "iban"):
        return re.sub(r"\W", "", finding.text).lower()
    return " ".join(finding.text.lower().replace(".", " ").split())


def _same_person(finding: Finding, numbers: dict[tuple[str, str], int]) -> int | None:
    """A single first name or surname that is part of a full name seen before is that person."""
    if finding.kind != "persoonsnaam":
        return None
    words = set(_identity(finding).split()) - PARTICLES
    for (kind, identity), number in numbers.items():
        if kind == "persoonsnaam" and words and words <= set(identity.split()):
            return number
    return None


PERSON_LABELS = frozenset({"PER", "PERSON"})


def _person_recogniser(spacy_model: str | None, taxonomy_dir: Path | None) -> Any:
    """A function giving the PER spans of the trained spaCy model, or None without one."""
    from ingest.pipeline import get_pipeline

    nlp = get_pipeline(spacy_model, taxonomy_dir).nlp
    if "ner" not in nlp.pipe_names:
        return None

    def persons(text: str) -> list[tuple[int, int]]:
        return [(e.start_char, e.end_char) for e in nlp(text).ents if e.label_ in PERSON_LABELS]

    return persons


def _load_deduce() -> Any:
    """Import and build deduce without letting it reconfigure logging (it sets the root logger to
    DEBUG on stdout at import, which would mix its output, and texts, into ours)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from deduce import Deduce

        for name in ("deduce", "docdeid"):
            logging.getLogger(name).setLevel(logging.WARNING)
        root.setLevel(logging.WARNING)
        return Deduce()
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)


_gates: dict[tuple[str | None, str | None], Gate] = {}
_gates_lock = threading.Lock()


def get_gate(taxonomy_dir: Path | None = None, spacy_model: str | None = None) -> Gate:
    """The gate of this process for a taxonomy directory and model (deduce loads on first check)."""
    key = (str(taxonomy_dir) if taxonomy_dir else None, spacy_model)
    with _gates_lock:
        if key not in _gates:
            _gates[key] = Gate(spacy_model=spacy_model, taxonomy_dir=taxonomy_dir)
        return _gates[key]
