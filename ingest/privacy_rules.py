"""Anonymisation gate, own checks: Dutch personal data that rules can recognise with certainty.

BSN (nine digits passing the 11-proef, with or without dots or spaces), IBAN (mod-97 checksum),
e-mail addresses, Dutch phone numbers, postcode with house number, street with house number, and
full dates (a date of birth when "geboren", "geb." or "geboortedatum" stands just before it).
Each check yields :class:`Candidate` spans; :mod:`ingest.gate` merges them with deduce's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    "jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec"
)
STREET_SUFFIX = (
    "straat|laan|weg|plein|singel|kade|hof|gracht|dijk|dreef|pad|steeg|park|markt|ring|baan|wal|"
    "haven|veld|erf|plantsoen|boulevard|allee|dam|oord|vaart|kamp|akker|weide|berg|dal|straatweg|"
    "hoven|lei|burgwal|zoom|gaarde|rade|hage|horst|donk|hoek|schans|poort|wijk|plaats|promenade"
)
HOUSE_NUMBER = r"\d{1,5}(?:\s?[a-zA-Z](?![a-zA-Z])|[-\s]?(?:I{1,3}V?|IV|bis|hs|\d{1,3})(?![\w]))?"
POSTCODE = r"[1-9]\d{3}\s?(?!SA|SD|SS)[A-Z]{2}"

DATE_PATTERNS = [
    rf"\b\d{{1,2}}\s+(?:{MONTHS})\.?\s+(?:19|20)\d{{2}}\b",
    r"\b\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)\d{2}\b",
    r"\b(?:19|20)\d{2}-\d{1,2}-\d{1,2}\b",
]
BIRTH_CUE = re.compile(
    r"(geboren|geboorte|geb\.|geb\b|geboortedatum|geboortedag|geb\.datum|geb\.-datum|geboortejaar en -datum|d\.o\.b)",
    re.IGNORECASE,
)
BIRTH_WINDOW = 40


@dataclass(frozen=True)
class Candidate:
    """A possible finding: its kind, span, whether it blocks, and the evidence (``reason``)."""

    kind: str
    start: int
    end: int
    blocking: bool
    reason: str = ""


def elfproef(digits: str) -> bool:
    """True for a nine-digit number that passes the BSN 11-proef (weights 9..2 and -1)."""
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True))
    return total % 11 == 0


def iban_valid(text: str) -> bool:
    """Mod-97 check of an IBAN (spaces allowed)."""
    compact = re.sub(r"\s", "", text).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", compact):
        return False
    if compact.startswith("NL") and len(compact) != 18:
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


def find_all(text: str) -> Iterator[Candidate]:
    yield from _bsn(text)
    yield from _iban(text)
    yield from _email(text)
    yield from _phone(text)
    yield from _addresses(text)
    yield from _dates(text)


def _bsn(text: str) -> Iterator[Candidate]:
    for m in re.finditer(r"(?<![\w.,-])\d(?:[ .-]?\d){8}(?![\w]|[.,-]\d)", text):
        digits = re.sub(r"\D", "", m.group(0))
        if elfproef(digits):
            yield Candidate("bsn", m.start(), m.end(), True)


def _iban(text: str) -> Iterator[Candidate]:
    for m in re.finditer(r"\b[A-Za-z]{2}\d{2}(?:\s?[A-Za-z0-9]{4}){2,7}(?:\s?[A-Za-z0-9]{1,3})?\b", text):
        if iban_valid(m.group(0)):
            yield Candidate("iban", m.start(), m.end(), True)


# Every part is bounded (a local part of at most 64 characters, domain labels of at most 63, as in
# RFC 5321): an unbounded part made a long run of letters and dots without "@" quadratic (20,000
# characters took 3 s). A longer run before "@" still matches: its last 64 characters.
EMAIL = re.compile(r"[\w.+%-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![A-Za-z])")


def _email(text: str) -> Iterator[Candidate]:
    """An e-mail address; one whose local part is only ordinary words ("expertteam@…",
    "info@…", "secretariaat.jeugd@…") is a team's mailbox and gets a warning, not a refusal."""
    for m in EMAIL.finditer(text):
        local = m.group(0).split("@", 1)[0]
        yield Candidate("e-mailadres", m.start(), m.end(), not role_mailbox(local))


