"""Precedents stage: cases similar to a given case, each with the reasons why.

The text is the backbone: a more-like-this over the whole case, in fields (the situation in the
body, the decision, the lessons, the title). On top of it come what professionals compare on:
shared vastgesteld blockers, weighted by how rare each blocker is (a shared rare blocker says
more than a shared common one), shared laws likewise, then the same kind of decision, hulpvraag
group and age band, and explicit links between the cases. Each signal is a feature between 0
and 1; the weights live in ``rangschikking.yaml`` and are fitted on graded judgments with
cross-validation by ``bench/fit_similar.py``, not set by hand. Every result says why ("zelfde
blokkade: Grens Jeugdwet – Wlz; gedeelde termen: CIZ, indicatie").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlmodel import Session

from kb import store

if TYPE_CHECKING:
    from kb.knowledge import KnowledgeBase
    from kb.models import CaseDetail

TAG_FIELDS = ("blokkades", "wetten", "hulpvraag", "leeftijdscategorie", "soort")
TEXT_FIELDS = {
    "tekst": (("titel", "body", "besluit", "lessen"), 60),
    "besluit": (("besluit",), 15),
    "lessen": (("lessen",), 15),
    "titel": (("titel",), 8),
}
FEATURES = ("tekst", "besluit", "lessen", "titel", "blokkades", "wetten", "soort", "hulpvraag", "leeftijd", "link")
DEFAULT_WEIGHTS = {"tekst": 1.0}
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


@dataclass
class Candidate:
    """One other case with its features (each 0..1) and what it shares with the source."""

    id: str
    features: dict[str, float]
    shared: dict[str, set[str]]
    link: str | None = None


def weights_of(kb: KnowledgeBase) -> dict[str, float]:
    """The fitted weights from ``rangschikking.yaml`` (``vergelijkbaar``), text alone without them."""
    fitted = (kb.taxonomy.rangschikking or {}).get("vergelijkbaar") or {}
    return {str(k): float(v) for k, v in fitted.items() if k in FEATURES} or dict(DEFAULT_WEIGHTS)


def candidates(
    kb: KnowledgeBase,
    case_id: str,
    source: CaseDetail,
    *,
    by_blocker: bool = True,
    text_features: Iterable[str] = tuple(TEXT_FIELDS),
) -> list[Candidate]:
    """Every case that shares text, a link or (with ``by_blocker``) a vastgesteld blocker with
    ``case_id``, with its features. Only the ``text_features`` asked for are searched (each is a
    more-like-this query); the others are 0."""
    wanted = set(text_features)
    text = {
        name: kb.index.similar_text(case_id, flds, TEXT_CANDIDATES, n) if name in wanted else {}
        for name, (flds, n) in TEXT_FIELDS.items()
    }
    # Said of the other case: "deze casus" is the one whose similar cases these are.
    links = {link.id: "deze casus verwijst ernaar" for link in source.links_out if link.bestaat}
    links.update({link.id: "verwijst naar deze casus" for link in source.links_in})
    with Session(kb.engine) as session:
        sharing = store.sharing_tags(session=session, case_id=case_id, fields=("blokkades",)) if by_blocker else set()
        ids = set().union(*(set(t) for t in text.values())) | set(links) | sharing
        ids.discard(case_id)
        tags = store.tags_of(session=session, ids=[case_id, *ids], fields=TAG_FIELDS)
        counts = store.tag_values(session=session, fields=("blokkades", "wetten"))
        rarity = _rarity(counts, store.case_count(session=session))
    mine = tags.get(case_id, {})
    tops = {name: max(found.values(), default=0.0) or 1.0 for name, found in text.items()}
    out = []
    for other in ids:
        theirs = tags.get(other, {})
        shared = {name: mine.get(name, set()) & theirs.get(name, set()) for name in TAG_FIELDS}
        features = {name: text[name].get(other, 0.0) / tops[name] for name in TEXT_FIELDS}
        for name in ("blokkades", "wetten"):
            possible = sum(rarity[name].get(v, 0.0) for v in mine.get(name, set())) or 1.0
            features[name] = sum(rarity[name].get(v, 0.0) for v in shared[name]) / possible
        features["soort"] = float(bool(shared["soort"]))
        features["hulpvraag"] = float(bool(shared["hulpvraag"]))
        features["leeftijd"] = float(bool(shared["leeftijdscategorie"]))
        features["link"] = float(other in links)
        out.append(Candidate(other, features, shared, links.get(other)))
    return out


def _rarity(counts: Mapping[str, Mapping[str, int]], total: int) -> dict[str, dict[str, float]]:
    """An IDF-like weight per blocker and per law: log(1 + N / cases with it)."""
    return {
        name: {value: math.log(1 + total / n) for value, n in counts.get(name, {}).items() if n}
        for name in ("blokkades", "wetten")
    }


def score(candidate: Candidate, weights: Mapping[str, float]) -> float:
    return sum(weights.get(name, 0.0) * value for name, value in candidate.features.items())


def similar_cases(kb: KnowledgeBase, case_id: str, limit: int = 8, source: CaseDetail | None = None) -> list[Similar]:
    """The ``limit`` cases most like ``case_id``, best first; raises NotFound for an unknown id.
    ``source`` is the case's detail when the caller already has it (the case page does)."""
    source = source or kb.case(case_id)
    weights = weights_of(kb)
    # A case that shares only a blocker can rank only when blockers weigh: at 10,000 cases that
    # is thousands of candidates to skip.
    asked = [name for name in TEXT_FIELDS if weights.get(name)]
    found = [
        (score(c, weights), c)
        for c in candidates(kb, case_id, source, by_blocker=bool(weights.get("blokkades")), text_features=asked)
    ]
    best = sorted((item for item in found if item[0] > 0), key=lambda item: (-item[0], item[1].id))[:limit]
    with Session(kb.engine) as session:
        info = store.summaries(session=session, ids=[c.id for _s, c in best])
    labels = {t.code: t.label for t in kb.taxonomy.blokkades}
    hulpvraag_labels = {t.code: t.label for t in kb.taxonomy.hulpvraag}
    source_terms = kb.index.key_terms(case_id)
    out = []
    for value, candidate in best:
        reasons = _reasons(candidate, labels, hulpvraag_labels)
        terms = _shared_terms(kb, case_id, candidate.id, source_terms)
        if terms:
            reasons.append("gedeelde termen: " + ", ".join(terms))
        summary = info[candidate.id]
        out.append(Similar(candidate.id, summary.titel, summary.soort, summary.datum, value, reasons))
    return out


