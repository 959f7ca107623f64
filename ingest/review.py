"""Review stage: a person confirms or rejects a suggested blocker, and the case file says so.

The decision is written into the case's Markdown file, the source of truth: a confirmed code is
added to ``blokkades`` (from then on it is vastgesteld and counts), a rejected one to
``blokkades_afgewezen`` (it is never suggested again for that case). The edit keeps every other
byte of the file (:mod:`ingest.casefile`), is atomic, and is refused when the file changed since
the suggestion was shown (the caller passes the ``versie`` it saw). The case is ingested again at
once and the decision is appended to the review record, which survives ``leerlus reindex``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from ingest.casefile import FILE_LOCK, add_to_list, write_atomically
from ingest.enrich import fingerprint
from ingest.parse import content_hash
from ingest.runner import IngestReport, ingest
from kb import review, store
from kb.db import session_scope
from kb.errors import InvalidInput, LeerlusError, NotFound
from kb.knowledge import KnowledgeBase
from kb.signals import MAX_NAME, clean_text

FIELD = {"bevestigd": "blokkades", "afgewezen": "blokkades_afgewezen"}
ALIASES = {"bevestig": "bevestigd", "bevestigen": "bevestigd", "afwijzen": "afgewezen", "wijs-af": "afgewezen"}


class Conflict(LeerlusError):
    status = 409
    code = "gewijzigd"


@dataclass
class Decision:
    case_id: str
    code: str
    beslissing: str
    wie: str
    report: IngestReport

    def to_dict(self) -> dict[str, object]:
        return {
            "casus": self.case_id,
            "code": self.code,
            "beslissing": self.beslissing,
            "wie": self.wie,
            "ingelezen": self.report.ok,
        }


def decide(kb: KnowledgeBase, *, case_id: str, code: str, beslissing: str, wie: str, versie: str) -> Decision:
    """Confirm (``bevestigd``) or reject (``afgewezen``) the suggestion ``code`` of a case."""
    beslissing = ALIASES.get(beslissing, beslissing)
    if beslissing not in FIELD:
        raise InvalidInput(f"beslissing '{beslissing}' is onbekend; kies bevestigd of afgewezen")
    wie = clean_text(wie, "wie (de rol of het team dat beslist)", MAX_NAME)
    labels = {t.code: t.label for t in kb.taxonomy.blokkades}
    with FILE_LOCK:
        with Session(kb.engine) as session:
            case = store.get_case(session=session, case_id=case_id)
            if case is None:
                raise NotFound(f"casus '{case_id}' bestaat niet")
            suggestion = next(
                (
                    s
                    for s in review.open_suggestions(session=session, labels=labels)
                    if s.case_id == case_id and s.code == code
                ),
                None,
            )
            path, team = case.path, case.team
        if suggestion is None:
            raise Conflict(f"casus '{case_id}' heeft geen open suggestie '{code}' (meer)", code="geen-suggestie")
        target = kb.settings.content_dir / path
        try:
            raw = target.read_bytes()
        except OSError:
            raise Conflict(f"het bestand van casus '{case_id}' is er niet meer; lees de casusmap opnieuw in") from None
        if content_hash(raw, fingerprint(kb.settings)) != versie or suggestion.versie != versie:
            raise Conflict(
                f"het bestand van casus '{case_id}' is gewijzigd sinds de suggestie werd getoond; "
                "open de lijst opnieuw en beslis dan"
            )
        edited = add_to_list(raw.decode("utf-8"), FIELD[beslissing], code)
        write_atomically(target, edited)
        with session_scope(kb.engine) as session:
            review.record(
                session=session,
                case_id=case_id,
                code=code,
                beslissing=beslissing,
                wie=wie,
                confidence=suggestion.confidence,
                evidence=suggestion.evidence,
                team=team,
            )
    return Decision(case_id, code, beslissing, wie, ingest(kb))
