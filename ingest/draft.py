"""Drafts: text that is analysed or checked but never stored (CLI ``analyze``, the API, the web form).

A draft may be a whole case file (front matter and Markdown), Markdown without front matter, or
plain text. :func:`draft_body` returns the part that is analysed, so offsets in answers refer to
what the author sees as the body.
"""

from __future__ import annotations

from ingest.frontmatter import split
from kb.limits import MAX_TEXT_CHARS

MAX_DRAFT_CHARS = MAX_TEXT_CHARS  # the same maximum as a case file and every form


def draft_body(text: str) -> str:
    """The body of a draft: after the front matter when there is valid front matter, else all."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("---"):
        front, _issues = split(text, "<concept>")
        if front is not None:
            return front.body
    return text
