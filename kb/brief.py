"""Precedent brief: for a draft case, the closest earlier cases grouped by the blockers it shares.

The draft itself is never stored. For every blocker the draft shows (recognised in its text or
declared by its author), the cases with that blocker whose text is most like the draft come first,
each with its decision, who held the mandate and the outcome; cases that resemble the draft without
a shared blocker follow as "Verder vergelijkbaar". Renders as JSON and as Markdown for the casustafel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlmodel import Session

from kb import store
from kb.safe_text import md_text

if TYPE_CHECKING:
    from kb.knowledge import KnowledgeBase

PER_BLOCKER = 4
OTHERS = 4


@dataclass
class Precedent:
    id: str
    titel: str
    soort: str
    datum: str
    score: float
    besluit: str | None = None
    mandaat: str | None = None
    uitkomst: str | None = None
    soort_label: str = ""

    def to_dict(self) -> dict[str, object]:
        return {**self.__dict__, "score": round(self.score, 3)}


@dataclass
class Group:
    code: str | None
    label: str
    evidence: list[str] = field(default_factory=list)
    precedents: list[Precedent] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "label": self.label,
            "evidence": self.evidence,
            "precedents": [p.to_dict() for p in self.precedents],
        }


@dataclass
class Brief:
    groups: list[Group]
    pipeline: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"pipeline": self.pipeline, "groups": [g.to_dict() for g in self.groups]}

    def to_markdown(self) -> str:
        lines = ["# Precedenten voor de casustafel", ""]
        if not self.groups:
            lines.append("Geen vergelijkbare casussen gevonden.")
        for group in self.groups:
            title = f"{group.label} (`{group.code}`)" if group.code else group.label
            lines += [f"## {title}", ""]
            for sentence in group.evidence[:2]:
                lines += [f"> {md_text(sentence)}", ""]
            for p in group.precedents:
                lines.append(f"- **{md_text(p.titel)}** ({p.soort_label or p.soort}, {p.datum}, `{p.id}`)")
                for label, value in (("Besluit", p.besluit), ("Mandaat", p.mandaat), ("Uitkomst", p.uitkomst)):
                    if value:
                        lines.append(f"  - {label}: {md_text(value)}")
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


def brief(kb: KnowledgeBase, text: str, blockers: dict[str, list[str]], pipeline: str = "") -> Brief:
    """Precedents for ``text``; ``blockers`` maps each blocker code of the draft to its evidence."""
    labels = {t.code: t.label for t in kb.taxonomy.blokkades}
    groups: list[Group] = []
    used: set[str] = set()
    for code, evidence in blockers.items():
        found = kb.index.similar_to_text(text, blocker=code, top=PER_BLOCKER)
        groups.append(Group(code, labels.get(code, code), evidence, _precedents(kb, found)))
        used.update(found)
    others = {k: v for k, v in kb.index.similar_to_text(text, top=OTHERS + len(used)).items() if k not in used}
    if others:
        groups.append(Group(None, "Verder vergelijkbaar", [], _precedents(kb, dict(list(others.items())[:OTHERS]))))
    return Brief([g for g in groups if g.precedents or g.code], pipeline)


def _precedents(kb: KnowledgeBase, found: dict[str, float]) -> list[Precedent]:
    with Session(kb.engine) as session:
        cases = {c.id: c for c in (store.get_case(session=session, case_id=i) for i in found) if c is not None}
    return [
        Precedent(
            i, c.titel, c.soort, c.datum, score, c.besluit, c.mandaat, c.uitkomst,
            kb.taxonomy.facet_label("soort", c.soort),
        )  # fmt: skip
        for i, score in sorted(found.items(), key=lambda kv: -kv[1])
        if (c := cases.get(i)) is not None
    ]
