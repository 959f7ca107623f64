"""Anonymisation gate, name rules: person names that deduce's lists do not know.

Three contexts betray a name even when the name itself is rare or written in lower case:
a label ("naam: kasia wiśniewska", "Kind: Yonas Tekle"), a relation word ("haar broer Yonas",
"gesprek met daan"), and two or more capitalised words that are no Dutch word, place or known
organisation ("Senait Tesfay kwam ..."). Word knowledge comes from deduce's first-name list and
the Dutch word forms of ``spacy-lookups-data``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from importlib import util as importlib_util
from pathlib import Path

import srsly

from ingest.privacy_rules import Candidate

LABELS = r"(?:naam|voornaam|achternaam|roepnaam|kind|cliënt|client|jongere|betrokkene|moeder|vader|ouder)"
RELATIONS = (
    r"(?:broer|broertje|zus|zusje|zoon|zoontje|dochter|dochtertje|moeder|vader|oma|opa|tante|oom|neef|nicht|"
    r"vriend|vriendin|partner|man|vrouw|ex|ex-partner|stiefvader|stiefmoeder|pleegzoon|pleegdochter|"
    r"baby|kind|jongen|meisje)"
)
NAME_WORD = r"[A-Za-zÀ-ÖØ-öø-ÿĀ-ſ][\wÀ-ſ'’-]*"
LABEL_VALUE = re.compile(rf"(?im)(?:^|[|;,(]\s*){LABELS}\s*:\s*((?:{NAME_WORD})(?:[ \t]+{NAME_WORD}){{0,3}})")
RELATION_NAME = re.compile(rf"(?i:\b(?:zijn|haar|hun|mijn|de|het)\s+{RELATIONS})\s*,?\s+({NAME_WORD})")
WITH_NAME = re.compile(rf"(?i:\b(?:met|en|van|voor|aan|bij)\s+)({NAME_WORD})")
CAPITALISED_RUN = re.compile(
    r"\b[A-ZÀ-ÖØ-ÞĀ-Ž][\wÀ-ſ'’-]+(?:\s+(?:(?:van|de|der|den|el|al|ben|bin)\s+)*[A-ZÀ-ÖØ-ÞĀ-Ž][\wÀ-ſ'’-]+)+"
)


@lru_cache(maxsize=1)
def dutch_words() -> frozenset[str]:
    """Every Dutch word form in spaCy's lookup tables (forms and lemmas) and stop-word lists,
    lower case."""
    from spacy.lang.nl.stop_words import STOP_WORDS

    words: set[str] = set(STOP_WORDS) | set(deduce_list("whitelist", "lst_stop_word"))
    words |= set(deduce_list("whitelist", "lst_common_word"))
    spec = importlib_util.find_spec("spacy_lookups_data")
    if spec is None or not spec.origin:
        return frozenset(words)
    data = Path(spec.origin).parent / "data"
    lookup = srsly.read_gzip_json(data / "nl_lemma_lookup.json.gz")
    words.update(lookup.keys())
    words.update(lookup.values())
    for forms in srsly.read_gzip_json(data / "nl_lemma_index.json.gz").values():
        words.update(forms)
    return frozenset(w.lower() for w in words)


@lru_cache(maxsize=1)
def dutch_verbs() -> frozenset[str]:
    """Dutch verb forms (for imperatives at the start of a sentence: "Pak", "Wijs")."""
    spec = importlib_util.find_spec("spacy_lookups_data")
    if spec is None or not spec.origin:
        return frozenset()
    index = srsly.read_gzip_json(Path(spec.origin).parent / "data" / "nl_lemma_index.json.gz")
    verbs = {w.lower() for w in index.get("verb", [])}
    return frozenset(verbs | {_stem(v) for v in verbs if v.endswith("en") and len(v) > 4})


def _stem(infinitive: str) -> str:
    """The Dutch verb stem, which is also the imperative: pakken -> pak, wijzen -> wijs."""
    stem = infinitive[:-2]
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "aeiou":
        stem = stem[:-1]
    if stem.endswith("z"):
        stem = stem[:-1] + "s"
    elif stem.endswith("v"):
        stem = stem[:-1] + "f"
    return stem


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """First names from deduce's lookup list, lower case."""
    return frozenset(deduce_list("names", "lst_first_name"))


def deduce_list(group: str, name: str) -> list[str]:
    """One of deduce's lookup lists (lower case), or nothing when deduce is not installed."""
    spec = importlib_util.find_spec("deduce")
    if spec is None or not spec.origin:
        return []
    items = Path(spec.origin).parent / "data" / "lookup" / "src" / group / name / "items.txt"
    if not items.is_file():
        return []
    return [line.strip().lower() for line in items.read_text(encoding="utf-8").splitlines() if line.strip()]


def find_names(text: str, known: Callable[[str], bool]) -> Iterator[Candidate]:
    """Name candidates by context. ``known(fragment)`` is True for allowed words and places."""
    words = dutch_words()
    names = first_names()
    for m in LABEL_VALUE.finditer(text):
        value = m.group(1).strip()
        if not known(value) and not all(w.lower() in words and w.lower() not in names for w in value.split()):
            yield Candidate("persoonsnaam", m.start(1), m.start(1) + len(value), True)
    for pattern in (RELATION_NAME, WITH_NAME):
        for m in pattern.finditer(text):
            word = m.group(1)
            lower = word.lower()
            if known(word) or lower in {"de", "het", "een", "die", "dat", "zijn", "haar"}:
                continue
            capitalised_unknown = word[0].isupper() and lower not in words and pattern is RELATION_NAME
            lower_first_name = word.islower() and lower in names and lower not in words
            if (
                capitalised_unknown
                or lower_first_name
                or (word[0].isupper() and lower in names and pattern is RELATION_NAME)
            ):
                yield Candidate("persoonsnaam", m.start(1), m.end(1), True)
    for m in CAPITALISED_RUN.finditer(text):
        parts = [p for p in m.group(0).split() if p[0].isupper()]
        if known(m.group(0)) or any(known(p) for p in parts):
            continue
        if all(p.lower() not in words for p in parts):
            yield Candidate("persoonsnaam", m.start(), m.end(), True)
