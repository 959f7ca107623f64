"""Equal-treatment stage ("vergelijkbaar, andere uitkomst"): for a maatwerkbesluit or bindend advies,
the most similar earlier decisions that went the other way, with the facts that differ.

A decision's direction is read, never guessed from its outcome: from the ``besluit`` field (or
else the "Besluit" section of the text) the vocabulary in ``beslissingen.yaml`` reads whether a
request was granted (``toegekend``), refused (``afgewezen``) or both (``deels``), and who is made
to pay or provide (``betaler``); a binding advice's obligations in ``partijen`` name the payer
outright. Two comparable decisions went the other way when one granted and the other refused, or
when they made a different party pay.

Comparable means: among the closest similar cases of :mod:`kb.precedents` (text first, shared
blockers weighted by rarity), an earlier decision of a kind the check covers, in the same age band
(18- and 18+ are different legal frames), that shares a vastgesteld boundary blocker, so both
stood on the same boundary. The facts that differ (age band,
hulpvraag, laws, blockers, region, mandate) are listed so a team can explain the difference or
correct it. Measured on hand-judged pairs by ``bench/eval_equality.py``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from kb.models import Case
from kb.precedents import similar_cases

if TYPE_CHECKING:
    from kb.knowledge import KnowledgeBase
    from kb.models import CaseDetail
    from kb.taxonomy import Taxonomy

GRANTED, REFUSED, PARTLY = "toegekend", "afgewezen", "deels"
_SENTENCE = re.compile(r"(?<=[.;:!?])\s+|\n+")
_NEGATION = re.compile(r"\b(niet|geen|niets|nooit)\b", re.IGNORECASE)
# "komt voor rekening van X", "valt onder X", "betaald door X": the payer follows the verb
_AFTER_VERB = re.compile(r"rekening van$|onder$|door$", re.IGNORECASE)
_GAPPED = re.compile(r"\ben\s+(?:de|het|een)?\s*$", re.IGNORECASE)
_HEADING = re.compile(r"^#{1,6}\s*(.*?)\s*#*\s*$")


@dataclass(frozen=True)
class Direction:
    """Which way a decision went: granted/refused and who pays or provides; ``None`` and empty where
    the text does not say."""

    uitkomst: str | None = None
    betalers: tuple[str, ...] = ()

    def differs(self, other: Direction) -> list[str]:
        """Why ``other`` went the other way, in Dutch; empty when it did not (or cannot be told).
        Payers differ when neither decision's payers include the other's: one naming more parties
        than the other is no other way."""
        out = []
        if {self.uitkomst, other.uitkomst} == {GRANTED, REFUSED}:
            out.append(f"hier {self.uitkomst}, daar {other.uitkomst}")
        mine, theirs = set(self.betalers), set(other.betalers)
        if mine and theirs and not mine <= theirs and not theirs <= mine:
            out.append(f"hier betaalt {' en '.join(self.betalers)}, daar {' en '.join(other.betalers)}")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"uitkomst": self.uitkomst, "betalers": list(self.betalers)}

    def text(self) -> str:
        """In Dutch for a table cell: "toegekend; betaalt: zorgkantoor", or "" when unknown."""
        parts = [self.uitkomst] if self.uitkomst else []
        if self.betalers:
            parts.append("betaalt: " + " en ".join(self.betalers))
        return "; ".join(parts)


class DecisionReader:
    """Reads a decision's direction with the patterns of ``beslissingen.yaml``."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        def compiled(key: str) -> re.Pattern[str]:
            parts = [str(p) for p in data.get(key) or []] or ["(?!)"]
            return re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in parts) + r")\b", re.IGNORECASE)

        self.refusal = compiled("afwijzing")
        self.grant = compiled("toekenning")
        self.paying = compiled("betalen")
        self.parties: list[tuple[str, re.Pattern[str]]] = [
            (str(code), re.compile(r"\b(?:" + "|".join(re.escape(str(w)) for w in words) + r")\b", re.IGNORECASE))
            for code, words in (data.get("betalers") or {}).items()
        ]
        self.kinds = tuple(str(k) for k in data.get("soorten") or ("maatwerkbesluit", "bindend-advies"))
        self.shown = int(data.get("toon", 3))
        self.candidates = int(data.get("kandidaten", 30))

    def direction(self, besluit: str | None, body: str = "", parties: list[dict[str, Any]] | None = None) -> Direction:
        text = (besluit or "").strip() or decision_section(body)
        payers = self.payers_of_parties(parties or []) or self.payers(text)
        outcome = self.outcome(text) or (GRANTED if payers else None)
        return Direction(outcome, payers)

    def outcome(self, text: str) -> str | None:
        refused = granted = False
        for sentence in _sentences(text):
            refusals = [m.span() for m in self.refusal.finditer(sentence)]
            refused = refused or bool(refusals)
            for match in self.grant.finditer(sentence):
                if any(a < match.end() and match.start() < b for a, b in refusals):
                    continue  # "niet toegekend" holds "toegekend"
                if _NEGATION.search(_clause_before(sentence, match.start())):
                    refused = True
                else:
                    granted = True
        if refused and granted:
            return PARTLY
        return REFUSED if refused else GRANTED if granted else None

    def payers(self, text: str) -> tuple[str, ...]:
        """Every party the text makes pay or provide, in the order named."""
        found: list[str] = []
        for sentence in _sentences(text):
            for verb in self.paying.finditer(sentence):
                if _NEGATION.search(_clause_before(sentence, verb.start())) or _NEGATION.match(
                    sentence[verb.end() :].lstrip()
                ):
                    continue  # "betaalt niet", "is niet verantwoordelijk"
                mentions = [(m.start(), code) for code, pattern in self.parties for m in pattern.finditer(sentence)]
                after = sorted((at, code) for at, code in mentions if at >= verb.end())
                before = sorted((at, code) for at, code in mentions if at < verb.start())
                if _AFTER_VERB.search(verb.group(0)) and after:
                    found.append(after[0][1])
                elif before:
                    found.append(before[-1][1])
                elif after:
                    found.append(after[0][1])
                # gapping: "het samenwerkingsverband betaalt het onderwijsdeel en de gemeente het zorgdeel"
                found += [code for at, code in after if _GAPPED.search(sentence[verb.end() : at])]
        return tuple(dict.fromkeys(found))

    def payers_of_parties(self, parties: list[dict[str, Any]]) -> tuple[str, ...]:
        """The bound parties whose obligation is to pay or provide (the wijkteam pays as gemeente)."""
        found = []
        for item in parties:
            duty = str(item.get("verplichting") or "")
            if self.paying.search(duty) and not _NEGATION.search(duty):
                party = str(item.get("partij") or "").lower()
                found.append("gemeente" if party == "wijkteam" else party)
        return tuple(dict.fromkeys(p for p in found if p))


