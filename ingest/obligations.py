"""Validation stage for a binding advice: the question, its legal basis and the bound parties.

Front matter of a ``bindend-advies`` (or any decision) may say what question it answers
(``vraag``), on which legal basis (``grondslag``) and whom it binds to what, by when::

    partijen:
      - partij: gemeente
        verplichting: "betaalt de nachtzorg vanuit de Jeugdwet tot het CIZ opnieuw besluit"
        uiterlijk: 2024-06-01

A party is a role from the closed list ``partijen`` in ``vocabulaire.yaml``, never a person. Every
problem is reported with the field's line, like every other field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from kb.records import Obligation
from kb.search import valid_date


def read_obligations(value: Any, *, parties: Sequence[str], error: Callable[[str], None]) -> tuple[Obligation, ...]:
    """The bound parties of ``value`` (a list of mappings), reporting each problem through ``error``."""
    if value is None:
        return ()
    if not isinstance(value, list):
        error("partijen moet een lijst zijn, met per partij 'partij', 'verplichting' en eventueel 'uiterlijk'")
        return ()
    out = []
    for n, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            error(f"partijen, nummer {n}: verwacht 'partij', 'verplichting' en 'uiterlijk'")
            continue
        unknown = set(item) - {"partij", "verplichting", "uiterlijk"}
        if unknown:
            error(
                f"partijen, nummer {n}: onbekend veld '{sorted(unknown)[0]}'; gebruik partij, verplichting, uiterlijk"
            )
        party = str(item.get("partij") or "").strip().lower()
        duty = item.get("verplichting")
        if party not in parties:
            error(f"partijen, nummer {n}: partij '{party}' is onbekend; kies uit {', '.join(parties)}")
            continue
        if not isinstance(duty, str) or not duty.strip():
            error(f"partijen, nummer {n}: 'verplichting' ontbreekt; zeg wat {party} moet doen")
            continue
        due = _date(item.get("uiterlijk"))
        if item.get("uiterlijk") is not None and due is None:
            shown = item.get("uiterlijk")
            error(f"partijen, nummer {n}: uiterlijk '{shown}' is geen datum; gebruik JJJJ-MM of JJJJ-MM-DD")
            continue
        out.append(Obligation(party, " ".join(duty.split()), due))
    return tuple(out)


def _date(value: Any) -> str | None:
    """A deadline as ``JJJJ-MM`` or ``JJJJ-MM-DD`` naming a month or day that exists."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value or "").strip()
    return text if len(text) >= 7 and valid_date(text) else None
