"""Export and import of what people entered in Leerlus (the store stage): saved searches and
signals with their full history, as one JSON document.

Import never overwrites: a signal whose ``uid`` is already present and a saved search whose name
is taken are skipped and counted, so importing the same file twice changes nothing. Import is
strict: every field is checked for type, length, control characters and known values before
anything is written, and :func:`texts_of` hands every free text to the anonymisation gate first.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from kb.errors import InvalidInput
from kb.limits import refuse_control, refuse_long
from kb.saved_searches import MAX_NAME
from kb.signals import MAX_NAME as MAX_WHO
from kb.signals import MAX_NOTE, MAX_TITLE, STATUSES, history, utc
from kb.taxonomy import Taxonomy
from kb.userdata import SavedSearch, Signal, SignalEvent

FORMAT = "leerlus-gebruikersdata"
VERSION = 1


def export(*, session: Session) -> dict[str, Any]:
    searches = session.exec(select(SavedSearch).order_by(col(SavedSearch.slug))).all()
    signals = session.exec(select(Signal).order_by(col(Signal.id))).all()
    return {
        "formaat": FORMAT,
        "versie": VERSION,
        "zoekopdrachten": [
            {"slug": s.slug, "naam": s.naam, "params": s.params, "aangemaakt": utc(s.aangemaakt).isoformat()}
            for s in searches
        ],
        "signalen": [
            {
                "uid": s.uid,
                "titel": s.titel,
                "toelichting": s.toelichting,
                "blokkades": s.blokkades,
                "casussen": s.casussen,
                "adressaat": s.adressaat,
                "status": s.status,
                "bron_les": s.bron_les,
                "aangemaakt": utc(s.aangemaakt).isoformat(),
                "gewijzigd": utc(s.gewijzigd).isoformat(),
                "geschiedenis": [
                    {
                        "soort": e.soort,
                        "van": e.van,
                        "naar": e.naar,
                        "wie": e.wie,
                        "notitie": e.notitie,
                        "casus": e.casus,
                        "moment": utc(e.moment).isoformat(),
                    }
                    for e in history(session=session, signal_id=s.id or 0)
                ],
            }
            for s in signals
        ],
    }


def import_data(*, session: Session, data: Any, taxonomy: Taxonomy | None = None) -> dict[str, int]:
    """Add what ``data`` holds and is not there yet. Everything is checked before anything is
    written, with the same rules as the forms: a Dutch error naming the item and the field."""
    if not isinstance(data, dict) or data.get("formaat") != FORMAT:
        raise InvalidInput(f"dit is geen Leerlus-export (verwacht formaat {FORMAT})")
    if data.get("versie") != VERSION:
        raise InvalidInput(f"exportversie {data.get('versie')!r} wordt niet ondersteund (verwacht {VERSION})")
    searches = [_search(item, f"zoekopdrachten[{n}]") for n, item in enumerate(_list(data, "zoekopdrachten"))]
    signals = [_signal(item, f"signalen[{n}]", taxonomy) for n, item in enumerate(_list(data, "signalen"))]
    counts = {"zoekopdrachten": 0, "signalen": 0, "overgeslagen": 0}
    for search in searches:
        if session.get(SavedSearch, search.slug) is not None:
            counts["overgeslagen"] += 1
            continue
        session.add(search)
        session.flush()
        counts["zoekopdrachten"] += 1
    for signal, events in signals:
        if session.exec(select(Signal).where(Signal.uid == signal.uid)).first() is not None:
            counts["overgeslagen"] += 1
            continue
        session.add(signal)
        session.flush()
        for event in events:
            event.signal_id = signal.id or 0
            session.add(event)
        counts["signalen"] += 1
    session.flush()
    return counts


def texts_of(data: Any) -> dict[str, str]:
    """Every free text of an export by where it is (``signalen[0].titel``), for the anonymisation
    gate, which must see them all before anything is stored. Structure is not checked here."""
    out: dict[str, str] = {}
    if not isinstance(data, dict):
        return out
    for n, item in enumerate(_loose_list(data.get("zoekopdrachten"))):
        for key in ("naam", "params"):
            _collect(out, f"zoekopdrachten[{n}].{key}", item.get(key))
    for n, item in enumerate(_loose_list(data.get("signalen"))):
        for key in ("titel", "toelichting"):
            _collect(out, f"signalen[{n}].{key}", item.get(key))
        for m, event in enumerate(_loose_list(item.get("geschiedenis"))):
            for key in ("wie", "notitie"):
                _collect(out, f"signalen[{n}].geschiedenis[{m}].{key}", event.get(key))
    return out


# -- checks ------------------------------------------------------------------------------------

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
UID = re.compile(r"^[0-9a-f]{32}$")
EVENT_KINDS = ("aangemaakt", "status", "opnieuw-gezien")


def _search(item: Any, where: str) -> SavedSearch:
    item = _mapping(item, where)
    naam = _text(item, "naam", where, MAX_NAME)
    slug = _text(item, "slug", where, 80)
    if not SLUG.match(slug):
        raise _bad(f"{where}.slug '{slug}' is geen geldige naam voor een link (alleen a-z, 0-9 en '-')")
    params = _text(item, "params", where, 20_000, required=False)
    return SavedSearch(slug=slug, naam=naam, params=params, aangemaakt=_moment(item, "aangemaakt", where))


def _signal(item: Any, where: str, taxonomy: Taxonomy | None) -> tuple[Signal, list[SignalEvent]]:
    item = _mapping(item, where)
    uid = _text(item, "uid", where, 32)
    if not UID.match(uid):
        raise _bad(f"{where}.uid moet 32 hexadecimale tekens zijn")
    blokkades = _strings(item, "blokkades", where)
    adressaat = _text(item, "adressaat", where, 100)
    if taxonomy is not None:
        unknown = [b for b in blokkades if b not in taxonomy.codes("blokkades")]
        if unknown:
            raise _bad(f"{where}.blokkades: onbekende blokkade(s) {', '.join(unknown)}")
        if adressaat not in {t.code for t in taxonomy.adressaten}:
            raise _bad(f"{where}.adressaat '{adressaat}' is onbekend")
    status = _choice(item, "status", where, tuple(STATUSES))
    events = [_event(e, f"{where}.geschiedenis[{m}]") for m, e in enumerate(_list(item, "geschiedenis", where))]
    last = [e.naar for e in events if e.soort in ("aangemaakt", "status")]
    if not last or last[-1] != status:
        raise _bad(f"{where}: de status past niet bij de geschiedenis")
    signal = Signal(
        uid=uid,
        titel=_text(item, "titel", where, MAX_TITLE),
        toelichting=_text(item, "toelichting", where, MAX_NOTE, required=False, multiline=True),
        blokkades=blokkades,
        casussen=_strings(item, "casussen", where),
        adressaat=adressaat,
        status=status,
        bron_les=_text(item, "bron_les", where, 300, required=False) or None,
        aangemaakt=_moment(item, "aangemaakt", where),
        gewijzigd=_moment(item, "gewijzigd", where),
    )
    return signal, events


def _event(item: Any, where: str) -> SignalEvent:
    item = _mapping(item, where)
    statuses = (*STATUSES, None)
    return SignalEvent(
        signal_id=0,
        soort=_choice(item, "soort", where, EVENT_KINDS),
        van=_choice(item, "van", where, statuses),
        naar=_choice(item, "naar", where, statuses),
        wie=_text(item, "wie", where, MAX_WHO),
        notitie=_text(item, "notitie", where, MAX_NOTE, required=False, multiline=True),
        casus=_text(item, "casus", where, 200, required=False) or None,
        moment=_moment(item, "moment", where),
    )


def _mapping(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise _bad(f"{where} moet een JSON-object zijn")
    return item


def _list(data: dict[str, Any], key: str, where: str = "export") -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise _bad(f"{where}.{key} moet een lijst zijn")
    return value


def _loose_list(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _collect(out: dict[str, str], where: str, value: Any) -> None:
    if isinstance(value, str) and value.strip():
        out[where] = value


def _text(
    item: dict[str, Any], key: str, where: str, limit: int, *, required: bool = True, multiline: bool = False
) -> str:
    value = item.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise _bad(f"{where}.{key} moet tekst zijn")
    value = value.strip() if multiline else " ".join(value.split())
    if required and not value:
        raise _bad(f"{where}.{key} ontbreekt")
    refuse_control(value, f"{where}.{key}")
    return refuse_long(value, f"{where}.{key}", limit)


def _strings(item: dict[str, Any], key: str, where: str) -> list[str]:
    value = item.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or len(value) > 500:
        raise _bad(f"{where}.{key} moet een lijst van teksten zijn (hoogstens 500)")
    return [refuse_long(refuse_control(v.strip(), f"{where}.{key}"), f"{where}.{key}", 200) for v in value]


def _choice(item: dict[str, Any], key: str, where: str, options: tuple[str | None, ...]) -> Any:
    value = item.get(key)
    if value not in options:
        shown = ", ".join(o for o in options if o)
        raise _bad(f"{where}.{key} {value!r} is onbekend; kies uit {shown}")
    return value


def _moment(item: dict[str, Any], key: str, where: str) -> datetime:
    """An ISO moment, with or without time zone, as UTC like every other stored moment."""
    value = item.get(key)
    try:
        if not isinstance(value, str):
            raise ValueError
        moment = datetime.fromisoformat(value)
    except ValueError:
        example = "bijvoorbeeld 2024-03-01T09:00:00+00:00"
        raise _bad(f"{where}.{key} moet een moment zijn (ISO 8601, {example})") from None
    return utc(moment).astimezone(UTC)


def _bad(problem: str) -> InvalidInput:
    return InvalidInput(f"de export is onvolledig of beschadigd: {problem}")
