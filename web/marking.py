"""HTML view helpers: a text with recognised entities marked, built from character offsets.

Everything between marks is escaped; marks never overlap (our own entities win over the trained
model's, longer over shorter).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from markupsafe import Markup, escape


class Marked(Protocol):
    label: str
    start: int
    end: int
    canonical: str | None


def marked_text(text: str, entities: Iterable[Marked]) -> Markup:
    """``text`` as HTML with each entity wrapped in ``<mark class="entiteit entiteit-<label>">``."""
    chosen: list[Marked] = []
    ordered = sorted(entities, key=lambda e: (e.canonical is None, -(e.end - e.start), e.start))
    for entity in ordered:
        if all(entity.end <= c.start or entity.start >= c.end for c in chosen):
            chosen.append(entity)
    out: list[str] = []
    position = 0
    for entity in sorted(chosen, key=lambda e: e.start):
        out.append(str(escape(text[position : entity.start])))
        title = f"{entity.label}: {entity.canonical}" if entity.canonical else entity.label
        out.append(
            f'<mark class="entiteit entiteit-{escape(entity.label.lower())}" title="{escape(title)}">'
            f"{escape(text[entity.start : entity.end])}</mark>"
        )
        position = entity.end
    out.append(str(escape(text[position:])))
    return Markup("".join(out))
