"""Precedents stage: cases similar to a given case, each with the reasons why.

Similarity combines the text (Whoosh ``more_like``) with what professionals compare on: the same
blockers (weighs most), laws, hulpvraag group and age band, and explicit links between the cases.
Every result says why ("zelfde blokkade: Grens Jeugdwet – Wlz; gedeelde termen: CIZ, indicatie").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlmodel import Session

from kb import store

if TYPE_CHECKING:
    from kb.knowledge import KnowledgeBase
    from kb.models import CaseDetail

FIELDS = ("blokkades", "wetten", "hulpvraag", "leeftijdscategorie", "instanties", "voorzieningen")
WEIGHTS = {"text": 4.0, "blokkades": 3.0, "wetten": 0.75, "hulpvraag": 1.5, "leeftijdscategorie": 0.5, "link": 4.0}
TEXT_CANDIDATES = 40
SHARED_TERMS = 4


@dataclass
class Similar:
    id: str
    titel: str
    soort: str
    datum: str
    score: float
    redenen: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "titel": self.titel,
            "soort": self.soort,
            "datum": self.datum,
            "score": round(self.score, 3),
            "redenen": self.redenen,
        }


def similar_cases(kb: KnowledgeBase, case_id: str, limit: int = 8, source: CaseDetail | None = None) -> list[Similar]:
    """The ``limit`` cases most like ``case_id``, best first; raises NotFound for an unknown id.
    ``source`` is the case's detail when the caller already has it (the case page does)."""
    source = source or kb.case(case_id)
    text = kb.index.similar_text(case_id, top=TEXT_CANDIDATES)
    top_text = max(text.values(), default=1.0) or 1.0
    # Said of the other case: "deze casus" is the one whose similar cases these are.
    links = {link.id: "deze casus verwijst ernaar" for link in source.links_out if link.bestaat}
    links.update({link.id: "verwijst naar deze casus" for link in source.links_in})
    with Session(kb.engine) as session:
        candidates = set(text) | set(links) | store.sharing_tags(session=session, case_id=case_id, fields=FIELDS)
        candidates.discard(case_id)
        tags = store.tags_of(session=session, ids=[case_id, *candidates], fields=FIELDS)
    mine = tags.get(case_id, {})
    labels = {t.code: t.label for t in kb.taxonomy.blokkades}
    hulpvraag_labels = {t.code: t.label for t in kb.taxonomy.hulpvraag}
    scored: list[tuple[float, str, list[str]]] = []
    for other in candidates:
        theirs = tags.get(other, {})
        score, reasons = 0.0, []
        if other in links:
            score += WEIGHTS["link"]
            reasons.append(links[other])
        shared = {name: mine.get(name, set()) & theirs.get(name, set()) for name in FIELDS}
        if shared["blokkades"]:
            score += WEIGHTS["blokkades"] * len(shared["blokkades"])
            reasons.append("zelfde blokkade: " + ", ".join(sorted(labels.get(c, c) for c in shared["blokkades"])))
        if shared["hulpvraag"]:
            score += WEIGHTS["hulpvraag"]
            reasons.append(
                "zelfde hulpvraag: " + ", ".join(sorted(hulpvraag_labels.get(c, c) for c in shared["hulpvraag"]))
            )
        if shared["wetten"]:
            score += WEIGHTS["wetten"] * len(shared["wetten"])
            reasons.append("gedeelde wetten: " + ", ".join(sorted(shared["wetten"])))
        if shared["leeftijdscategorie"]:
            score += WEIGHTS["leeftijdscategorie"]
            reasons.append(f"zelfde leeftijd: {next(iter(shared['leeftijdscategorie']))} jaar")
        if other in text:
            score += WEIGHTS["text"] * text[other] / top_text
        if score > 0:
            scored.append((score, other, reasons))
    scored.sort(key=lambda item: (-item[0], item[1]))
    best = scored[:limit]
    with Session(kb.engine) as session:
        info = store.summaries(session=session, ids=[other for _s, other, _r in best])
    source_terms = kb.index.key_terms(case_id)
    out = []
    for score, other, reasons in best:
        terms = _shared_terms(kb, case_id, other, source_terms)
        if terms:
            reasons.append("gedeelde termen: " + ", ".join(terms))
        summary = info[other]
        out.append(Similar(other, summary.titel, summary.soort, summary.datum, score, reasons))
    return out


def _shared_terms(kb: KnowledgeBase, case_id: str, other: str, source_terms: list[str]) -> list[str]:
    theirs = set(kb.index.key_terms(other))
    shared = [t for t in source_terms if t in theirs][:SHARED_TERMS]
    forms = kb.index.surface_forms(case_id, shared)
    return [forms.get(t, t) for t in shared]
