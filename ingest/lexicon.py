"""Anonymisation gate, word knowledge: is a word an ordinary Dutch word, a first name, a surname?

The gate weighs a capitalised word by what it is besides a possible name. Sources, all real Dutch
lexical data that ships with the packages Leerlus installs: the word forms and lemmas of
``spacy-lookups-data`` and spaCy's stop words; deduce's lists of first names, surnames, stop words
and common words; and the Dutch word frequencies of ``wordfreq`` (a word with a Zipf frequency of at
least 4.5, about 30 per million words, is common whatever the other lists say; so is a frequent
English word that is no surname, as in the names of methods: "Functional Family Therapy", "Signs
of Safety"). A compound of two
known words ("kamertrainingscentrum", "kankervrij") is a word too, unless a name list knows it.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import util as importlib_util
from pathlib import Path

import srsly

COMMON_ZIPF = 4.5  # function words and everyday words ("zowel", "tenslotte", "ouders")
NAME_AS_WORD_ZIPF = 4.0  # a first name that is also a frequent word ("Roos", "Storm", "Winter")
WORD_ZIPF = 5.0  # a first name so frequent it must be a word too ("nam", "wil", "man"), lists or not
MIN_PART = 4


@lru_cache(maxsize=1)
def dutch_words() -> frozenset[str]:
    """Every Dutch word form in spaCy's lookup tables (forms and lemmas) and stop-word lists,
    lower case."""
    words: set[str] = set(stop_words()) | set(deduce_list("whitelist", "lst_common_word"))
    data = _lookups_dir()
    if data is None:
        return frozenset(words)
    lookup = srsly.read_gzip_json(data / "nl_lemma_lookup.json.gz")
    words.update(lookup.keys())
    words.update(lookup.values())
    for forms in srsly.read_gzip_json(data / "nl_lemma_index.json.gz").values():
        words.update(forms)
    return frozenset(w.lower() for w in words)


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's and deduce's Dutch stop words, lower case."""
    from spacy.lang.nl.stop_words import STOP_WORDS

    return frozenset(w.lower() for w in set(STOP_WORDS) | set(deduce_list("whitelist", "lst_stop_word")))


@lru_cache(maxsize=1)
def dutch_verbs() -> frozenset[str]:
    """Dutch verb forms (for imperatives at the start of a sentence: "Pak", "Wijs")."""
    data = _lookups_dir()
    if data is None:
        return frozenset()
    index = srsly.read_gzip_json(data / "nl_lemma_index.json.gz")
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


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    """Surnames from deduce's lookup list, lower case."""
    return frozenset(deduce_list("names", "lst_surname"))


def deduce_list(group: str, name: str) -> list[str]:
    """One of deduce's lookup lists (lower case), or nothing when deduce is not installed."""
    spec = importlib_util.find_spec("deduce")
    if spec is None or not spec.origin:
        return []
    items = Path(spec.origin).parent / "data" / "lookup" / "src" / group / name / "items.txt"
    if not items.is_file():
        return []
    return [line.strip().lower() for line in items.read_text(encoding="utf-8").splitlines() if line.strip()]


def _lookups_dir() -> Path | None:
    spec = importlib_util.find_spec("spacy_lookups_data")
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).parent / "data"


@lru_cache(maxsize=65536)
def frequency(word: str, language: str = "nl") -> float:
    """The Zipf frequency of ``word`` in Dutch (or ``language``); 0 when unknown or without
    ``wordfreq``."""
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # the gate degrades to the other lists
        return 0.0
    return float(zipf_frequency(word, language))


@lru_cache(maxsize=65536)
def is_common_word(word: str) -> bool:
    """True when ``word`` (any case) is an ordinary Dutch word, so that writing it with a capital
    is no evidence of a name by itself. A first name counts as a word only when it is both in the
    word lists and frequent ("roos", "storm"; not "daan" or "sem"), or very frequent ("nam")."""
    lower = word.lower().strip(".,;:!?'’\"()")
    if not lower:
        return False
    if lower in stop_words():
        return True
    if lower in first_names():
        return frequency(lower) >= NAME_AS_WORD_ZIPF and (lower in dutch_words() or frequency(lower) >= WORD_ZIPF)
    if lower in dutch_words() or frequency(lower) >= COMMON_ZIPF:
        return True
    if lower not in surnames() and frequency(lower, "en") >= COMMON_ZIPF:  # "Family", "Therapy", "Safety"
        return True
    return lower not in surnames() and is_compound(lower)


def is_compound(lower: str) -> bool:
    """A Dutch compound of known words, with or without a linking s: "kanker|vrij",
    "jeugdhulp|tafel", "kamertrainings|centrum"."""
    if len(lower) < 2 * MIN_PART or "-" in lower:
        return False
    words = dutch_words()
    for i in range(MIN_PART, len(lower) - MIN_PART + 1):
        head, tail = lower[:i], lower[i:]
        if tail not in words:
            continue
        if head in words or (head.endswith("s") and head[:-1] in words) or is_compound(head):
            return True
    return False
