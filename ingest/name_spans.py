"""Anonymisation gate, text geometry: the pieces a candidate name may span, and sorted spans.

A finding never crosses a line break, a sentence end or punctuation that never sits inside a name
(:func:`pieces`); :class:`Spans` answers "does any finding overlap this range" in O(log n).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from itertools import accumulate

LINE_BREAK = re.compile(r"\n")
BREAK = re.compile(r"\n|[!?;:()\[\]|,\"“”„]|(?<=[\wÀ-ſ]{3})\.(?=\s)")
TITLE_WORDS = frozenset(
    [
        "mevrouw",
        "mevr",
        "mw",
        "meneer",
        "mnr",
        "dhr",
        "heer",
        "mr",
        "dr",
        "drs",
        "ir",
        "prof",
        "ing",
        "juf",
        "meester",
        "fam",
        "familie",
        # the same titles in the languages of many families: Polish, Turkish, French, German, English
        "pani",
        "pan",
        "bay",
        "bayan",
        "madame",
        "monsieur",
        "frau",
        "herr",
        "mrs",
        "mister",
    ]
)


class Spans:
    """Spans sorted by start, with the furthest end reached so far: whether any span overlaps or
    contains a range in O(log n). A pass over all spans per occurrence made a text that repeats a
    name thousands of times quadratic."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [start for start, _ in ordered]
        self.reach = list(accumulate((end for _, end in ordered), max))

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_left(self.starts, end) - 1  # the spans that start before ``end``
        return i >= 0 and self.reach[i] > start

    def contains(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, start) - 1  # the spans that start at or before ``start``
        return i >= 0 and self.reach[i] >= end


def pieces(text: str, start: int, end: int, *, lines_only: bool = False) -> Iterator[tuple[int, int]]:
    """The parts of a span between line breaks and (unless ``lines_only``) sentence ends and
    punctuation that never sits inside a name; a full stop after an initial or a title
    abbreviation ("J.", "dhr.") stays."""
    position = start
    for m in (LINE_BREAK if lines_only else BREAK).finditer(text, start, end):
        if m.group(0) == "." and _abbreviation_before(text, m.start()):
            continue
        if m.start() > position:
            yield position, m.start()
        position = m.end()
    if end > position:
        yield position, end


def _abbreviation_before(text: str, dot: int) -> bool:
    word = re.search(r"([\wÀ-ſ]+)$", text[max(0, dot - 12) : dot])
    return bool(word and word.group(1).lower() in TITLE_WORDS)
