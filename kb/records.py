"""The case record: what the ingest stage hands to the store and the index.

A :class:`CaseRecord` is one validated, rendered case file. It is a plain value object so that
``kb`` never depends on how a file was parsed; ``ingest`` builds it, ``kb.store`` and
``kb.index`` persist it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MULTI_VALUED = ("hulpvraag", "wetten", "instanties", "voorzieningen", "blokkades")
SINGLE_VALUED = ("soort", "regio", "team", "jaar", "leeftijdscategorie")
FACET_FIELDS = SINGLE_VALUED + MULTI_VALUED
# Blockers only the pipeline recognised: stored beside the facets, never counted as one by default.
SUGGESTIONS = "suggesties"


@dataclass(frozen=True)
class Mention:
    """A law, body or provision named in the body text, with its canonical name and offsets."""

    label: str
    text: str
    canonical: str
    start: int
    end: int


@dataclass(frozen=True)
class Finding:
    """A blocker of a case: declared in front matter (``voorgeschreven``) or recognised in the text
    (``herkend``), with the sentence that shows it and, when recognised, a calibrated confidence.

    A declared blocker is *vastgesteld*: an author wrote it, or a person confirmed it in the review
    queue (which writes it into the front matter). A recognised blocker whose code is not declared
    is only *gesuggereerd* until a person decides."""

    code: str
    source: str
    evidence: str | None = None
    start: int | None = None
    end: int | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class Obligation:
    """What a binding advice asks of one bound party (a role, never a person), and by when."""

    partij: str
    verplichting: str
    uiterlijk: str | None = None  # JJJJ-MM or JJJJ-MM-DD


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
    blokkades_afgewezen: tuple[str, ...] = ()
    besluit: str | None = None
    mandaat: str | None = None
    uitkomst: str | None = None
    lessen_casus: tuple[str, ...] = ()
    lessen_systeem: tuple[str, ...] = ()
    verwijzingen: tuple[str, ...] = ()
    vraag: str | None = None
    grondslag: str | None = None
    partijen: tuple[Obligation, ...] = ()
    body_links: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    body_markdown: str = ""
    body_html: str = ""
    body_text: str = ""
    mentions: tuple[Mention, ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def jaar(self) -> str:
        return self.datum[:4]

    @property
    def lessen_text(self) -> str:
        return "\n".join(self.lessen_casus + self.lessen_systeem)

    @property
    def suggesties(self) -> tuple[str, ...]:
        """Codes only the pipeline recognised: not declared, not rejected by a person."""
        settled = set(self.blokkades) | set(self.blokkades_afgewezen)
        return tuple(dict.fromkeys(f.code for f in self.findings if f.source == "herkend" and f.code not in settled))

    def facet_values(self, name: str) -> tuple[str, ...]:
        """The values of facet ``name``. Laws merge declared and recognised values (recognising a
        law is reliable); blockers are the vastgesteld ones only, suggestions stay apart."""
        if name == "wetten":
            found = (m.canonical for m in self.mentions if m.label == "WET")
            return tuple(dict.fromkeys([*self.wetten, *found]))
        if name in ("instanties", "voorzieningen"):
            label = "INSTANTIE" if name == "instanties" else "VOORZIENING"
            return tuple(dict.fromkeys(m.canonical for m in self.mentions if m.label == label))
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
