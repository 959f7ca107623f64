"""Advice stage, entry: an expertteam's request becomes a dossier of comparable earlier advice.

The request's facts pass the anonymisation gate first (refused exactly like a new case, and never
stored); the extraction then proposes the blockers the facts show, and the dossier is built by
:func:`kb.advice.build` for the boundary the expertteam chose, or else the boundary the facts show
most surely.
"""

from __future__ import annotations

from collections.abc import Iterable

from ingest.draft import draft_body
from ingest.gate import Checker
from ingest.pipeline import Pipeline
from ingest.submit import PersonalDataRefused, Submission, screen
from kb import advice
from kb.errors import InvalidInput
from kb.knowledge import KnowledgeBase
from kb.limits import refuse_long


def dossier_for(
    kb: KnowledgeBase,
    *,
    gate: Checker,
    pipeline: Pipeline,
    feiten: str = "",
    grens: str | None = None,
    leeftijdscategorie: str | None = None,
    hulpvraag: str | None = None,
    zonder: Iterable[str] = (),
    met: Iterable[str] = (),
) -> advice.Dossier:
    refuse_long(feiten, "feiten")  # before any analysis
    body = draft_body(feiten) if feiten.strip() else ""
    proposed: list[str] = []
    if body:
        findings, redacted = screen(Submission(body=body), gate)
        if any(f.finding.blocking for f in findings):
            raise PersonalDataRefused(findings, redacted)
        calibration = pipeline.calibration()
        shown = [b for b in pipeline.analyze(body).blockers if calibration.shown(b.code, b.confidence)]
        shown.sort(key=lambda b: (not b.code.startswith("grens."), -b.confidence))
        proposed = list(dict.fromkeys(b.code for b in shown))
    chosen = grens or (proposed[0] if proposed else None)
    if not chosen:
        raise InvalidInput(
            "kies de grens waarover het advies gaat, of beschrijf de feiten zodat Leerlus er een voorstelt"
        )
    return advice.build(
        kb,
        grens=chosen,
        feiten=body,
        leeftijdscategorie=leeftijdscategorie or None,
        hulpvraag=hulpvraag or None,
        zonder=zonder,
        met=met,
        voorgesteld=proposed,
    )
