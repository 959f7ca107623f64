"""Anonymisation gate, redaction: the text with each blocking finding replaced by a numbered
placeholder, and nothing else changed.

Findings never cross a line break (see :mod:`ingest.name_weight`), so line structure, headings and
the final newline stay as they were. One person keeps one number throughout a document, and across
the fields of one submission: a first name or surname alone ("Jeroen") is the person whose full
name contains it ("Jeroen de Vries"), whether the full name comes earlier or later; when two full
names share the word ("Sandra de Vries", "Jeroen de Vries"), the one mentioned last before it wins.
In YAML front matter a value that would now start with a placeholder is quoted, so the file stays
valid.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

import yaml

PLACEHOLDER = {
    "persoonsnaam": "PERSOON",
    "bsn": "BSN",
    "geboortedatum": "GEBOORTEDATUM",
    "adres": "ADRES",
    "telefoonnummer": "TELEFOONNUMMER",
    "e-mailadres": "E-MAILADRES",
    "iban": "IBAN",
}
PARTICLES = frozenset(
    [
        "van",
        "de",
        "der",
        "den",
        "het",
        "'t",
        "ter",
        "ten",
        "te",
        "el",
        "al",
        "ben",
        "bin",
        "abu",
        "ibn",
        "da",
        "di",
        "du",
        "la",
        "le",
        "von",
        "zu",
        "mc",
    ]
)
PLACEHOLDER_PATTERN = re.compile(r"\[(?:[A-Z]+-)*[A-Z]+-\d+\]")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.DOTALL)


class FindingLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def blocking(self) -> bool: ...


class Redactor:
    """Replaces blocking findings by numbered placeholders; the same person (or number, or address)
    gets the same placeholder every time, also across the texts given to one redactor."""

    def __init__(self) -> None:
        self.numbers: dict[tuple[str, str], int] = {}
        self.counters: dict[str, int] = {}
        self.full_names: list[frozenset[str]] = []
        self.last_used: dict[frozenset[str], int] = {}
        self.uses = 0

    def learn(self, findings: Iterable[FindingLike]) -> None:
        """Remember the full names among ``findings`` so that a first name earlier in any text
        given to this redactor already gets the full name's number."""
        for finding in findings:
            if finding.blocking and finding.kind == "persoonsnaam":
                words = _name_words(finding.text)
                if len(words) > 1 and words not in self.full_names:
                    self.full_names.append(words)

    def apply(self, text: str, findings: Iterable[FindingLike]) -> str:
        """``text`` with every blocking finding replaced; everything else byte for byte."""
        blocking = sorted((f for f in findings if f.blocking), key=lambda f: f.start)
        self.learn(blocking)
        out, position = [], 0
        for finding in blocking:
            if finding.start < position:
                continue
            out.append(text[position : finding.start])
            out.append(f"[{PLACEHOLDER.get(finding.kind, finding.kind.upper())}-{self._number(finding)}]")
            position = finding.end
        out.append(text[position:])
        return _yaml_safe(text, "".join(out))

    def _number(self, finding: FindingLike) -> int:
        key = (finding.kind, self._identity(finding))
        if key not in self.numbers:
            self.counters[finding.kind] = self.counters.get(finding.kind, 0) + 1
            self.numbers[key] = self.counters[finding.kind]
        return self.numbers[key]

    def _identity(self, finding: FindingLike) -> str:
        if finding.kind in ("bsn", "telefoonnummer", "iban"):
            return re.sub(r"\W", "", finding.text).lower()
        if finding.kind != "persoonsnaam":
            return " ".join(finding.text.lower().split())
        words = _name_words(finding.text)
        holders = [full for full in self.full_names if words and words <= full]
        if holders:
            words = max(holders, key=lambda full: (self.last_used.get(full, -1), -self.full_names.index(full)))
        self.uses += 1
        self.last_used[words] = self.uses
        return " ".join(sorted(words))


def redact(text: str, findings: Iterable[FindingLike]) -> str:
    """``text`` with every blocking finding replaced by a consistent numbered placeholder."""
    return Redactor().apply(text, findings)


def strip_placeholders(text: str) -> str:
    """``text`` without placeholders, for ids and file names ("Thuiszitter [PERSOON-1] (15)" ->
    "Thuiszitter (15)")."""
    return " ".join(PLACEHOLDER_PATTERN.sub(" ", text).split())


def _name_words(text: str) -> frozenset[str]:
    words = re.findall(r"[\wÀ-ſ'’]+", text.lower())
    return frozenset(w for w in words if w not in PARTICLES and len(w) > 1)


def _yaml_safe(original: str, redacted: str) -> str:
    """Quote a front-matter value (``key: ...`` or ``- ...``) that now starts with a placeholder,
    which YAML would otherwise read as a list."""
    front = FRONT_MATTER.match(redacted)
    if front is None or redacted == original:
        return redacted
    lines = front.group(1).split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*(?:[\w-]+:|-)[ \t]+)(\[.*)$", line)
        if m and PLACEHOLDER_PATTERN.match(m.group(2)):
            value = m.group(2).rstrip()
            lines[i] = m.group(1) + '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return redacted[: front.start(1)] + "\n".join(lines) + redacted[front.end(1) :]


def with_marks(text: str, field: str, marks: Iterable[str]) -> str:
    """``text`` with ``marks`` added to the list ``field`` of its YAML front matter (the author's
    "geen persoonsgegeven" choices, kept with the case); text without front matter is returned as
    it is."""
    front = FRONT_MATTER.match(text)
    marks = list(marks)
    if front is None or not marks:
        return text
    body = front.group(1)
    existing = re.search(rf"(?m)^{re.escape(field)}:.*\n(?:[ \t]+-.*\n)*", body)
    try:
        values = yaml.safe_load(body) or {}
    except yaml.YAMLError:
        return text
    known = values.get(field) if isinstance(values, dict) else None
    merged = list(dict.fromkeys([*(known if isinstance(known, list) else []), *marks]))
    line = yaml.safe_dump({field: merged}, allow_unicode=True, default_flow_style=None, width=1000)
    at = (existing.start(), existing.end()) if existing is not None else (len(body), len(body))
    body = body[: at[0]] + line + body[at[1] :]
    return text[: front.start(1)] + body + text[front.end(1) :]
