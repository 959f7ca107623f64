"""Precedent brief for a draft: gate first, then analysis, then :func:`kb.brief.brief`.

The draft is never stored. Personal data refuses it exactly as a new case would be refused, with
the findings and a redacted version.
"""

from __future__ import annotations

from ingest.draft import draft_body
from ingest.gate import Checker
from ingest.pipeline import Pipeline
from ingest.submit import PersonalDataRefused, Submission, screen
from kb.brief import Brief, brief
from kb.errors import InvalidInput
from kb.knowledge import KnowledgeBase
from kb.limits import refuse_long


def precedents_for(text: str, *, kb: KnowledgeBase, gate: Checker, pipeline: Pipeline) -> Brief:
    """The precedent brief of a draft (Markdown with or without front matter, or plain text)."""
    refuse_long(text, "de tekst")  # before any analysis
    body = draft_body(text)
    if not body.strip():  # a brief about nothing would only look like an answer
        raise InvalidInput("plak eerst de tekst van het concept; zonder tekst is er niets om precedenten bij te zoeken")
    findings, redacted = screen(Submission(body=body), gate)
    if any(f.finding.blocking for f in findings):
        raise PersonalDataRefused(findings, redacted)
    analysis = pipeline.analyze(body)
    calibration = pipeline.calibration()
    blockers: dict[str, list[str]] = {}
    for found in analysis.blockers:
        if calibration.shown(found.code, found.confidence):  # the same suggestions Leerlus shows elsewhere
            blockers.setdefault(found.code, []).append(found.evidence)
    return brief(kb, body, blockers, analysis.pipeline)
