"""Anonymisation gate: find personal data in a case text, weigh it, report it, and offer a redacted
version.

Uses ``deduce`` (rule-based de-identification for Dutch) for names, places, dates and numbers, the
checks in :mod:`ingest.privacy_rules` for BSN, IBAN, e-mail, phone, addresses and dates of birth,
the context rules of :mod:`ingest.names`, and the trained spaCy model's PER entities when that model
is loaded. :mod:`ingest.name_weight` cuts every name candidate to the name itself and weighs it:
strong evidence blocks the case, weak evidence is a "controleer" warning the author can mark
"geen persoonsgegeven" (``geen_persoonsgegevens`` in the front matter, or ``marked``). The allow and
deny lists in ``privacy.yaml`` and ``organisaties.yaml`` (plus all gazetteer names) decide what is
never flagged or always flagged. :mod:`ingest.redaction` writes the redacted version. Deduce is
loaded once per process, lazily, by :mod:`ingest.deduce_engine` (which also keeps its work linear in
the text); its first load on a new install builds a cache for two to three minutes on 2 cores
(``leerlus warm``, which ``make run`` runs once).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from ingest.deduce_engine import load_deduce
from ingest.lexicon import frequency
from ingest.name_spans import pieces
from ingest.name_weight import REASONS, NameWeigher
from ingest.names import find_names
from ingest.privacy_lists import load_lists
from ingest.privacy_rules import Candidate, date_kind, elfproef, find_all, is_case_date, role_mailbox
from ingest.redaction import FRONT_MATTER, PLACEHOLDER, Redactor, redact, with_marks
from kb.taxonomy import Taxonomy, load_taxonomy

BLOCKING = ("persoonsnaam", "bsn", "geboortedatum", "adres", "telefoonnummer", "e-mailadres", "iban")
KIND_LABELS = {"bsn": "BSN", "iban": "IBAN"}
SERVICE_NUMBERS = ("0800", "0900", "0906", "0909")  # free and paid service lines, never a person
MARK_FIELD = "geen_persoonsgegevens"
MARK_LINES = re.compile(rf"(?m)^{MARK_FIELD}:.*(?:\n[ \t]+-.*)*")
MARK_REASON = "persoonsgegeven in geen_persoonsgegevens: een markering mag alleen een waarschuwing opheffen"
CHECKED = {
    "bsn": "negen cijfers die de elfproef doorstaan",
    "iban": "IBAN met geldige controle",
    "adres": "straat of postcode met huisnummer",
    "telefoonnummer": "telefoonnummer",
    "e-mailadres": "e-mailadres",
    "geboortedatum": "datum bij een geboortewoord",
}

__all__ = ["BLOCKING", "PLACEHOLDER", "Checker", "Finding", "Gate", "GateResult", "Redactor", "get_gate", "redact"]


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: what kind, the text, where (offsets and line), whether it
    blocks the case, and why (in Dutch, for the author)."""

    kind: str
    text: str
    start: int
    end: int
    line: int
    blocking: bool
    reason: str = ""

    @property
    def label(self) -> str:
        """The kind as a reader writes it: "BSN" and "IBAN" in capitals, the rest as it is."""
        return KIND_LABELS.get(self.kind, self.kind)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class GateResult:
    findings: tuple[Finding, ...]
    redacted: str
    marked: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(f.blocking for f in self.findings)

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def to_check(self) -> list[Finding]:
        """Name warnings ("controleer") the author has not marked "geen persoonsgegeven"."""
        return [f for f in self.findings if not f.blocking and f.kind == "persoonsnaam"]

    def to_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "findings": [f.to_dict() for f in self.findings], "redacted": self.redacted}


