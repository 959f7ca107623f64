"""Export and import of what people entered in Leerlus (the store stage): saved searches and
signals with their full history, as one JSON document.

Import never overwrites: a signal whose ``uid`` is already present and a saved search whose name
is taken are skipped and counted, so importing the same file twice changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from kb.errors import InvalidInput
from kb.signals import STATUSES, history, utc
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


def import_data(*, session: Session, data: Any) -> dict[str, int]:
    """Add what ``data`` holds and is not there yet; Dutch errors for a file that is not an export."""
    if not isinstance(data, dict) or data.get("formaat") != FORMAT:
        raise InvalidInput(f"dit is geen Leerlus-export (verwacht formaat {FORMAT})")
    if data.get("versie") != VERSION:
        raise InvalidInput(f"exportversie {data.get('versie')!r} wordt niet ondersteund (verwacht {VERSION})")
    counts = {"zoekopdrachten": 0, "signalen": 0, "overgeslagen": 0}
    try:
        for item in data.get("zoekopdrachten", []):
            if session.get(SavedSearch, item["slug"]) is not None:
                counts["overgeslagen"] += 1
                continue
            session.add(
                SavedSearch(
                    slug=item["slug"], naam=item["naam"], params=item["params"], aangemaakt=_moment(item["aangemaakt"])
                )
            )
            counts["zoekopdrachten"] += 1
        for item in data.get("signalen", []):
            if session.exec(select(Signal).where(Signal.uid == item["uid"])).first() is not None:
                counts["overgeslagen"] += 1
                continue
            _import_signal(session, item)
            counts["signalen"] += 1
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidInput(f"de export is onvolledig of beschadigd ({error})") from None
    session.flush()
    return counts


def _import_signal(session: Session, item: dict[str, Any]) -> None:
    events = item["geschiedenis"]
    last = [e["naar"] for e in events if e["soort"] in ("aangemaakt", "status")]
    if item["status"] not in STATUSES or not last or last[-1] != item["status"]:
        raise InvalidInput(f"signaal '{item['titel']}': de status past niet bij de geschiedenis")
    signal = Signal(
        uid=item["uid"],
        titel=item["titel"],
        toelichting=item.get("toelichting", ""),
        blokkades=list(item["blokkades"]),
        casussen=list(item["casussen"]),
        adressaat=item["adressaat"],
        status=item["status"],
        bron_les=item.get("bron_les"),
        aangemaakt=_moment(item["aangemaakt"]),
        gewijzigd=_moment(item["gewijzigd"]),
    )
    session.add(signal)
    session.flush()
    for event in events:
        session.add(
            SignalEvent(
                signal_id=signal.id or 0,
                soort=event["soort"],
                van=event.get("van"),
                naar=event.get("naar"),
                wie=event["wie"],
                notitie=event.get("notitie", ""),
                casus=event.get("casus"),
                moment=_moment(event["moment"]),
            )
        )


def _moment(text: str) -> datetime:
    return utc(datetime.fromisoformat(text))
