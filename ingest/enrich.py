"""Extraction stage, applied to parsed cases: add recognised entities and blockers to a record.

Runs the spaCy pipeline over many bodies at once (``nlp.pipe``, in two worker processes for large
batches), turns the analysis into :class:`~kb.records.Mention` and :class:`~kb.records.Finding`
objects (declared blockers ``voorgeschreven``, recognised ones ``herkend`` with their evidence
sentence), and renders the body again with the entities marked.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from importlib import metadata

import spacy

from ingest.confidence import Calibration
from ingest.pipeline import DEFAULT_MODEL, Analysis, Pipeline
from ingest.render import render
from kb.records import CaseRecord, Finding, Mention
from kb.settings import Settings
from kb.taxonomy import load_taxonomy

# Bump when the extraction or gate code changes what it finds, so every case is checked again.
# 3: bare [[id]] links kept in the indexed text as markers (kb.snippets); 4: a block without closing
# punctuation ends in a marker (snippets show " ·"), evidence sentences without Markdown or [[links]]
EXTRACTION_VERSION = "4"
GATE_VERSION = "1"
PARALLEL_FROM = 10**9  # measured: two spaCy processes were slower than one on 2 cores (bench)


def fingerprint(settings: Settings) -> str:
    """What the gate and the analysis of a case depend on besides its file: code versions, model,
    deduce, data files. Mixed into the content hash so a change to any of them re-checks every case."""
    model = settings.spacy_model or (DEFAULT_MODEL if spacy.util.is_package(DEFAULT_MODEL) else "blank")
    digest = load_taxonomy(settings.taxonomy_dir).digest
    gate = _version("deduce")
    key = f"{EXTRACTION_VERSION}|{GATE_VERSION}|{model}|{spacy.__version__}|deduce {gate}|{digest}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


def enrich(records: Sequence[CaseRecord], pipeline: Pipeline) -> list[CaseRecord]:
    """The records with mentions, findings and entity-marked HTML."""
    n_process = 2 if len(records) >= PARALLEL_FROM else 1
    analyses = pipeline.analyze_many([r.body_markdown for r in records], batch_size=64, n_process=n_process)
    calibration = pipeline.calibration()
    return [apply(record, analysis, calibration) for record, analysis in zip(records, analyses, strict=True)]


def apply(record: CaseRecord, analysis: Analysis, calibration: Calibration | None = None) -> CaseRecord:
    """The record with its mentions and blocker findings. A recognised blocker is kept as evidence
    when the author declared its code; otherwise it is a suggestion, kept only when its confidence
    reaches the threshold and no person rejected the code for this case."""
    calibration = calibration or Calibration()
    mentions = tuple(
        Mention(e.label, e.text, e.canonical, e.start, e.end) for e in analysis.entities if e.canonical is not None
    )
    declared, rejected = set(record.blokkades), set(record.blokkades_afgewezen)
    findings = [Finding(code, "voorgeschreven") for code in record.blokkades]
    findings += [
        Finding(b.code, "herkend", b.evidence.strip(), b.start, b.end, b.confidence)
        for b in analysis.blockers
        if b.code in declared or (b.code not in rejected and calibration.shown(b.code, b.confidence))
    ]
    marks = {m.text.lower(): (m.label, m.canonical) for m in mentions}
    rendered = render(record.body_markdown, marks)
    return dataclasses.replace(
        record, mentions=mentions, findings=tuple(findings), body_html=rendered.html, body_text=rendered.text
    )