@lru_cache(maxsize=4)
def reader_for(taxonomy: Taxonomy) -> DecisionReader:
    return DecisionReader(taxonomy.beslissingen)


@dataclass
class Departure:
    """An earlier comparable decision that went the other way."""

    id: str
    titel: str
    datum: str
    soort: str
    besluit: str
    richting: Direction
    anders: list[str]  # how the decision went the other way
    verschillen: list[str] = field(default_factory=list)  # the facts that differ
    gedeeld: list[str] = field(default_factory=list)  # the blockers both stood on

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "titel": self.titel,
            "datum": self.datum,
            "soort": self.soort,
            "besluit": self.besluit,
            "richting": self.richting.to_dict(),
            "anders": self.anders,
            "verschillen": self.verschillen,
            "gedeelde_blokkades": self.gedeeld,
        }


@dataclass
class EqualityCheck:
    id: str
    richting: Direction
    afwijkend: list[Departure]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "richting": self.richting.to_dict(), "afwijkend": [d.to_dict() for d in self.afwijkend]}


def check(
    kb: KnowledgeBase, case_id: str, limit: int | None = None, source: CaseDetail | None = None
) -> EqualityCheck | None:
    """Earlier comparable decisions that went the other way; ``None`` when ``case_id`` is no decision
    the check covers. Raises NotFound for an unknown id. ``source`` is the case's detail when the
    caller already has it."""
    reader = reader_for(kb.taxonomy)
    source = source or kb.case(case_id)
    if source.soort not in reader.kinds:
        return None
    similar = similar_cases(kb, case_id, reader.candidates, source)
    with Session(kb.engine) as session:
        wanted = [case_id, *(s.id for s in similar)]
        rows = {c.id: c for c in session.exec(select(Case).where(col(Case.id).in_(wanted)))}
    mine = rows[case_id]
    direction = reader.direction(mine.besluit, mine.body_markdown, mine.partijen)
    labels = {t.code: t.label for t in kb.taxonomy.blokkades}
    boundary = _boundary(kb.taxonomy, set(mine.blokkades))
    out: list[Departure] = []
    for item in similar:
        other = rows.get(item.id)
        if other is None or other.soort not in reader.kinds or not other.datum < mine.datum:
            continue
        if mine.leeftijdscategorie and other.leeftijdscategorie and mine.leeftijdscategorie != other.leeftijdscategorie:
            continue  # another age band is another legal frame (18- or 18+), not the same question
        shared = sorted(set(mine.blokkades) & set(other.blokkades) & boundary)
        if not shared:
            continue
        theirs = reader.direction(other.besluit, other.body_markdown, other.partijen)
        why = direction.differs(theirs)
        if not why:
            continue
        gedeeld = [labels.get(c, c) for c in shared]
        besluit = other.besluit or decision_section(other.body_markdown)
        facts = _differences(mine, other, kb)
        out.append(Departure(other.id, other.titel, other.datum, other.soort, besluit, theirs, why, facts, gedeeld))
        if len(out) >= (limit or reader.shown):
            break
    return EqualityCheck(case_id, direction, out)


