"""Ingest runner: bring SQL and the index in line with the case files, incrementally.

Unchanged files (same content hash in SQL *and* index) are skipped; new and changed files are
parsed and written; cases whose file disappeared or no longer parses are removed, so files, SQL
and index never silently disagree. A failing file is reported and the run goes on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingest.enrich import enrich, fingerprint
from ingest.frontmatter import read_case_file
from ingest.gate import Checker, get_gate
from ingest.issues import Issue
from ingest.parse import content_hash, parse_case
from ingest.pipeline import Pipeline, get_pipeline
from ingest.runlock import ingest_lock
from kb.errors import LeerlusError
from kb.knowledge import KnowledgeBase
from kb.records import CaseRecord

BATCH_SIZE = 500
LARGE_RUN = 2000

# Cases analysed per step, so an ingest shows progress while it analyses: about ten steps, of at
# least 8 (spaCy batches well from there) and at most 256 cases.
ENRICH_CHUNK = 256

# progress(stage, done, total): stage "lezen" counts case files checked by the gate and parsed,
# "analyseren" cases analysed, "opslaan" cases written to SQL and the index.
Progress = Callable[[str, int, int], None]


@dataclass
class IngestReport:
    """What an ingest run did, and every problem it found."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    seen_again: list[tuple[int, str]] = field(default_factory=list)  # (signal, case) flagged by this run

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        return (
            f"{len(self.added)} nieuw, {len(self.updated)} bijgewerkt, "
            f"{len(self.removed)} verwijderd, {self.unchanged} ongewijzigd, "
            f"{len(self.failed)} mislukt"
            + (f" (waarvan {len(self.refused)} geweigerd om persoonsgegevens)" if self.refused else "")
            + (f"; {len(self.seen_again)} keer een opgelost signaal opnieuw gezien" if self.seen_again else "")
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "toegevoegd": self.added,
            "bijgewerkt": self.updated,
            "verwijderd": self.removed,
            "ongewijzigd": self.unchanged,
            "mislukt": self.failed,
            "geweigerd": self.refused,
            "meldingen": [i.to_dict() for i in self.issues],
            "opnieuw_gezien": [{"signaal": s, "casus": c} for s, c in self.seen_again],
        }


def case_files(content_dir: Path) -> Iterator[Path]:
    """Every ``*.md`` under ``content_dir``, sorted; names starting with '.' or '_' are skipped."""
    for path in sorted(content_dir.rglob("*.md")):
        rel = path.relative_to(content_dir)
        if any(part.startswith((".", "_")) for part in rel.parts):
            continue
        if path.is_file():
            yield path