class Checker(Protocol):
    """What a route needs of the gate: :class:`Gate` in this process, or
    :class:`ingest.pooled.PooledGate` in the worker pool."""

    def check(self, text: str, marked: Iterable[str] = ()) -> GateResult: ...


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
        self.weigher = NameWeigher(self.lists, self._allowed)

    @property
    def loaded(self) -> bool:
        return self._deduce is not None

    def load(self) -> None:
        """Load deduce now (building its cache on a new install), and the trained model's person
        recogniser when a model with named entities is installed or configured."""
        with self._lock:
            if self._deduce is None:
                self._deduce = load_deduce()
                frequency("de")  # load the word frequencies now, not during the first check
                if self.person_model is None:
                    self.person_model = _person_recogniser(*self._pipeline_key)

    def check(self, text: str, marked: Iterable[str] = ()) -> GateResult:
        """All findings in ``text`` (offsets into ``text`` as given) and a redacted version.
        Warnings whose text is in ``marked`` or in the front matter's ``geen_persoonsgegevens`` are
        the author's "geen persoonsgegeven" and move to ``GateResult.marked``; a mark never
        unblocks a blocking finding, and a mark that is itself personal data blocks."""
        self.load()
        marked = list(marked)
        listed, field = _mark_field(text)
        blanked = text[: field[0]] + re.sub(r"[^\n]", " ", text[field[0] : field[1]]) + text[field[1] :]
        findings = self._find(blanked, text)
        for value in listed:
            if any(f.blocking for f in self._find(value, value)):
                at = text.find(value, field[0], field[1])
                line = text.count("\n", 0, at) + 1
                findings.append(Finding("persoonsnaam", value, at, at + len(value), line, True, MARK_REASON))
        findings, kept = _split_marks(sorted(findings, key=lambda f: f.start), [*marked, *listed])
        redacted = redact(text, findings)
        asked = {_mark_key(m) for m in marked}
        redacted = with_marks(redacted, MARK_FIELD, [f.text for f in kept if _mark_key(f.text) in asked])
        return GateResult(findings=tuple(findings), redacted=redacted, marked=tuple(kept))

    def _find(self, scan: str, text: str) -> list[Finding]:
        """Findings in ``scan``, with their text taken from ``text`` (the same text, or the same
        with the mark field blanked out)."""
        persons: list[Candidate] = []
        others: list[Candidate] = []
        for c in self._deduce_candidates(scan):
            (persons if c.kind == "persoonsnaam" else others).append(c)
        others += find_all(scan)
        persons += [c for c in find_names(scan, self._allowed) if not self._inside_allowed(scan, c)]
        for c in self._denied(scan):
            (persons if c.kind == "persoonsnaam" else others).append(c)
        if self.person_model is not None:
            persons += [Candidate("persoonsnaam", s, e, True, "model") for s, e in self.person_model(scan)]
        others = [c for c in others if c.kind != "datum" or not is_case_date(scan, c.start)]
        others = [c for c in others if not self._service_number(scan, c) and not self._named_place(scan, c)]
        others = [Candidate(c.kind, s, e, c.blocking, c.reason) for c in others for s, e in _lines(scan, c)]
        return self._merge(text, self.weigher.weigh(scan, persons) + others)

    # -- sources ---------------------------------------------------------------------------

    def _deduce_candidates(self, text: str) -> Iterable[Candidate]:
        with self._lock:  # deduce keeps state while processing a document
            doc = self._deduce.deidentify(text)
        for ann in doc.annotations:
            tag, start, end = ann.tag, ann.start_char, ann.end_char
            if tag in ("persoon", "patient"):
                if not self._allowed(text[start:end]):
                    yield Candidate("persoonsnaam", start, end, True, "deduce")
            elif tag == "locatie":
                if re.search(r"\d", ann.text) and not _common_word_address(ann.text):
                    yield Candidate("adres", start, end, True)
                elif not self._allowed(ann.text) and re.search(
                    r"(straat|laan|weg|plein|kade|gracht)\b", ann.text, re.I
                ):
                    yield Candidate("straatnaam", start, end, False)
            elif tag == "datum":
                kind = date_kind(text, start, end)
                if kind == "geboortedatum" or _full_date(ann.text):
                    yield Candidate(kind, start, end, kind == "geboortedatum")
            elif tag == "telefoonnummer":
                yield Candidate("telefoonnummer", start, end, True)
            elif tag in ("emailadres", "email"):
                yield Candidate("e-mailadres", start, end, not role_mailbox(ann.text.split("@", 1)[0]))
            elif tag == "bsn":
                digits = re.sub(r"\D", "", ann.text)
                yield Candidate("bsn" if elfproef(digits) else "nummer", start, end, elfproef(digits))
            elif tag in ("id", "url"):
                yield Candidate("nummer" if tag == "id" else "url", start, end, False)

    def _denied(self, text: str) -> list[Candidate]:
        found = []
        for denied, kind in self.lists.denied:
            for m in re.finditer(rf"(?<!\w){re.escape(denied)}(?!\w)", text, re.IGNORECASE):
                found.append(Candidate(kind, m.start(), m.end(), kind in BLOCKING, "verboden"))
        return found

    # -- filtering -------------------------------------------------------------------------

    def _allowed(self, fragment: str) -> bool:
        key = " ".join(fragment.lower().split()).strip(".,;:()")
        return key in self.lists.allowed or key in self.lists.places

    def _service_number(self, text: str, candidate: Candidate) -> bool:
        """A service number (0800, 0900) is no person's phone."""
        if candidate.kind != "telefoonnummer":
            return False
        return re.sub(r"\D", "", text[candidate.start : candidate.end]).startswith(SERVICE_NUMBERS)

    def _named_place(self, text: str, candidate: Candidate) -> bool:
        """An "address" whose words before the number end in a known region or organisation
        ("Noord-Holland Noord 1") is a numbered item, not where someone lives."""
        if candidate.kind != "adres":
            return False
        words = re.sub(r"\s*\d.*$", "", text[candidate.start : candidate.end], flags=re.S).split()
        # Only the allow list (regions, organisations, laws): the place list also holds street names.
        keys = (" ".join(" ".join(words[i:]).lower().split()).strip(".,;:()") for i in range(len(words)))
        return any(key in self.lists.allowed for key in keys)

    def _inside_allowed(self, text: str, candidate: Candidate) -> bool:
        """True when the candidate is part of an allowed phrase around it ("Veilig Thuis")."""
        window = text[max(0, candidate.start - 40) : candidate.end + 40].lower()
        inner = text[candidate.start : candidate.end].lower()
        return any(inner in a and a in window for a in self.lists.allowed if len(a) > len(inner))

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
                    keep.kind, min(last.start, c.start), max(last.end, c.end), last.blocking or c.blocking, keep.reason
                )
            else:
                merged.append(c)
        findings, line, counted = [], 1, 0
        for c in merged:  # in text order: count the lines since the previous finding, not from the start
            line, counted = line + text.count("\n", counted, c.start), c.start
            findings.append(Finding(c.kind, text[c.start : c.end], c.start, c.end, line, c.blocking, _reason(c)))
        return findings


