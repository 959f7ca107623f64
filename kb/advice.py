"""Advice stage: the dossier an expertteam passende hulp prepares a (binding) advice on.

For a boundary (a blocker code such as ``grens.jeugdwet-wlz``) the dossier gathers the earlier
bindend-advies, maatwerkbesluit and escalatie cases that carry it as a vastgesteld blocker, and
shows them side by side: age band, hulpvraag, laws, blockers, what was decided, by whom, the
outcome. Each row says why it is comparable. When the request's facts are given (never stored;
the ingest stage gates them), the rows whose text is most like the facts come first. Rows can be
left out (``zonder``) or added by id (``met``), so a dossier is a shareable selection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from kb.equality import DecisionReader, Direction, reader_for
from kb.errors import InvalidInput, NotFound
from kb.models import Case, CaseTag
from kb.safe_text import md_text

if TYPE_CHECKING:
    from kb.knowledge import KnowledgeBase

DECISION_KINDS = ("bindend-advies", "maatwerkbesluit", "escalatie")
MAX_ROWS = 25


@dataclass
class Row:
    """One earlier case in the comparison table."""

    id: str
    titel: str
    soort: str
    datum: str
    leeftijdscategorie: str | None
    hulpvraag: list[str]
    wetten: list[str]
    blokkades: list[str]
    besluit: str | None
    mandaat: str | None
    uitkomst: str | None
    redenen: list[str] = field(default_factory=list)
    score: float = 0.0
    richting: Direction = field(default_factory=Direction)  # which way the decision went

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "score": round(self.score, 3), "richting": self.richting.to_dict()}

    @property
    def richting_tekst(self) -> str:
        return self.richting.text()


@dataclass
class Dossier:
    """The comparison table for one boundary, and what the expertteam added or left out."""

    grens: str
    label: str
    rijen: list[Row]
    zonder: list[str]
    met: list[str]
    voorgesteld: list[str] = field(default_factory=list)  # blocker codes the facts suggest

    def to_dict(self) -> dict[str, Any]:
        return {
            "grens": self.grens,
            "label": self.label,
            "voorgesteld": self.voorgesteld,
            "zonder": self.zonder,
            "met": self.met,
            "rijen": [r.to_dict() for r in self.rijen],
            "andere_uitkomst": [{"casus": a, "eerder": b, "anders": why} for a, b, why in self.andere_uitkomst()],
        }

    def andere_uitkomst(self, rows: int = 10) -> list[tuple[str, str, list[str]]]:
        """Pairs among the first rows that went opposite ways (later case, earlier case, how), so the
        expertteam sees where comparable decisions on this boundary split."""
        first = self.rijen[:rows]
        return [
            (a.id, b.id, a.richting.differs(b.richting))
            for a in first
            for b in first
            if b.datum < a.datum and a.richting.differs(b.richting)
        ]

    def to_markdown(self, label: Callable[[str, str], str]) -> str:
        """The dossier as Markdown; ``label`` (field, code) -> Dutch label, as
        :meth:`kb.taxonomy.Taxonomy.facet_label`, so no kind or help question shows as a code."""
        lines = [f"# Adviesdossier: {md_text(self.label)}", ""]
        if not self.rijen:
            lines.append("Nog geen eerdere bindende adviezen, maatwerkbesluiten of escalaties op deze grens.")
        header = [
            "Casus",
            "Soort",
            "Datum",
            "Leeftijd",
            "Hulpvraag",
            "Blokkades",
            "Besluit",
            "Mandaat",
            "Uitkomst",
            "Richting",
            "Waarom",
        ]
        lines += ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
        for r in self.rijen:
            cells = [
                f"{r.titel} (`{r.id}`)",
                label("soort", r.soort),
                r.datum,
                label("leeftijdscategorie", r.leeftijdscategorie) if r.leeftijdscategorie else "",
                ", ".join(label("hulpvraag", h) for h in r.hulpvraag),
                ", ".join(label("blokkades", b) for b in r.blokkades),
                r.besluit or "",
                r.mandaat or "",
                r.uitkomst or "",
                r.richting_tekst,
                "; ".join(r.redenen),
            ]
            lines.append("| " + " | ".join(md_text(c).replace("|", "/").replace("\n", " ") for c in cells) + " |")
        split = self.andere_uitkomst()
        if split:
            lines += ["", "## Vergelijkbaar, andere uitkomst", ""]
            lines += [f"- `{a}` tegen het eerdere `{b}`: {md_text('; '.join(why))}" for a, b, why in split]
        return "\n".join(lines).rstrip() + "\n"


def build(
    kb: KnowledgeBase,
    *,
    grens: str,
    feiten: str = "",
    leeftijdscategorie: str | None = None,
    hulpvraag: str | None = None,
    zonder: Iterable[str] = (),
    met: Iterable[str] = (),
    voorgesteld: Iterable[str] = (),
) -> Dossier:
    """The dossier for boundary ``grens``; ``feiten`` must already have passed the gate."""
    labels = {t.code: t.label for t in kb.taxonomy.blokkades}
    reader = reader_for(kb.taxonomy)
    if grens not in labels:
        raise InvalidInput(f"grens '{grens}' is geen blokkadecode; kies uit {', '.join(labels)}")
    left_out = list(dict.fromkeys(z for z in zonder if z))
    added = list(dict.fromkeys(m for m in met if m and m not in left_out))
    with Session(kb.engine) as session:
        tagged = select(CaseTag.case_id).where(CaseTag.veld == "blokkades", CaseTag.waarde == grens)
        found = list(
            session.exec(select(Case).where(col(Case.id).in_(tagged), col(Case.soort).in_(DECISION_KINDS))).all()
        )
        extra = list(session.exec(select(Case).where(col(Case.id).in_(added))).all()) if added else []
    missing = set(added) - {c.id for c in extra}
    if missing:
        raise NotFound(f"casus '{sorted(missing)[0]}' bestaat niet")
    similarity = kb.index.similar_to_text(feiten, top=200) if feiten.strip() else {}
    top = max(similarity.values(), default=0.0) or 1.0
    rows: dict[str, Row] = {}
    on_boundary = {c.id for c in found}
    for case in [*found, *extra]:
        if case.id in left_out or case.id in rows:
            continue
        row = _row(case, reader)
        if case.id in added and case.id not in on_boundary:
            row.redenen.append("toegevoegd door het expertteam")
        if grens in case.blokkades:
            row.redenen.append(f"zelfde grens: {labels[grens]}")
        if leeftijdscategorie and case.leeftijdscategorie == leeftijdscategorie:
            row.redenen.append(f"zelfde leeftijd: {leeftijdscategorie} jaar")
            row.score += 0.25
        if hulpvraag and hulpvraag in (case.hulpvraag or []):
            row.redenen.append("zelfde hulpvraag")
            row.score += 0.25
        if case.id in similarity:
            share = similarity[case.id] / top
            row.score += share
            if share >= 0.3:
                row.redenen.append("de feiten lijken op deze casus")
        rows[case.id] = row
    ordered = sorted(rows.values(), key=lambda r: r.id)
    ordered.sort(key=lambda r: r.datum, reverse=True)  # stable: the newest first at equal scores
    ordered.sort(key=lambda r: r.score, reverse=True)
    ordered = ordered[:MAX_ROWS]
    return Dossier(grens, labels[grens], ordered, left_out, added, list(voorgesteld))


def _row(case: Case, reader: DecisionReader) -> Row:
    return Row(
        case.id,
        case.titel,
        case.soort,
        case.datum,
        case.leeftijdscategorie,
        list(case.hulpvraag or []),
        list(case.wetten or []),
        list(case.blokkades or []),
        case.besluit,
        case.mandaat,
        case.uitkomst,
        richting=reader.direction(case.besluit, case.body_markdown, case.partijen),
    )
