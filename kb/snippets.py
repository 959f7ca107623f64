"""Search stage: case links in the indexed text, and the one snippet renderer that shows them.

A bare ``[[id]]`` link in a case body is no word of that case: its id must not make the case
match ``thuiszitter`` or ``swv``. The rendering stage therefore writes it into the plain text for
the index as :func:`link_marker`: the id spelled in private-use characters between two
delimiters. The tokenizer of the index (``\\w+``) sees no word there, and a snippet cut from the
stored text still knows which case was linked. :func:`show_links` turns each marker back into the
id (or, with ``title_of``, the linked case's title), so a snippet reads "thuiszitters
(2020-02-thuiszitter-autisme-swv): ook daar" instead of "thuiszitters (, ): ook daar". A marker
cut in half at a snippet's edge is dropped.

A snippet runs over the end of a block (a heading, a list item) that has no closing punctuation:
"Elke week uitstel maakt de terugkeer moeilijker. Advies De gemeente…" reads as one garbled
sentence. The indexed text therefore ends such a block with :data:`BLOCK_END` (no word either),
which :func:`show_links` shows as " ·": "… moeilijker. Advies · De gemeente…".

:func:`readable` does the same for a piece of the Markdown itself (the evidence sentence of a
recognised blocker): links as their text or id, no ``**``, ``#`` or list markers, one line.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

DELIMITER = "\ue000"
_OFFSET = 0xE000  # ids are ASCII, so every character lands in U+E001..U+E07F (category Co, not \w)
_MARKER = re.compile(f"{DELIMITER}([\ue001-\ue07f]+){DELIMITER}")
_LEFTOVER = re.compile("[\ue000-\ue07f]+")
BLOCK_END = "\ue0e0"  # private use, outside the link markers and the engines' highlight marks
SENTENCE_END = ".!?:;…"


def link_marker(case_id: str) -> str:
    """The text that stands for a bare link to ``case_id`` in the indexed plain text."""
    return DELIMITER + "".join(chr(_OFFSET + ord(c)) for c in case_id if 0 < ord(c) < 0x80) + DELIMITER


def marker_id(encoded: str) -> str:
    return "".join(chr(ord(c) - _OFFSET) for c in encoded)


def show_links(snippet: str, title_of: Callable[[str], str | None] | None = None, *, escape: bool = True) -> str:
    """``snippet`` with every link marker replaced by the linked case's id (or its title when
    ``title_of`` knows it); HTML-escaped unless ``escape`` is false (for plain text)."""

    def shown(match: re.Match[str]) -> str:
        case_id = marker_id(match.group(1))
        label = (title_of(case_id) if title_of else None) or case_id
        return html.escape(label, quote=False) if escape else label

    linked = _LEFTOVER.sub("", _MARKER.sub(shown, snippet))
    return linked.replace(BLOCK_END, " ·").rstrip(" ·") if BLOCK_END in linked else linked


def block_end(block: str) -> str:
    """What ends a block of the indexed text: nothing after closing punctuation, else
    :data:`BLOCK_END`."""
    stripped = block.rstrip()
    return "" if not stripped or stripped[-1] in SENTENCE_END or stripped[-1] in "\"')" else BLOCK_END


_CASE_LINK = re.compile(r"\[\[([^\[\]|\n]+)(?:\|([^\[\]\n]+))?\]\]")
_HEADING_LINE = re.compile(r"^([ \t]{0,3}#{1,6}[ \t][^\n]*)\n", re.M)
_LINE_MARK = re.compile(r"^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d+[.)][ \t]+)+", re.M)
_EMPHASIS = re.compile(r"\*\*|__|`")
_SINGLE_STAR = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")


def readable(markdown: str) -> str:
    """A piece of Markdown case text as a reader sees it, on one line: ``[[id|tekst]]`` as its
    text and a bare ``[[id]]`` as the id, without emphasis, heading, quote or list markers; a
    block that ends without punctuation is followed by " ·"."""
    text = _CASE_LINK.sub(lambda m: (m.group(2) or m.group(1)).strip(), markdown)
    text = _HEADING_LINE.sub(r"\1\n\n", text)  # a heading is a block of its own
    shown = []
    for block in re.split(r"\n[ \t]*\n|\n(?=[ \t]*(?:[-*+]|\d+[.)])[ \t])", text):
        flat = " ".join(_SINGLE_STAR.sub(r"\1", _EMPHASIS.sub("", _LINE_MARK.sub("", block))).split())
        if flat:
            shown.append(flat)
    return " ".join(f"{b}{' ·' if block_end(b) and i < len(shown) - 1 else ''}" for i, b in enumerate(shown))


def plain_text(text: str) -> str:
    """Indexed plain text as a person reads it: markers become the ids they stand for."""
    return show_links(text, escape=False)
