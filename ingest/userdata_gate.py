"""The anonymisation gate for what people type into Leerlus itself (the gate stage, applied to user
data): names of saved searches and the searches themselves, who took a step (``wie``), and
everything an import brings in.

These texts are not case texts, but they are stored, exported and shown, so they pass the same gate
with the same refusal (:class:`~ingest.signal_gate.SignalTextRefused`: ``422 persoonsgegevens``,
the kinds per field and a redacted version). Nothing is stored when any field is refused.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from ingest.gate import Checker, get_gate
from ingest.signal_gate import screen_signal_text
from kb.exchange import texts_of
from kb.knowledge import KnowledgeBase
from kb.search import SearchRequest


def search_texts(request: SearchRequest) -> dict[str, str]:
    """The free text of a search: what was typed and the filter values."""
    values = [v for found in request.filters.values() for v in found]
    return {"zoekvraag": request.query, "filters": "; ".join(values)}


def params_text(params: str) -> str:
    """The values of a stored query string, as one text for the gate."""
    return "; ".join(v for values in parse_qs(params).values() for v in values)


def screen_saved_search(gate: Checker, naam: str, request: SearchRequest) -> None:
    """Refuse a saved search whose name or search holds personal data."""
    screen_signal_text(gate, {"naam": naam, **search_texts(request)})


def screen_import(gate: Checker, data: Any) -> None:
    """Refuse an import when any of its texts holds personal data; names every field found."""
    texts = texts_of(data)
    for where in [w for w in texts if w.endswith(".params")]:
        texts[where] = params_text(texts[where])
    screen_signal_text(gate, texts)


def import_userdata(kb: KnowledgeBase, data: Any, gate: Checker | None = None) -> dict[str, int]:
    """Import an export after every text in it passed the gate (see :func:`kb.exchange.import_data`)."""
    screen_import(gate or get_gate(kb.settings.taxonomy_dir, kb.settings.spacy_model), data)
    return kb.import_userdata(data)
