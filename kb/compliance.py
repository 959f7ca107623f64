"""Compliance follow-up of binding advice (the advice stage): did the bound parties do what was
asked, on time?

A binding advice names its bound parties, each with an obligation and a deadline, in the case's
front matter (see :mod:`ingest.obligations`). Whether a party complied is a fact that arrives
later, so it lives in an append-only record (:class:`kb.userdata.ObligationEvent`): every status
step with who, when and a note. The current status is the last step, ``open`` without one. An
obligation that is still open after its deadline is overdue; overdue obligations are counted per
party and per boundary for the expertteam and the report.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from kb.errors import InvalidInput, LeerlusError, NotFound
from kb.models import Case
from kb.safe_text import md_text
from kb.signals import MAX_NAME, clean_text
from kb.userdata import ObligationEvent

STATUSES = {"open": "Open", "nagekomen": "Nagekomen", "niet-nagekomen": "Niet nagekomen"}
NEEDS_NOTE = ("niet-nagekomen", "open")  # a failure or a reopening says why


@dataclass
class Obligation:
    """One obligation of one case with its current status and history."""

    case_id: str
    titel: str
    nummer: int
    partij: str
    verplichting: str
    uiterlijk: str | None
    status: str = "open"
    geschiedenis: list[dict[str, Any]] = field(default_factory=list)

    def overdue(self, today: dt.date) -> bool:
        return self.status == "open" and self.uiterlijk is not None and _deadline(self.uiterlijk) < today

    def to_dict(self, today: dt.date, labels: Mapping[str, str]) -> dict[str, Any]:
        return {
            "casus": self.case_id,
            "titel": self.titel,
            "nummer": self.nummer,
            "partij": self.partij,
            "partij_label": labels.get(self.partij, self.partij),
            "verplichting": self.verplichting,
            "uiterlijk": self.uiterlijk,
            "status": self.status,
            "status_label": STATUSES[self.status],
            "te_laat": self.overdue(today),
            "geschiedenis": self.geschiedenis,
        }


def _deadline(text: str) -> dt.date:
    """The last day of a deadline written as a month (JJJJ-MM) or the day itself."""
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 2:
        year, month = parts
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return dt.date(*parts)


def obligations(*, session: Session, case_ids: list[str] | None = None) -> list[Obligation]:
    """Every obligation (of the given cases), with the status its history gives it."""
    query = select(Case.id, Case.titel, Case.partijen)
    if case_ids is not None:
        query = query.where(col(Case.id).in_(case_ids))
    found: dict[tuple[str, int], Obligation] = {}
    for case_id, titel, parties in session.exec(query).all():
        for n, item in enumerate(parties or [], start=1):
            found[(case_id, n)] = Obligation(
                case_id, titel, n, item["partij"], item["verplichting"], item.get("uiterlijk")
            )
    if not found:
        return []
    events = select(ObligationEvent).order_by(col(ObligationEvent.moment), col(ObligationEvent.id))
    if case_ids is not None:
        events = events.where(col(ObligationEvent.case_id).in_(case_ids))
    for event in session.exec(events).all():
        item = found.get((event.case_id, event.nummer))
        if item is None or item.partij != event.partij:
            continue  # the advice was edited: a step about another party no longer applies
        item.status = event.naar
        item.geschiedenis.append(
            {"naar": event.naar, "wie": event.wie, "notitie": event.notitie, "moment": event.moment.isoformat()}
        )
    return sorted(found.values(), key=lambda o: (o.uiterlijk or "9999", o.case_id, o.nummer))


def move(*, session: Session, case_id: str, nummer: int, naar: str, wie: str, notitie: str = "") -> Obligation:
    """Append a status step to obligation ``nummer`` of a case."""
    if naar not in STATUSES:
        raise InvalidInput(f"status '{naar}' is onbekend; kies uit {', '.join(STATUSES)}")
    wie = clean_text(wie, "wie (de rol of het team dat de stap zet)", MAX_NAME)
    if session.get(Case, case_id) is None:
        raise NotFound(f"casus '{case_id}' bestaat niet")
    current = {o.nummer: o for o in obligations(session=session, case_ids=[case_id])}
    if nummer not in current:
        raise NotFound(f"casus '{case_id}' heeft geen verplichting {nummer}")
    item = current[nummer]
    if item.status == naar:
        raise LeerlusError(
            f"de verplichting staat al op {STATUSES[naar].lower()}", code="ongeldige-overgang", status=409
        )
    if naar in NEEDS_NOTE and not notitie.strip():
        raise InvalidInput(f"zeg in de notitie waarom de verplichting op {STATUSES[naar].lower()} komt")
    session.add(
        ObligationEvent(case_id=case_id, nummer=nummer, partij=item.partij, naar=naar, wie=wie, notitie=notitie)
    )
    session.flush()
    return next(o for o in obligations(session=session, case_ids=[case_id]) if o.nummer == nummer)


def overview(items: list[Obligation], boundaries: Mapping[str, list[str]], today: dt.date) -> dict[str, Any]:
    """Overdue obligations, counted per party and per boundary (``boundaries``: case id -> codes)."""
    late = [o for o in items if o.overdue(today)]
    per_party = Counter(o.partij for o in late)
    per_boundary = Counter(code for o in late for code in dict.fromkeys(boundaries.get(o.case_id, [])))
    return {"te_laat": late, "per_partij": dict(per_party.most_common()), "per_grens": dict(per_boundary.most_common())}


def compliance_markdown(naleving: dict[str, Any] | None) -> list[str]:
    """The report's section on binding advice: obligations still open after their deadline."""
    out = ["", "## Naleving van bindende adviezen", ""]
    late = (naleving or {}).get("te_laat") or []
    if not late:
        return out + ["Geen verplichtingen na hun termijn nog open."]
    out += [f"Na de termijn nog open op de peildatum: {len(late)}.", ""]
    header = "| Casus | Partij | Verplichting | Uiterlijk |\n|---|---|---|---|"
    rows = [
        f"| {md_text(o['titel'])} | {o['partij_label']} | {md_text(o['verplichting'])} | {o['uiterlijk'] or ''} |"
        for o in late
    ]
    return [*out, header, *rows]
