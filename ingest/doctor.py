"""Drift check: do the case files, the SQL store and the search index tell the same story?

Compares content hashes only (no parsing), so it is fast enough to run after every ingest.
Every difference is a :class:`Drift` with a Dutch explanation; none means all three agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.enrich import fingerprint
from ingest.parse import content_hash
from ingest.runner import case_files, display_path
from kb.knowledge import KnowledgeBase


@dataclass(frozen=True)
class Drift:
    kind: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        return {"soort": self.kind, "onderwerp": self.subject, "melding": self.message}


def check(kb: KnowledgeBase, content_dir: Path | None = None) -> list[Drift]:
    """Every disagreement between files, SQL and index."""
    content_dir = (content_dir or kb.settings.content_dir).resolve()
    version = fingerprint(kb.settings)
    stored = kb.stored_files()  # rel -> (id, hash)
    indexed = kb.index.hashes()  # id -> hash
    drift: list[Drift] = []
    files = {p.relative_to(content_dir).as_posix(): p for p in case_files(content_dir)} if content_dir.is_dir() else {}
    for rel, path in files.items():
        shown = display_path(path)
        if rel not in stored:
            drift.append(Drift("niet-ingelezen", shown, "bestand staat niet in de database (nieuw of ongeldig)"))
            continue
        if content_hash(path.read_bytes(), version) != stored[rel][1]:
            drift.append(
                Drift("verouderd", shown, "bestand (of de taxonomie) is gewijzigd sinds het laatst is ingelezen")
            )
    for rel, (case_id, _) in sorted(stored.items()):
        if rel not in files:
            drift.append(Drift("wees-sql", case_id, f"staat in de database, maar bestand {rel} bestaat niet"))
    sql_hashes = {case_id: digest for case_id, digest in stored.values()}
    for case_id, digest in sorted(sql_hashes.items()):
        if case_id not in indexed:
            drift.append(Drift("ontbreekt-index", case_id, "staat in de database, maar niet in de zoekindex"))
        elif indexed[case_id] != digest:
            drift.append(Drift("index-verouderd", case_id, "zoekindex heeft een andere versie dan de database"))
    for case_id in sorted(set(indexed) - set(sql_hashes)):
        drift.append(Drift("wees-index", case_id, "staat in de zoekindex, maar niet in de database"))
    return drift
