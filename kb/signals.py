"""System signals and their workflow (the learning-loop stage).

A system lesson becomes a :class:`~kb.userdata.Signal` addressed to whoever can remove the
blocker. Its status moves along :data:`TRANSITIONS` only; every change is appended to the
signal's history and nothing is edited away. When a case dated on or after the day a signal was
marked ``opgelost`` shows one of its blockers, :func:`check_returns` records "opnieuw gezien" with
a link to that case: the loop checks itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from kb.errors import InvalidInput, LeerlusError, NotFound
from kb.limits import refuse_control
from kb.models import Case, CaseTag
from kb.taxonomy import Taxonomy
from kb.userdata import Signal, SignalEvent, now

STATUSES = {
    "nieuw": "Nieuw",
    "geagendeerd": "Geagendeerd",
    "in-behandeling": "In behandeling",
    "opgelost": "Opgelost",
    "niet-opgepakt": "Niet opgepakt",
}
TRANSITIONS = {
    "nieuw": ("geagendeerd", "niet-opgepakt"),
    "geagendeerd": ("in-behandeling", "niet-opgepakt"),
    "in-behandeling": ("opgelost", "niet-opgepakt"),
    "opgelost": ("geagendeerd",),  # heropenen, bijvoorbeeld na "opnieuw gezien"
    "niet-opgepakt": ("geagendeerd",),
}
# Moves that need a note: giving up on a signal, and reopening one.
NOTE_REQUIRED = {(a, "niet-opgepakt") for a in ("nieuw", "geagendeerd", "in-behandeling")}
NOTE_REQUIRED |= {("opgelost", "geagendeerd"), ("niet-opgepakt", "geagendeerd")}
SYSTEM = "Leerlus"
MAX_TITLE = 300
MAX_NOTE = 5000
MAX_NAME = 120


class EventPublic(SQLModel):
    soort: str
    van: str | None = None
    naar: str | None = None
    wie: str
    notitie: str = ""
    casus: str | None = None
    moment: datetime


class SignalPublic(SQLModel):
    id: int
    uid: str
    titel: str
    toelichting: str
    blokkades: list[str]
    casussen: list[str]
    adressaat: str
    adressaat_label: str
    status: str
    status_label: str
    bron_les: str | None = None
    aangemaakt: datetime
    gewijzigd: datetime
    opnieuw_gezien: list[str] = []
    toegestaan: list[str] = []
    geschiedenis: list[EventPublic] = []


def clean_text(value: str | None, label: str, limit: int, *, required: bool = True) -> str:
    """A typed text with its whitespace collapsed (a ``toelichting`` keeps its lines), required and
    at most ``limit`` characters, without control characters; a Dutch error otherwise."""
    clean = " ".join((value or "").split()) if label != "toelichting" else (value or "").strip()
    if required and not clean:
        raise InvalidInput(f"{label} is verplicht")
    if len(clean) > limit:
        raise InvalidInput(f"{label} is te lang ({len(clean)} tekens, hoogstens {limit})")
    return refuse_control(clean, label)


def create(
    *,
    session: Session,
    taxonomy: Taxonomy,
    titel: str,
    adressaat: str,
    blokkades: Sequence[str],
    casussen: Sequence[str],
    wie: str,
    toelichting: str = "",
    bron_les: str | None = None,
) -> Signal:
    """A new signal with status ``nieuw`` and its first history entry; Dutch errors for bad input."""
    titel = clean_text(titel, "titel", MAX_TITLE)
    wie = clean_text(wie, "naam (wie)", MAX_NAME)
    toelichting = clean_text(toelichting, "toelichting", MAX_NOTE, required=False)
    adressaten = {t.code for t in taxonomy.adressaten}
    if not adressaat:
        raise InvalidInput("kies een adressaat: wie kan deze blokkade wegnemen?")
    if adressaat not in adressaten:
        raise InvalidInput(f"adressaat '{adressaat}' is onbekend; kies uit {', '.join(sorted(adressaten))}")
    codes = list(dict.fromkeys(b for b in blokkades if b))
    if not codes:
        raise InvalidInput("kies ten minste één blokkade: daaraan ziet Leerlus of het knelpunt terugkomt")
    unknown = [b for b in codes if b not in taxonomy.codes("blokkades")]
    if unknown:
        raise InvalidInput(f"onbekende blokkade(s): {', '.join(unknown)}")
    ids = list(dict.fromkeys(c for c in casussen if c))
    known = set(session.exec(select(Case.id).where(col(Case.id).in_(ids))).all()) if ids else set()
    missing = [c for c in ids if c not in known]
    if missing:
        raise InvalidInput(f"onbekende casus(sen): {', '.join(missing)}")
    if bron_les:
        existing = session.exec(select(Signal).where(Signal.bron_les == bron_les)).first()
        if existing is not None:
            raise LeerlusError(
                f"van deze les is al een signaal gemaakt: #{existing.id} '{existing.titel}'",
                code="bestaat-al",
                status=409,
            )
    signal = Signal(
        titel=titel,
        toelichting=toelichting,
        blokkades=codes,
        casussen=ids,
        adressaat=adressaat,
        status="nieuw",
        bron_les=bron_les,
    )
    session.add(signal)
    session.flush()
    session.add(SignalEvent(signal_id=_id(signal), soort="aangemaakt", naar="nieuw", wie=wie, notitie=toelichting))
    session.flush()
    return signal


def move(*, session: Session, signal_id: int, naar: str, wie: str, notitie: str = "") -> Signal:
    """Move a signal to another status along :data:`TRANSITIONS`, appending to its history."""
    signal = get(session=session, signal_id=signal_id)
    wie = clean_text(wie, "naam (wie)", MAX_NAME)
    notitie = clean_text(notitie, "toelichting", MAX_NOTE, required=False)
    if naar not in STATUSES:
        raise InvalidInput(f"status '{naar}' is onbekend; kies uit {', '.join(STATUSES)}")
    allowed = TRANSITIONS[signal.status]
    if naar not in allowed:
        options = ", ".join(STATUSES[s].lower() for s in allowed)
        raise LeerlusError(
            f"een signaal met status '{STATUSES[signal.status].lower()}' kan niet naar "
            f"'{STATUSES[naar].lower()}'; wel naar: {options}",
            code="ongeldige-overgang",
            status=409,
        )
    if (signal.status, naar) in NOTE_REQUIRED and not notitie:
        raise InvalidInput(f"licht toe waarom het signaal naar '{STATUSES[naar].lower()}' gaat")
    session.add(
        SignalEvent(signal_id=_id(signal), soort="status", van=signal.status, naar=naar, wie=wie, notitie=notitie)
    )
    signal.status = naar
    signal.gewijzigd = now()
    session.add(signal)
    session.flush()
    if naar == "opgelost":
        check_returns(session=session, signal_ids=[_id(signal)])
    return signal


def get(*, session: Session, signal_id: int) -> Signal:
    signal = session.get(Signal, signal_id)
    if signal is None:
        raise NotFound(f"signaal #{signal_id} bestaat niet")
    return signal


def history(*, session: Session, signal_id: int) -> list[SignalEvent]:
    query = select(SignalEvent).where(SignalEvent.signal_id == signal_id)
    return list(session.exec(query.order_by(col(SignalEvent.moment), col(SignalEvent.id))).all())


def utc(moment: datetime) -> datetime:
    """A stored moment as an aware UTC datetime (SQLite hands back naive ones)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def resolved_at(events: Sequence[SignalEvent]) -> datetime | None:
    """When the signal was last marked ``opgelost``, if that is its current state."""
    last = None
    for event in events:
        if event.soort == "status":
            last = utc(event.moment) if event.naar == "opgelost" else None
    return last


