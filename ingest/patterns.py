"""Extraction stage, shared helper: the pattern notation of the data files and a fast matcher for it.

Notation (see ``kb/data/signaalwoorden.yaml``): words separated by spaces form a phrase, ``woord*``
matches any word starting with ``woord``, ``…`` matches zero to eight arbitrary words. Words are
tokenized with the pipeline's own tokenizer, so ``wlz-indicatie`` becomes the same tokens as in the
text, and a word matches a token by its lower-case form or by its lemma (``weigeren`` matches
``weigerden``). :class:`PatternIndex` finds all patterns in a doc by looking up each token's
possible pattern starts in dictionaries, which is far faster than regular expressions per token.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from spacy.attrs import LEMMA, LOWER
from spacy.language import Language
from spacy.tokens import Doc

GAP = "…"
MAX_GAP = 8


@dataclass(frozen=True)
class Step:
    kind: str  # "word", "prefix" or "gap"
    value: str = ""
    lemma: str = ""


Pattern = tuple[Step, ...]


def compile_pattern(nlp: Language, text: str, lemmatize: Callable[[str], list[str]] | None = None) -> Pattern:
    """One notation string -> a sequence of steps."""
    steps: list[Step] = []
    for part in text.replace("...", GAP).split():
        if part == GAP:
            steps.append(Step("gap"))
            continue
        prefix = part.endswith("*")
        words = [t.lower_ for t in nlp.make_doc(part.rstrip("*"))]
        lemmas = lemmatize(" ".join(words)) if lemmatize else words
        if len(lemmas) != len(words):
            lemmas = words
        for i, (word, lemma) in enumerate(zip(words, lemmas, strict=True)):
            if prefix and i == len(words) - 1:
                steps.append(Step("prefix", word))
            else:
                steps.append(Step("word", word, lemma))
    while steps and steps[0].kind == "gap":
        steps.pop(0)
    while steps and steps[-1].kind == "gap":
        steps.pop()
    return tuple(steps)


class PatternIndex:
    """All patterns of all keys, indexed by the word or prefix they start with."""

    def __init__(self, patterns: Iterable[tuple[str, Pattern]]) -> None:
        self.by_word: dict[str, list[tuple[str, Pattern]]] = {}
        self.by_prefix: dict[str, list[tuple[str, Pattern]]] = {}
        for key, pattern in patterns:
            if not pattern:
                continue
            first = pattern[0]
            if first.kind == "prefix":
                self.by_prefix.setdefault(first.value, []).append((key, pattern))
            else:
                self.by_word.setdefault(first.value, []).append((key, pattern))
                if first.lemma and first.lemma != first.value:
                    self.by_word.setdefault(first.lemma, []).append((key, pattern))
        self._prefix_lengths = sorted({len(p) for p in self.by_prefix})
        self._starting = lru_cache(maxsize=200_000)(self._starting_uncached)

    def _starting_uncached(self, word: str, lemma: str) -> tuple[tuple[str, Pattern], ...]:
        found = list(self.by_word.get(word, ()))
        if lemma != word:
            found += [p for p in self.by_word.get(lemma, ()) if p not in found]
        for length in self._prefix_lengths:
            if length > len(word):
                break
            found += self.by_prefix.get(word[:length], ())
        return tuple(found)

    def find(self, doc: Doc) -> list[tuple[str, int, int]]:
        """Every (key, start, end) in ``doc``; for each key and start, the shortest match."""
        words, lemmas = token_strings(doc)
        out: list[tuple[str, int, int]] = []
        for i in range(len(words)):
            seen: set[str] = set()
            for key, pattern in self._starting(words[i], lemmas[i]):
                if key in seen:
                    continue
                end = _match(pattern, 0, words, lemmas, i)
                if end is not None:
                    out.append((key, i, end))
                    seen.add(key)
        return out


def token_strings(doc: Doc) -> tuple[list[str], list[str]]:
    """Lower-case forms and lemmas of all tokens, read as one array instead of token by token
    (iterating a Doc in Python is the slowest part of a component). Cached on the doc."""
    cached = doc.user_data.get("leerlus_strings")
    if cached is not None:
        return cached
    strings = doc.vocab.strings
    array = doc.to_array([LOWER, LEMMA])
    words = [strings[int(h)] for h in array[:, 0]] if len(doc) else []
    lemmas = [strings[int(h)].lower() if h else w for h, w in zip(array[:, 1], words, strict=True)] if len(doc) else []
    doc.user_data["leerlus_strings"] = (words, lemmas)
    return words, lemmas


def _fits(step: Step, word: str, lemma: str) -> bool:
    if step.kind == "prefix":
        return word.startswith(step.value)
    return word == step.value or lemma == step.value or (bool(step.lemma) and lemma == step.lemma)


def _match(pattern: Pattern, k: int, words: list[str], lemmas: list[str], i: int) -> int | None:
    """End of the shortest match of ``pattern[k:]`` starting at token ``i``, or None."""
    if k == len(pattern):
        return i
    step = pattern[k]
    if step.kind == "gap":
        for j in range(i, min(i + MAX_GAP, len(words)) + 1):
            end = _match(pattern, k + 1, words, lemmas, j)
            if end is not None:
                return end
        return None
    if i < len(words) and _fits(step, words[i], lemmas[i]):
        return _match(pattern, k + 1, words, lemmas, i + 1)
    return None


def lemmatizer_for(nlp: Language) -> Callable[[str], list[str]] | None:
    """A function giving the lemmas of a phrase with the pipeline's lemmatizer, if it has one
    that works without a parser (the lookup lemmatizer of the blank pipeline)."""
    if "lemmatizer" not in nlp.pipe_names:
        return None
    lemmatizer = nlp.get_pipe("lemmatizer")
    if getattr(lemmatizer, "mode", "") != "lookup":
        return None

    def lemmas(text: str) -> list[str]:
        doc = lemmatizer(nlp.make_doc(text))
        return [t.lemma_.lower() for t in doc]

    return lemmas
