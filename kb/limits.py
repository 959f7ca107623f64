"""Limits before work, for every stage of the flow: how much text, how deep, how large a body.

One place for the numbers the README documents, so a case file, a web form and an API request are
held to the same maximum, and a search or a request body is bounded before any analysis starts.
Helpers here refuse (with a Dutch :class:`~kb.errors.InvalidInput`) or bound; they never analyse.
"""

from __future__ import annotations

import re

from kb.errors import InvalidInput

# The longest text Leerlus analyses: a case body, a draft, a form field. About forty pages;
# every text stage (gate, recognition, rendering) is measured up to it in the README.
MAX_TEXT_CHARS = 100_000
# A request body, checked before it is parsed: the text limit in JSON (escapes included) with room
# for the other fields of a form.
MAX_BODY_BYTES = 1_000_000
# YAML front matter: nesting deeper than this is refused before anything is constructed.
MAX_YAML_DEPTH = 20
# Search: longer queries are cut here, longer words to this many characters, before any parsing.
MAX_QUERY_CHARS = 1_000
MAX_WORD_CHARS = 50
# Ids of signals and other numbered rows are SQL INTEGERs (PostgreSQL refuses anything larger).
MAX_ID = 2**31 - 1
# The fields of a new case from the form or the API, checked before any analysis: a title, every
# other field and every list item (a lesson, a law), and the number of items in one list.
MAX_TITLE_CHARS = 500
MAX_FIELD_CHARS = 2_000
MAX_LIST_ITEMS = 100

# Control characters: C0 (except tab and line breaks), DEL and C1. Invisible, never meant, and YAML
# writes them as escapes that later stages would read as text.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LONG_WORD = re.compile(rf"\w{{{MAX_WORD_CHARS + 1},}}")


def dutch_number(number: int) -> str:
    """``100000`` -> ``"100.000"``: thousands as a Dutch reader writes them."""
    return f"{number:,}".replace(",", ".")


def refuse_control(value: str, label: str) -> str:
    """``value`` unchanged, or a Dutch error when it holds a null byte or another control character
    (tabs and line breaks are text)."""
    if CONTROL.search(value):
        raise InvalidInput(f"{label} bevat een ongeldig teken (een nul-byte of stuurteken)")
    return value


def refuse_long(value: str, label: str, limit: int = MAX_TEXT_CHARS) -> str:
    """``value`` unchanged, or a Dutch error when it is longer than ``limit`` characters."""
    if len(value) > limit:
        raise InvalidInput(f"{label} is te lang ({dutch_number(len(value))} tekens, hoogstens {dutch_number(limit)})")
    return value


def bound_query(text: str) -> str:
    """A search query cut to what a search can afford: control characters become spaces, the query
    ends after :data:`MAX_QUERY_CHARS` characters and a word after :data:`MAX_WORD_CHARS`. No word
    of Dutch is that long; a longer one only makes fuzzy matching and suggestions expensive."""
    text = CONTROL.sub(" ", text)[:MAX_QUERY_CHARS]
    return LONG_WORD.sub(lambda m: m.group(0)[:MAX_WORD_CHARS], text)