def _boundary(taxonomy: Taxonomy, codes: set[str]) -> set[str]:
    """The blockers a comparable decision must share: the boundaries between two laws (a blocker whose
    ``domein`` names two laws) when the case has one, else any of its blockers."""
    between = {t.code for t in taxonomy.blokkades if t.code in codes and len(t.extra.get("domein") or []) >= 2}
    return between or codes


def _differences(mine: Case, other: Case, kb: KnowledgeBase) -> list[str]:
    """The recorded facts in which the two cases differ, in Dutch, "hier" being the case checked."""
    tax = kb.taxonomy
    out = []
    out += _pair("leeftijd", mine.leeftijdscategorie, other.leeftijdscategorie)
    for name, title, label in (
        ("hulpvraag", "hulpvraag", lambda c: tax.label("hulpvraag", c)),
        ("wetten", "wetten", str),
        ("blokkades", "blokkades", lambda c: tax.label("blokkades", c)),
    ):
        ours: set[str] = set(getattr(mine, name) or [])
        theirs: set[str] = set(getattr(other, name) or [])
        if ours - theirs:
            out.append(f"{title} alleen hier: " + ", ".join(sorted(label(c) for c in ours - theirs)))
        if theirs - ours:
            out.append(f"{title} alleen daar: " + ", ".join(sorted(label(c) for c in theirs - ours)))
    return out + _pair("regio", mine.regio, other.regio) + _pair("mandaat", mine.mandaat, other.mandaat)


def _pair(title: str, here: str | None, there: str | None) -> list[str]:
    if (here or "") == (there or ""):
        return []
    return [f"{title}: hier {here or 'onbekend'}, daar {there or 'onbekend'}"]


def decision_section(body: str) -> str:
    """The text under the first heading that names the decision ("Besluit", "Advies", "Beslissing")."""
    lines = (body or "").splitlines()
    taken: list[str] = []
    inside = False
    for line in lines:
        heading = _HEADING.match(line)
        if heading:
            if inside:
                break
            inside = bool(re.match(r"(besluit|beslissing|advies|bindend advies|uitspraak)\b", heading.group(1), re.I))
            continue
        if inside:
            taken.append(line)
    return "\n".join(taken).strip()


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text or "") if s.strip()]


def _clause_before(sentence: str, at: int) -> str:
    """The words of the clause in front of position ``at`` (back to a comma or semicolon)."""
    start = max(sentence.rfind(",", 0, at), sentence.rfind(";", 0, at), sentence.rfind(" maar ", 0, at))
    return sentence[start + 1 : at]
