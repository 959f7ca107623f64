"""The audit log (the store stage, for accountability in the spirit of NEN 7513): who read or changed
which case, signal or obligation, when, from where, with which request.

Lines are only ever appended (:func:`append`); nothing in Leerlus updates or deletes one, and
database triggers refuse it (SQLite and PostgreSQL; made by the baseline revision in
``kb/migrations/versions``). Each line carries the hash of the line before it and a hash over
itself, so :func:`verify` finds a changed, inserted or removed line. A line names cases by id and
never holds case text, search queries or free text.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from kb.userdata import AuditEntry

GENESIS = "0" * 64
FIELDS = ("moment", "wie", "rol", "actie", "object", "casussen", "uitkomst", "verzoek", "adres")
_LOCK = threading.Lock()  # one writer per process; the unique vorige_hash guards between processes


@dataclass(frozen=True)
class Event:
    """What happened, before it gets its place in the chain."""

    wie: str
    rol: str
    actie: str
    object: str = ""
    casussen: Sequence[str] = field(default_factory=tuple)
    uitkomst: str = "ok"
    verzoek: str = ""
    adres: str = ""


def line_hash(values: dict[str, Any], previous: str) -> str:
    """SHA-256 over the previous hash and the line's fields in a fixed order."""
    payload = json.dumps([previous, *(str(values[name]) for name in FIELDS)], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(engine: Engine, event: Event, *, attempts: int = 20) -> AuditEntry:
    """Add one line at the end of the chain. When another process wrote in between, the unique
    ``vorige_hash`` refuses the fork and the line is chained again to the new end."""
    values: dict[str, Any] = {
        "moment": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "wie": event.wie[:80],
        "rol": event.rol[:20],
        "actie": event.actie[:40],
        "object": event.object[:300],
        "casussen": json.dumps(list(dict.fromkeys(event.casussen)), ensure_ascii=False),
        "uitkomst": event.uitkomst[:20],
        "verzoek": event.verzoek[:64],
        "adres": event.adres[:64],
    }
    with _LOCK:
        for attempt in range(attempts):
            with Session(engine) as session:
                last = session.exec(select(AuditEntry.hash).order_by(col(AuditEntry.id).desc()).limit(1)).first()
                previous = last or GENESIS
                entry = AuditEntry(**values, vorige_hash=previous, hash=line_hash(values, previous))
                session.add(entry)
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()
                    if attempt == attempts - 1:
                        raise
                    continue
                session.refresh(entry)
                return entry
    raise RuntimeError("unreachable")


@dataclass
class Verdict:
    """The outcome of :func:`verify`: how many lines, the last hash, and what is wrong (in Dutch)."""

    lines: int = 0
    last_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "regels": self.lines, "laatste_hash": self.last_hash, "problemen": self.problems}


def verify(session: Session) -> Verdict:
    """Walk the chain in order: every line must hash to its stored hash and point at the line before."""
    verdict = Verdict()
    previous = GENESIS
    for entry in session.exec(select(AuditEntry).order_by(col(AuditEntry.id))):
        values = {name: getattr(entry, name) for name in FIELDS}
        if entry.vorige_hash != previous:
            verdict.problems.append(
                f"regel {entry.id}: wijst niet naar de regel ervoor (een regel is verwijderd, ingevoegd of gewijzigd)"
            )
        if line_hash(values, entry.vorige_hash) != entry.hash:
            verdict.problems.append(f"regel {entry.id}: de inhoud past niet bij de hash (de regel is gewijzigd)")
        previous = entry.hash
        verdict.lines += 1
    verdict.last_hash = previous
    return verdict


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def entries(
    session: Session,
    *,
    case_id: str | None = None,
    wie: str | None = None,
    actie: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """Lines newest first, optionally only those about one case, by one user or of one action;
    with the number of lines that match."""
    query = select(AuditEntry)
    if case_id:
        query = query.where(col(AuditEntry.casussen).like(f'%"{_like_escape(case_id)}"%', escape="\\"))
    if wie:
        query = query.where(AuditEntry.wie == wie)
    if actie:
        query = query.where(AuditEntry.actie == actie)
    found = [e for e in session.exec(query.order_by(col(AuditEntry.id).desc())) if _about(e, case_id)]
    return found[offset : offset + limit], len(found)


def _about(entry: AuditEntry, case_id: str | None) -> bool:
    return case_id is None or case_id in json.loads(entry.casussen)


def public(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "moment": entry.moment,
        "wie": entry.wie,
        "rol": entry.rol,
        "actie": entry.actie,
        "object": entry.object,
        "casussen": json.loads(entry.casussen),
        "uitkomst": entry.uitkomst,
        "verzoek": entry.verzoek,
        "adres": entry.adres,
        "hash": entry.hash,
    }


class AuditLog:
    """The audit log of one database, for the routes and the CLI."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def append(self, event: Event) -> AuditEntry:
        return append(self.engine, event)

    def verify(self) -> Verdict:
        with Session(self.engine) as session:
            return verify(session)

    def entries(self, **filters: Any) -> tuple[list[dict[str, Any]], int]:
        with Session(self.engine) as session:
            found, total = entries(session, **filters)
            return [public(e) for e in found], total

    def actions(self) -> list[str]:
        with Session(self.engine) as session:
            return sorted(session.exec(select(AuditEntry.actie).distinct()).all())
