"""Search stage: case links in the indexed text, and the one snippet renderer that shows them.

A bare ``[[id]]`` link in a case body is no word of that case: its id must not make the case
match ``thuiszitter`` or ``swv``. The rendering stage therefore writes it into the plain text for
the index as :func:`link_marker`: the id spelled in private-use characters between two
delimiters. The tokenizer of the index (``\\w+``) sees no word there, and a snippet cut from the
stored text still knows which case was linked. :func:`show_links` turns each marker back into the
id (or, with ``title_of``, the linked case's title), so a snippet reads "thuiszitters
(2020-02-thuiszitter-autisme-swv): ook daar" instead of "thuiszitters (, ): ook daar". A marker
cut in half at a snippet's edge is dropped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

DELIMITER = "\ue000"
_OFFSET = 0xE000  # ids are ASCII, so every character lands in U+E001..U+E07F (category Co, not \w)
_MARKER = re.compile(f"{DELIMITER}([\ue001-\ue07f]+){DELIMITER}")
_LEFTOVER = re.compile("[\ue000-\ue07f]+")


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

    return _LEFTOVER.sub("", _MARKER.sub(shown, snippet))


def plain_text(text: str) -> str:
    """Indexed plain text as a person reads it: markers become the ids they stand for."""
    return show_links(text, escape=False)
