"""Parse stage: one case file (bytes) -> a validated, rendered :class:`kb.records.CaseRecord`.

Ties together decoding, front-matter splitting, validation and rendering. Problems come back as
:class:`~ingest.issues.Issue` objects; a file with any error yields no record.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ingest.frontmatter import decode, split
from ingest.issues import Issue
from ingest.render import case_links, render
from ingest.validate import Validator
from kb.records import CaseRecord
from kb.taxonomy import Taxonomy


@dataclass
class ParseResult:
    """The record (when the file is valid) and every issue found, errors and warnings."""

    record: CaseRecord | None
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]


def content_hash(raw: bytes, fingerprint: str = "") -> str:
    """Hash of a file's bytes and of what its analysis depends on (see ``ingest.enrich``)."""
    return hashlib.sha256(fingerprint.encode() + raw).hexdigest()


def parse_case(
    raw: bytes,
    *,
    path: str,
    rel_path: str,
    taxonomy: Taxonomy,
    max_bytes: int = 1_000_000,
    fingerprint: str = "",
    render_body: bool = True,
) -> ParseResult:
    """Parse one file. ``path`` is shown to the user; ``rel_path`` is stored. With
    ``render_body=False`` the HTML is left to :func:`ingest.enrich.apply`, which renders once,
    with the recognised entities marked."""
    text, issues = decode(raw, path, max_bytes)
    if text is None:
        return ParseResult(None, issues)
    front, issues = split(text, path)
    if front is None:
        return ParseResult(None, issues)
    default_id = PurePosixPath(rel_path).stem
    validator = Validator(front, path, default_id, taxonomy)
    fields = validator.run()
    issues = issues + validator.issues
    if any(i.is_error for i in issues):
        return ParseResult(None, issues)
    rendered = render(front.body) if render_body else None
    v = fields.values
    record = CaseRecord(
        id=v["id"],
        path=rel_path,
        content_hash=content_hash(raw, fingerprint),
        titel=v["titel"],
        soort=v["soort"],
        datum=v["datum"],
        regio=v.get("regio"),
        team=v.get("team"),
        leeftijdscategorie=v.get("leeftijdscategorie"),
        hulpvraag=v["hulpvraag"],
        wetten=v["wetten"],
        blokkades=v["blokkades"],
        blokkades_afgewezen=v["blokkades_afgewezen"],
        besluit=v.get("besluit"),
        mandaat=v.get("mandaat"),
        uitkomst=v.get("uitkomst"),
        lessen_casus=v["lessen_casus"],
        lessen_systeem=v["lessen_systeem"],
        verwijzingen=v["verwijzingen"],
        vraag=v.get("vraag"),
        grondslag=v.get("grondslag"),
        partijen=v["partijen"],
        body_links=tuple(case_links(front.body)),
        extra=fields.extra,
        body_markdown=front.body,
        body_html=rendered.html if rendered else "",
        body_text=rendered.text if rendered else "",
    )
    return ParseResult(record, issues)
