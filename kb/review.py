"""The review queue of the learning loop ("Te beoordelen"): suggested blockers wait for a person.

A blocker the pipeline recognised but no author wrote is a suggestion (see
:class:`kb.records.Finding`). This module lists the open suggestions with their evidence and
confidence, keeps the append-only record of decisions (:class:`kb.userdata.BlockerReview`), and
turns those decisions into the team's own measurement of the detector: per code how many
suggestions were confirmed and rejected, and the precision per quarter. A code whose suggestions
are mostly rejected is shown less readily: it needs a higher confidence, and the queue says so.

Writing a decision into the case's Markdown file is the ingest stage's work
(:mod:`ingest.review`); this module only reads and records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from kb.models import BlockerFinding, Case, CaseTag
from kb.records import SUGGESTIONS
from kb.userdata import BlockerReview, now

DECISIONS = {"bevestigd": "bevestigd", "afgewezen": "afgewezen"}


@dataclass(frozen=True)
class Strictness:
    """When a code's suggestions are mostly rejected: at least ``reviews`` decisions with a share of
    confirmations below ``precision`` raise the confidence it needs to ``threshold``."""

    reviews: int = 20
    precision: float = 0.5
    threshold: float = 0.8

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Strictness:
        raw = data.get("strenger") or {}
        return cls(
            int(raw.get("min_beoordelingen", cls.reviews)),
            float(raw.get("onder_precisie", cls.precision)),
            float(raw.get("drempel", cls.threshold)),
        )


@dataclass
class Suggestion:
    """One open suggestion: a case, a code, the sentences that show it and the confidence."""

    case_id: str
    titel: str
    datum: str
    team: str | None
    regio: str | None
    code: str
    label: str
    confidence: float
    evidence: list[str]
    versie: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "casus": self.case_id,
            "titel": self.titel,
            "datum": self.datum,
            "team": self.team,
            "regio": self.regio,
            "code": self.code,
            "label": self.label,
            "betrouwbaarheid": self.confidence,
            "bewijs": self.evidence,
            "versie": self.versie,
        }


@dataclass
class CodeStats:
    """What people decided on one code's suggestions, overall and per quarter."""

    code: str
    label: str
    bevestigd: int = 0
    afgewezen: int = 0
    per_kwartaal: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def beoordeeld(self) -> int:
        return self.bevestigd + self.afgewezen

    @property
    def precisie(self) -> float | None:
        return self.bevestigd / self.beoordeeld if self.beoordeeld else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "bevestigd": self.bevestigd,
            "afgewezen": self.afgewezen,
            "precisie": None if self.precisie is None else round(self.precisie, 3),
            "per_kwartaal": [
                {"kwartaal": q, "bevestigd": b, "afgewezen": a, "precisie": round(b / (a + b), 3)}
                for q, (b, a) in sorted(self.per_kwartaal.items())
            ],
        }


@dataclass
class Queue:
    """The open suggestions that are shown, and per code what is held back and why."""

    items: list[Suggestion]
    verborgen: dict[str, int]
    notities: dict[str, str]
    totaal: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "aantal": len(self.items),
            "totaal_open": self.totaal,
            "suggesties": [s.to_dict() for s in self.items],
            "verborgen": self.verborgen,
            "notities": self.notities,
        }