def role_mailbox(local: str) -> bool:
    from ingest.lexicon import first_names, is_common_word, surnames

    parts = [p for p in re.split(r"[._+-]+", local.lower()) if p]
    return bool(parts) and all(
        p.isalpha() and len(p) > 1 and is_common_word(p) and p not in first_names() and p not in surnames()
        for p in parts
    )


def _phone(text: str) -> Iterator[Candidate]:
    for m in re.finditer(r"(?<![\w+])(?:\+31|0031|0)[\s\-.]?\(?\d[\d\s\-.()]{7,14}\d(?!\w)", text):
        raw = m.group(0)
        digits = re.sub(r"\D", "", raw.replace("(0)", ""))  # "+31 (0)6 ...": the 0 is written, not dialled
        if digits.startswith("0031"):
            digits = "0" + digits[4:]
        elif digits.startswith("31") and raw.startswith("+"):
            digits = "0" + digits[2:]
        if len(digits) == 10 and digits.startswith("0") and not digits.startswith("00"):
            yield Candidate("telefoonnummer", m.start(), m.end(), True)


# Capitalised words may precede the street name ("Prinses Irenestraat"); the street name itself may
# be written in lower case in a hasty note. Word counts and lengths are bounded: unbounded, a run of
# capitalised words ("Jan Jan Jan ...") or of hyphenated letters was tried again from every word
# (quadratic: 20,000 characters took 47 to 190 s).
STREET = rf"(?:[A-Z][\w'’.-]{{0,40}}\s){{0,4}}[\w'’-]{{0,40}}(?i:{STREET_SUFFIX})"
ADDRESS = re.compile(rf"\b{STREET}\s+{HOUSE_NUMBER}(?:,?\s+{POSTCODE}(?:\s+[A-Z][\w'-]{{0,40}})?)?")


def _addresses(text: str) -> Iterator[Candidate]:
    for m in ADDRESS.finditer(text):
        words = m.group(0).split()
        if re.fullmatch(r"(?:19|20)\d{2}", words[-1]):
            continue  # "Wet inburgering 2021": a year after a name, not a house number
        if len(words[0]) >= 4 or len(words) > 2:
            yield Candidate("adres", m.start(), m.end(), True)
    for m in re.finditer(rf"\b{POSTCODE}\b(?:[\s,]+(?:nr\.?\s*)?{HOUSE_NUMBER})?", text):
        has_number = bool(re.search(r"\d", m.group(0)[6:]))
        yield Candidate("adres" if has_number else "postcode", m.start(), m.end(), has_number)


# The case format's own date field (``datum: 2024-10-22``) is when the casustafel met, not a fact
# about a person; warning about it on every file would teach authors to ignore warnings.
CASE_DATE_FIELD = re.compile(r"(?:^|\n)datum:\s*[\"']?$")


def is_case_date(text: str, start: int) -> bool:
    """True when the date at ``start`` is the value of the case's own ``datum:`` field. Only the
    few characters before the date are read: reading back to the line's start made a long line of
    dates quadratic."""
    window = max(0, start - 20)
    line = text.rfind("\n", window, start)
    if line < 0 and window > 0:
        return False  # the line starts further back: this is no "datum:" field
    return CASE_DATE_FIELD.search(text, max(line, window), start) is not None


def _dates(text: str) -> Iterator[Candidate]:
    for pattern in DATE_PATTERNS:
        for m in re.finditer(pattern, text, flags=re.IGNORECASE):
            kind = date_kind(text, m.start(), m.end())
            yield Candidate(kind, m.start(), m.end(), kind != "datum")


# "Lucas Vermeulen (12-03-2011)": a date in brackets right after a capitalised name is how Dutch
# reports write a date of birth.
BORN_AFTER = re.compile(r"[^.!?\n]{0,40}?\bgeboren\b", re.IGNORECASE)
AFTER_NAME = re.compile(r"[A-ZÀ-ÖØ-Þ][\wÀ-ſ'’-]+\s*\(\s*$")


def date_kind(text: str, start: int, end: int | None = None) -> str:
    """``geboortedatum`` when a birth cue stands shortly before ``start``, "geboren" follows the
    date in the same sentence ("werd op 14 februari 2016 … geboren"), or the date is in brackets
    right after a name; else ``datum``."""
    window = text[max(0, start - BIRTH_WINDOW) : start]
    after = BORN_AFTER.match(text, end) if end is not None else None
    return "geboortedatum" if BIRTH_CUE.search(window) or AFTER_NAME.search(window) or after else "datum"
