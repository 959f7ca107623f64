"""The case record: what the ingest stage hands to the store and the index.

A :class:`CaseRecord` is one validated, rendered case file. It is a plain value object so that
``kb`` never depends on how a file was parsed; ``ingest`` builds it, ``kb.store`` and
``kb.index`` persist it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MULTI_VALUED = ("hulpvraag", "wetten", "blokkades")
SINGLE_VALUED = ("soort", "regio", "team", "jaar", "leeftijdscategorie")
FACET_FIELDS = SINGLE_VALUED + MULTI_VALUED


@dataclass(frozen=True)
class CaseRecord:
    """One case, validated and rendered, ready to be stored and indexed."""

    id: str
    path: str
    content_hash: str
    titel: str
    soort: str
    datum: str
    regio: str | None = None
    team: str | None = None
    leeftijdscategorie: str | None = None
    hulpvraag: tuple[str, ...] = ()
    wetten: tuple[str, ...] = ()
    blokkades: tuple[str, ...] = ()
    besluit: str | None = None
    mandaat: str | None = None
    uitkomst: str | None = None
    lessen_casus: tuple[str, ...] = ()
    lessen_systeem: tuple[str, ...] = ()
    verwijzingen: tuple[str, ...] = ()
    body_links: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    body_markdown: str = ""
    body_html: str = ""
    body_text: str = ""

    @property
    def jaar(self) -> str:
        return self.datum[:4]

    @property
    def lessen_text(self) -> str:
        return "\n".join(self.lessen_casus + self.lessen_systeem)

    def facet_values(self, name: str) -> tuple[str, ...]:
        """The values of facet ``name`` as a tuple (empty when unset)."""
        value = getattr(self, name)
        if value is None:
            return ()
        if isinstance(value, tuple):
            return value
        return (str(value),)

    def links(self) -> dict[str, str]:
        """Outgoing links: target id -> how it is made (``verwijzing`` wins over ``tekst``)."""
        out = {target: "tekst" for target in self.body_links}
        out.update({target: "verwijzing" for target in self.verwijzingen})
        out.pop(self.id, None)
        return out