def seen_again(events: Sequence[SignalEvent]) -> list[str]:
    """Cases recorded as "opnieuw gezien" since the signal was last marked ``opgelost``."""
    since = resolved_at(events)
    if since is None:
        return []
    return [e.casus for e in events if e.soort == "opnieuw-gezien" and e.casus and utc(e.moment) >= since]


def check_returns(*, session: Session, signal_ids: Iterable[int] | None = None) -> list[tuple[int, str]]:
    """Record "opnieuw gezien" for every resolved signal whose blocker shows up in a case dated
    on or after the day it was resolved. Idempotent; returns the new ``(signal, case)`` pairs."""
    query = select(Signal).where(Signal.status == "opgelost")
    if signal_ids is not None:
        query = query.where(col(Signal.id).in_(list(signal_ids)))
    found: list[tuple[int, str]] = []
    for signal in session.exec(query).all():
        events = history(session=session, signal_id=_id(signal))
        since = resolved_at(events)
        if since is None:
            continue
        day = since.strftime("%Y-%m-%d")
        recorded = set(seen_again(events))
        rows = session.exec(
            select(Case.id, Case.datum)
            .join(CaseTag, col(CaseTag.case_id) == col(Case.id))
            .where(CaseTag.veld == "blokkades", col(CaseTag.waarde).in_(signal.blokkades))
        ).all()
        for case_id, datum in sorted(set(rows)):
            if case_id in recorded or case_id in signal.casussen or datum < day[: len(datum)]:
                continue
            session.add(
                SignalEvent(
                    signal_id=_id(signal),
                    soort="opnieuw-gezien",
                    wie=SYSTEM,
                    casus=case_id,
                    notitie=f"blokkade opnieuw gezien in casus {case_id} ({datum})",
                )
            )
            recorded.add(case_id)
            found.append((_id(signal), case_id))
    session.flush()
    return found


def from_lessons_of(*, session: Session, case_id: str) -> list[Signal]:
    """The signals made from the system lessons of one case (``bron_les`` ``case-id#n``)."""
    query = select(Signal).where(col(Signal.bron_les).startswith(f"{case_id}#", autoescape=True))
    return list(session.exec(query.order_by(col(Signal.id))).all())


def listing(*, session: Session, status: str | None = None) -> list[Signal]:
    query = select(Signal)
    if status:
        if status not in STATUSES:
            raise InvalidInput(f"status '{status}' is onbekend; kies uit {', '.join(STATUSES)}")
        query = query.where(Signal.status == status)
    return list(session.exec(query.order_by(col(Signal.gewijzigd).desc(), col(Signal.id).desc())).all())


def public(*, session: Session, signal: Signal, taxonomy: Taxonomy) -> SignalPublic:
    events = history(session=session, signal_id=_id(signal))
    data: dict[str, Any] = signal.model_dump()
    data.update(
        adressaat_label=taxonomy.label("adressaten", signal.adressaat),
        status_label=STATUSES.get(signal.status, signal.status),
        opnieuw_gezien=seen_again(events),
        toegestaan=list(TRANSITIONS.get(signal.status, ())),
        aangemaakt=utc(signal.aangemaakt),
        gewijzigd=utc(signal.gewijzigd),
        geschiedenis=[EventPublic.model_validate({**e.model_dump(), "moment": utc(e.moment)}) for e in events],
    )
    return SignalPublic.model_validate(data)


def _id(signal: Signal) -> int:
    assert signal.id is not None, "signal is flushed before use"
    return signal.id