def _reasons(candidate: Candidate, labels: Mapping[str, str], hulpvraag: Mapping[str, str]) -> list[str]:
    """What the two cases share, in the order professionals weigh it; only what is true."""
    shared = candidate.shared
    reasons = [candidate.link] if candidate.link else []
    if shared["blokkades"]:
        reasons.append("zelfde blokkade: " + ", ".join(sorted(labels.get(c, c) for c in shared["blokkades"])))
    if candidate.features.get("besluit", 0) >= 0.5:
        reasons.append("vergelijkbaar besluit")
    if shared["hulpvraag"]:
        reasons.append("zelfde hulpvraag: " + ", ".join(sorted(hulpvraag.get(c, c) for c in shared["hulpvraag"])))
    if shared["wetten"]:
        reasons.append("gedeelde wetten: " + ", ".join(sorted(shared["wetten"])))
    if shared["leeftijdscategorie"]:
        reasons.append(f"zelfde leeftijd: {next(iter(shared['leeftijdscategorie']))} jaar")
    return reasons


def _shared_terms(kb: KnowledgeBase, case_id: str, other: str, source_terms: list[str]) -> list[str]:
    theirs = set(kb.index.key_terms(other))
    shared = [t for t in source_terms if t in theirs][:SHARED_TERMS]
    forms = kb.index.surface_forms(case_id, shared)
    return [forms.get(t, t) for t in shared]
