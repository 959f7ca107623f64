"""Safe text for downloads (the output stage): user text inside generated Markdown.

Markdown passes raw HTML through, so a ``<script>`` in a case title or a signal would be live in
whatever renders the download (``/rapport.md``, the precedent brief). :func:`md_text` writes ``<``,
``>`` and ``&`` as entities: every Markdown viewer shows them as the characters typed, none runs them.
"""

from __future__ import annotations

import html


def md_text(text: str | None) -> str:
    """``text`` on one line with raw HTML escaped, for a Markdown line or table cell."""
    return html.escape(" ".join((text or "").split()), quote=False)
