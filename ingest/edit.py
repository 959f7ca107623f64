"""Correction stage: an author corrects a stored case through the web form or the API.

The corrected fields pass the anonymisation gate exactly like a new case (:func:`ingest.submit.gated`);
a refusal stores nothing. The file is then written again from its own front matter with the
corrected fields: keys keep their order, keys the form does not know (review decisions, extra
fields) stay as they were, the id and the file name never change. The write is atomic and only
happens when the file is still the version the author opened (``versie``, its content hash), so a
correction never overwrites a change made meanwhile by hand, by a review decision or by a colleague.

A file whose front matter holds YAML comments is not rewritten (the comments would be lost); its
author is told to correct the Markdown file itself. After the write the case is ingested at once.
"""

from __future__ import annotations

import re
from typing import Any

from ingest.casefile import FILE_LOCK, write_atomically
from ingest.enrich import fingerprint
from ingest.frontmatter import split
from ingest.gate import MARK_FIELD, Checker
from ingest.parse import content_hash, parse_case
from ingest.pipeline import Pipeline
from ingest.review import Conflict
from ingest.runner import IngestReport, ingest
from ingest.submit import PARTY_KEYS, TEXT_FIELDS, InvalidCase, Submission, compose, gated
from ingest.workers import Budget
from kb.errors import LeerlusError, NotFound
from kb.knowledge import KnowledgeBase

_COMMENT = re.compile(r"(^|\s)#")


class NotEditable(LeerlusError):
    status = 409
    code = "niet-te-bewerken"


def submission_of(front: dict[str, Any], body: str) -> Submission:
    """What the correction form starts from: the case as its author wrote it."""
    data: dict[str, Any] = {k: _text(front.get(k)) for k in TEXT_FIELDS if front.get(k) is not None}
    for key in ("hulpvraag", "wetten", "blokkades", "verwijzingen", MARK_FIELD):
        data[key] = [_text(v) for v in _items(front.get(key))]
    lessen = front.get("lessen")
    lessons: dict[str, Any] = lessen if isinstance(lessen, dict) else {}
    data["lessen_casus"] = [_text(v) for v in _items(lessons.get("casus"))]
    data["lessen_systeem"] = [_text(v) for v in _items(lessons.get("systeem"))]
    data["partijen"] = [
        {k: _text(p.get(k)) for k in PARTY_KEYS if p.get(k) is not None}
        for p in _items(front.get("partijen"))
        if isinstance(p, dict)
    ]
    data["tekst"] = body.lstrip("\n")
    return Submission.from_mapping(data)


def open_for_edit(kb: KnowledgeBase, case_id: str) -> tuple[Submission, str]:
    """The case's fields as the correction form shows them, and the version they were read at."""
    raw, front, body = _read(kb, case_id)
    return submission_of(front, body), content_hash(raw, fingerprint(kb.settings))


def edit_case(
    kb: KnowledgeBase,
    *,
    case_id: str,
    submission: Submission,
    versie: str,
    gate: Checker,
    check_warnings: bool = False,
    pipeline: Pipeline | None = None,
    budget: Budget | None = None,
) -> IngestReport:
    """Gate, validate and write the corrected case over its file, then ingest it. A web request
    passes its pooled ``gate`` and ``pipeline`` and its ``budget``, as for a new case
    (:func:`ingest.submit.submit`)."""
    submission = gated(submission, gate, check_warnings=check_warnings)
    with FILE_LOCK:
        raw, front, _body = _read(kb, case_id)
        if content_hash(raw, fingerprint(kb.settings)) != versie:
            raise Conflict(
                f"het bestand van casus '{case_id}' is gewijzigd sinds u het opende; "
                "open de casus opnieuw en breng uw correctie dan aan"
            )
        path = _path(kb, case_id)
        text = compose(submission, None, base=front)
        result = parse_case(text.encode("utf-8"), path=path, rel_path=path, taxonomy=kb.taxonomy)
        if result.record is None:
            raise InvalidCase(result.errors)
        write_atomically(kb.settings.content_dir / path, text)
    wait = None if budget is None else max(0.0, budget.remaining())
    return ingest(kb, gate=gate, pipeline=pipeline, wait=wait)


def _path(kb: KnowledgeBase, case_id: str) -> str:
    for path, (cid, _digest) in kb.stored_files().items():
        if cid == case_id:
            return path
    raise NotFound(f"casus '{case_id}' bestaat niet")


def _read(kb: KnowledgeBase, case_id: str) -> tuple[bytes, dict[str, Any], str]:
    path = _path(kb, case_id)
    try:
        raw = (kb.settings.content_dir / path).read_bytes()
    except OSError:
        raise Conflict(f"het bestand van casus '{case_id}' is er niet meer; lees de casusmap opnieuw in") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NotEditable(f"het bestand van casus '{case_id}' is geen UTF-8; corrigeer het bestand zelf") from None
    parsed, issues = split(text, path)
    if parsed is None:
        problems = "; ".join(i.message for i in issues)
        raise NotEditable(f"het bestand van casus '{case_id}' is niet te lezen: {problems}")
    header = text.split("\n---", 1)[0]
    if any(_COMMENT.search(line) for line in header.splitlines()[1:]):
        raise NotEditable(
            f"het bestand van casus '{case_id}' bevat opmerkingen (#) in de kop, die bij een correctie verloren "
            "zouden gaan; corrigeer het Markdown-bestand zelf"
        )
    return raw, parsed.values, parsed.body


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _text(value: Any) -> str:
    return "" if value is None else str(value)
