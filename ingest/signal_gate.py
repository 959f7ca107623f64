"""The anonymisation gate for the free text of signals (the gate stage, applied to the learning
loop): a title, explanation, note or ``wie`` with personal data is refused before it reaches SQL,
with the kinds found per field and a redacted version to take over. ``wie`` is accountability: a role
or team ("Teamleider West") passes, a name, number or address does not. :mod:`ingest.userdata_gate`
applies the same refusal to saved searches and imports."""

from __future__ import annotations

from collections.abc import Mapping

from ingest.gate import Checker, Redactor
from kb.errors import LeerlusError


class SignalTextRefused(LeerlusError):
    status = 422
    code = "persoonsgegevens"

    def __init__(self, kinds: Mapping[str, list[str]], redacted: Mapping[str, str]) -> None:
        where = "; ".join(f"{name}: {', '.join(found)}" for name, found in kinds.items())
        super().__init__(f"de tekst bevat persoonsgegevens ({where}) en is niet opgeslagen; pas hem aan")
        self.kinds = dict(kinds)
        self.redacted = dict(redacted)

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "velden": self.kinds, "redacted": self.redacted}


def screen_signal_text(gate: Checker, fields: Mapping[str, str]) -> None:
    """Raise :class:`SignalTextRefused` when any field holds blocking personal data."""
    kinds: dict[str, list[str]] = {}
    redacted: dict[str, str] = {}
    redactor = Redactor()
    for name, text in fields.items():
        if not text or not text.strip():
            continue
        result = gate.check(text)
        if not result.ok:
            kinds[name] = sorted({f.kind for f in result.findings if f.blocking})
            redacted[name] = redactor.apply(text, result.findings)
    if kinds:
        raise SignalTextRefused(kinds, redacted)