def display_path(path: Path) -> str:
    """A path as the user should see it: relative to the working directory when it lies below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


_RUN_LOCK = threading.Lock()


def ingest(
    kb: KnowledgeBase,
    content_dir: Path | None = None,
    *,
    progress: Progress | None = None,
    gate: Checker | None = None,
    pipeline: Pipeline | None = None,
    wait: float | None = None,
) -> IngestReport:
    """Ingest ``content_dir`` (default: the configured one) into ``kb``: one run at a time per
    process, and on PostgreSQL one at a time across all nodes (:mod:`ingest.runlock`). A web request
    passes its pooled ``gate`` and ``pipeline`` (:mod:`ingest.pooled`) and waits at most ``wait``
    seconds for a run in progress (then a Dutch ``503``); by default the gate and pipeline of this
    process are used and a run waits its turn."""
    if not _RUN_LOCK.acquire(timeout=-1 if wait is None else wait):
        raise LeerlusError("er worden al casussen ingelezen; probeer het zo opnieuw", code="inlezen-bezig", status=503)
    try:
        node_wait = kb.settings.ingest_wait_seconds if wait is None else min(wait, kb.settings.ingest_wait_seconds)
        with ingest_lock(kb.engine, node_wait):
            return _ingest(kb, content_dir, progress=progress, gate=gate, pipeline=pipeline)
    finally:
        _RUN_LOCK.release()


def _ingest(
    kb: KnowledgeBase,
    content_dir: Path | None = None,
    *,
    progress: Progress | None = None,
    gate: Checker | None = None,
    pipeline: Pipeline | None = None,
) -> IngestReport:
    content_dir = (content_dir or kb.settings.content_dir).resolve()
    report = IngestReport()
    if not content_dir.is_dir():
        report.issues.append(Issue(str(content_dir), "map met casussen bestaat niet"))
        report.failed.append(str(content_dir))
        return report
    version = fingerprint(kb.settings)
    stored = kb.stored_files()  # rel path -> (id, hash)
    indexed = kb.index.hashes()  # id -> hash
    owner: dict[str, str] = {}  # id -> rel path that keeps it
    shown: dict[str, str] = {}  # rel path -> path as shown to the user
    pending: list[CaseRecord] = []
    bad_paths: set[str] = set()

    files = list(case_files(content_dir))
    for number, path in enumerate(files, start=1):
        if progress:
            progress("lezen", number - 1, len(files))
        rel = path.relative_to(content_dir).as_posix()
        shown[rel] = display_path(path)
        # Too large, outside the content directory or unreadable: refused before it is read whole.
        raw, unreadable = read_case_file(path, root=content_dir, shown=shown[rel], max_bytes=kb.settings.max_file_bytes)
        if raw is None:
            report.issues.extend(unreadable)
            bad_paths.add(rel)
            continue
        digest = content_hash(raw, version)
        previous = stored.get(rel)
        if previous and previous[1] == digest and indexed.get(previous[0]) == digest:
            owner.setdefault(previous[0], rel)
            report.unchanged += 1
            continue
        refusal = gate_refusal(raw, shown[rel], kb, gate)
        if refusal:
            report.issues.extend(refusal)
            if any(i.is_error for i in refusal):
                report.refused.append(shown[rel])
                bad_paths.add(rel)
                continue
        result = parse_case(
            raw,
            path=shown[rel],
            rel_path=rel,
            taxonomy=kb.taxonomy,
            max_bytes=kb.settings.max_file_bytes,
            fingerprint=version,
            render_body=False,
        )
        report.issues.extend(result.issues)
        if result.record is None:
            bad_paths.add(rel)
            continue
        pending.append(result.record)

    # Duplicate ids: the file that already holds the id keeps it, otherwise the first by path.
    pending.sort(key=lambda r: (stored.get(r.path, ("", ""))[0] != r.id, r.path))
    accepted: list[CaseRecord] = []
    for record in pending:
        holder = owner.get(record.id)
        if holder is not None and holder != record.path:
            report.issues.append(
                Issue(
                    shown[record.path],
                    f"id '{record.id}' komt ook voor in {shown.get(holder, holder)}; "
                    "geef een van beide bestanden een ander id",
                    field="id",
                )
            )
            bad_paths.add(record.path)
            continue
        owner[record.id] = record.path
        accepted.append(record)

    if progress:
        progress("lezen", len(files), len(files))
    if accepted:
        pipeline = pipeline or get_pipeline(kb.settings.spacy_model, kb.settings.taxonomy_dir)
        enriched: list[CaseRecord] = []
        step = min(ENRICH_CHUNK, max(8, len(accepted) // 10))
        for start in range(0, len(accepted), step):
            if progress:
                progress("analyseren", start, len(accepted))
            enriched.extend(enrich(accepted[start : start + step], pipeline))
        accepted = enriched

    present = {path.relative_to(content_dir).as_posix() for path in files}
    keep_ids = {r.id for r in accepted} | {
        case_id for case_id, rel in owner.items() if rel in present and rel not in bad_paths
    }
    gone = sorted(
        {case_id for rel, (case_id, _) in stored.items() if case_id not in keep_ids}
        | {case_id for case_id in indexed if case_id not in keep_ids}
    )
    for rel in sorted(bad_paths & stored.keys()):
        if stored[rel][0] not in keep_ids:
            report.issues.append(Issue(shown.get(rel, rel), "niet meer geldig: de casus is uit de kennisbank gehaald"))

    stored_ids = {case_id for case_id, _ in stored.values()}
    report.failed = sorted(shown.get(p, p) for p in bad_paths)
    total = len(accepted) + (1 if gone else 0)
    done = 0
    if progress:
        progress("opslaan", done, total)
    if gone:
        with kb.write() as batch:
            batch.delete(gone)
        report.removed = [i for i in gone if i in stored_ids]
        done += 1
    # Large runs (a rebuild, a first import) go in one batch so Whoosh can build in parallel.
    size = len(accepted) if len(accepted) >= LARGE_RUN else BATCH_SIZE
    for start in range(0, len(accepted), size):
        chunk = accepted[start : start + size]
        with kb.write(expected=len(chunk)) as batch:
            for record in chunk:
                batch.put(record)
                done += 1
                if progress and done % 100 == 0:
                    progress("opslaan", done, total)
        for record in chunk:
            (report.updated if record.id in stored_ids else report.added).append(record.id)
    if progress:
        progress("opslaan", done, total)
    if accepted:  # the learning loop checks itself: did a resolved blocker come back?
        report.seen_again = kb.check_returns()

    for source, target in kb.unknown_links():
        holder = owner.get(source)
        report.issues.append(
            Issue(
                shown.get(holder, holder) if holder else source,
                f"verwijzing naar onbekende casus '{target}'",
                field="verwijzingen",
                severity="waarschuwing",
            )
        )
    return report


def gate_refusal(raw: bytes, shown: str, kb: KnowledgeBase, gate: Checker | None = None) -> list[Issue]:
    """Findings of the anonymisation gate as issues, without repeating the personal data itself
    (ingest output may end up in logs): kind, line and column only."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return []  # parse reports the encoding problem
    result = (gate or get_gate(kb.settings.taxonomy_dir, kb.settings.spacy_model)).check(text)
    issues = []
    line_start, scanned = 0, 0
    for finding in result.findings:  # in text order: look back only to the previous finding
        newline = text.rfind("\n", scanned, finding.start)
        line_start, scanned = (newline + 1 if newline >= 0 else line_start), max(scanned, finding.start)
        column = finding.start - line_start + 1
        if finding.blocking:
            message = (
                f"{finding.kind} gevonden (kolom {column}); het bestand wordt niet opgeslagen. "
                f"Draai 'leerlus check {shown}' voor de vondsten en een geanonimiseerde versie"
            )
            issues.append(Issue(shown, message, line=finding.line, field="privacy"))
        else:
            message = f"mogelijk gevoelig: {finding.kind} (kolom {column}); controleer of dit nodig is"
            issues.append(Issue(shown, message, line=finding.line, field="privacy", severity="waarschuwing"))
    return issues


def reindex(kb: KnowledgeBase, content_dir: Path | None = None, *, progress: Progress | None = None) -> IngestReport:
    """Throw away SQL and index and rebuild both from the files."""
    with _RUN_LOCK, ingest_lock(kb.engine, kb.settings.ingest_wait_seconds):
        kb.reset()
        return _ingest(kb, content_dir, progress=progress)