def open_suggestions(*, session: Session, labels: Mapping[str, str]) -> list[Suggestion]:
    """Every suggestion that waits for a decision, newest case first."""
    rows = session.exec(
        select(BlockerFinding, Case)
        .join(Case, col(Case.id) == col(BlockerFinding.case_id))
        .join(
            CaseTag,
            (col(CaseTag.case_id) == col(BlockerFinding.case_id))
            & (col(CaseTag.veld) == SUGGESTIONS)
            & (col(CaseTag.waarde) == col(BlockerFinding.code)),
        )
        .where(BlockerFinding.source == "herkend")
        .order_by(col(Case.datum).desc(), col(Case.id), col(BlockerFinding.code), col(BlockerFinding.id))
    ).all()
    found: dict[tuple[str, str], Suggestion] = {}
    for finding, case in rows:
        key = (case.id, finding.code)
        item = found.get(key)
        if item is None:
            item = found[key] = Suggestion(
                case.id,
                case.titel,
                case.datum,
                case.team,
                case.regio,
                finding.code,
                labels.get(finding.code, finding.code),
                float(finding.confidence or 0.0),
                [],
                case.content_hash,
            )
        if finding.evidence and finding.evidence not in item.evidence:
            item.evidence.append(finding.evidence)
    return list(found.values())


def queue(
    *,
    session: Session,
    labels: Mapping[str, str],
    strictness: Strictness,
    code: str | None = None,
    team: str | None = None,
) -> Queue:
    """The review queue, optionally for one code or one team. Codes whose suggestions people
    mostly rejected need the stricter threshold; what that holds back is counted with a note."""
    stricter = {
        s.code: s
        for s in stats(session=session, labels=labels)
        if s.beoordeeld >= strictness.reviews and (s.precisie or 0.0) < strictness.precision
    }
    items: list[Suggestion] = []
    hidden: dict[str, int] = defaultdict(int)
    everything = open_suggestions(session=session, labels=labels)
    for item in everything:
        if (code and item.code != code) or (team and (item.team or "") != team):
            continue
        if item.code in stricter and item.confidence < strictness.threshold:
            hidden[item.code] += 1
            continue
        items.append(item)
    notes = {
        c: (
            f"Van de suggesties '{s.label}' is {s.afgewezen} van de {s.beoordeeld} afgewezen; "
            f"alleen suggesties met een betrouwbaarheid van minstens {strictness.threshold:.2f} worden getoond."
        )
        for c, s in stricter.items()
    }
    return Queue(items, dict(hidden), notes, len(everything))


def open_count(*, session: Session) -> int:
    """How many (case, code) suggestions wait for a decision."""
    return int(session.exec(select(func.count()).select_from(CaseTag).where(CaseTag.veld == SUGGESTIONS)).one())


def record(
    *,
    session: Session,
    case_id: str,
    code: str,
    beslissing: str,
    wie: str,
    confidence: float | None,
    evidence: list[str],
    team: str | None,
    moment: datetime | None = None,
) -> BlockerReview:
    """Append one decision to the review record."""
    row = BlockerReview(
        case_id=case_id,
        code=code,
        beslissing=DECISIONS[beslissing],
        wie=wie,
        confidence=confidence,
        evidence="\n".join(evidence),
        team=team,
        moment=moment or now(),
    )
    session.add(row)
    session.flush()
    return row


def decisions(*, session: Session, case_id: str | None = None) -> list[BlockerReview]:
    query = select(BlockerReview).order_by(col(BlockerReview.moment), col(BlockerReview.id))
    if case_id is not None:
        query = query.where(BlockerReview.case_id == case_id)
    return list(session.exec(query).all())


def stats(*, session: Session, labels: Mapping[str, str]) -> list[CodeStats]:
    """Per code: confirmed and rejected suggestions, overall and per quarter of the decision."""
    out: dict[str, CodeStats] = {}
    for row in decisions(session=session):
        item = out.setdefault(row.code, CodeStats(row.code, labels.get(row.code, row.code)))
        quarter = f"{row.moment.year}-K{(row.moment.month - 1) // 3 + 1}"
        confirmed, rejected = item.per_kwartaal.get(quarter, (0, 0))
        if row.beslissing == "bevestigd":
            item.bevestigd += 1
            confirmed += 1
        else:
            item.afgewezen += 1
            rejected += 1
        item.per_kwartaal[quarter] = (confirmed, rejected)
    return sorted(out.values(), key=lambda s: s.code)