def _reason(candidate: Candidate) -> str:
    if candidate.kind == "persoonsnaam":
        return REASONS.get(candidate.reason, "persoonsnaam")
    if candidate.reason == "verboden":
        return "staat op de lijst van verboden teksten"
    if candidate.blocking:
        return CHECKED.get(candidate.kind, candidate.kind)
    return "controleer: mogelijk gevoelig"


def _lines(text: str, candidate: Candidate) -> list[tuple[int, int]]:
    """The parts of a finding on each line: a finding never crosses a line break."""
    return list(pieces(text, candidate.start, candidate.end, lines_only=True))


def _mark_field(text: str) -> tuple[list[str], tuple[int, int]]:
    """The author's "geen persoonsgegeven" marks in the front matter, and where that field is."""
    front = FRONT_MATTER.match(text)
    if front is None:
        return [], (0, 0)
    m = MARK_LINES.search(front.group(1))
    if m is None:
        return [], (0, 0)
    try:
        listed = yaml.safe_load(m.group(0)).get(MARK_FIELD)
    except (yaml.YAMLError, AttributeError):
        listed = None
    values = [str(v) for v in listed] if isinstance(listed, list) else [str(listed)] if listed else []
    return values, (front.start(1) + m.start(), front.start(1) + m.end())


def _split_marks(findings: list[Finding], marks: Iterable[str]) -> tuple[list[Finding], list[Finding]]:
    """Split off the warnings the author marked "geen persoonsgegeven"; a blocking finding is never
    unblocked by a mark."""
    keys = {_mark_key(m) for m in marks}
    kept, set_aside = [], []
    for finding in findings:
        if not finding.blocking and _mark_key(finding.text) in keys:
            set_aside.append(finding)
        else:
            kept.append(finding)
    return kept, set_aside


def _mark_key(text: str) -> str:
    return " ".join(text.lower().split())


def _common_word_address(fragment: str) -> bool:
    """ "Punt 3", "Stap 2": a Dutch word with a number, not a street (streets get our own check)."""
    from ingest.lexicon import dutch_words

    words = fragment.split()
    return len(words) == 2 and words[0].lower() in dutch_words() and words[1][0].isdigit()


def _full_date(fragment: str) -> bool:
    """A date with day, month and year (``maart 2023`` is no personal data)."""
    return bool(re.search(r"\d{1,2}\D+\d{1,2}\D+\d{2,4}|\d{1,2}\s+[a-z]+\.?\s+\d{4}", fragment, re.IGNORECASE))


PERSON_LABELS = frozenset({"PER", "PERSON"})


def _person_recogniser(spacy_model: str | None, taxonomy_dir: Path | None) -> Any:
    """A function giving the PER spans of the trained spaCy model, or None without one."""
    from ingest.pipeline import get_pipeline, in_pieces

    nlp = get_pipeline(spacy_model, taxonomy_dir).nlp
    if "ner" not in nlp.pipe_names:
        return None

    def persons(text: str) -> list[tuple[int, int]]:  # in_pieces: long runs are quadratic in spaCy's tokenizer
        return [(e.start_char, e.end_char) for e in nlp(in_pieces(text)).ents if e.label_ in PERSON_LABELS]

    return persons


_gates: dict[tuple[str | None, str | None], Gate] = {}
_gates_lock = threading.Lock()


def get_gate(taxonomy_dir: Path | None = None, spacy_model: str | None = None) -> Gate:
    """The gate of this process for a taxonomy directory and model (deduce loads on first check)."""
    key = (str(taxonomy_dir) if taxonomy_dir else None, spacy_model)
    with _gates_lock:
        if key not in _gates:
            _gates[key] = Gate(spacy_model=spacy_model, taxonomy_dir=taxonomy_dir)
        return _gates[key]


def _free_locks_in_child() -> None:
    """A forked worker (:mod:`ingest.workers`) starts with free locks: a thread of the parent may
    have held one at the fork, and that thread does not exist in the child."""
    global _gates_lock
    _gates_lock = threading.Lock()
    for gate in _gates.values():
        gate._lock = threading.Lock()


os.register_at_fork(after_in_child=_free_locks_in_child)
