"""Anonymisation gate, word lists: what is never a person (roles, organisations, places, words
that make a name an institution) and what is always refused, from ``privacy.yaml``, the
gazetteers and deduce's own place lists (the gate stage)."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import util as importlib_util
from pathlib import Path

from ingest.names import deduce_list
from kb.taxonomy import Taxonomy


@dataclass
class Lists:
    """Allowed words and places, and denied texts, lower-cased."""

    allowed: set[str] = field(default_factory=set)
    organisations: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    stop_words: set[str] = field(default_factory=set)
    denied: list[tuple[str, str]] = field(default_factory=list)
    institution_words: set[str] = field(default_factory=set)


def load_lists(taxonomy: Taxonomy) -> Lists:
    """The gate's lists for one taxonomy: ``privacy.yaml`` plus every gazetteer name and place."""
    data = taxonomy.privacy
    allowed: set[str] = set()
    for values in (data.get("toegestaan") or {}).values():
        allowed.update(" ".join(str(v).lower().split()) for v in values or [])
    for terms in taxonomy.gazetteer.values():
        for term in terms:
            allowed.add(term.code.lower())
            allowed.update(str(v).lower() for v in term.extra.get("varianten", []))
    places = set((data.get("toegestaan") or {}).get("plaatsen") or [])
    places.update(_deduce_places())
    denied = [(str(d["tekst"]), str(d.get("soort", "persoonsnaam"))) for d in data.get("verboden") or []]
    organisations = {str(v).lower() for v in (data.get("toegestaan") or {}).get("organisaties") or []}
    organisations |= {t.code.lower() for t in taxonomy.gazetteer.get("INSTANTIE", ())}
    from spacy.lang.nl.stop_words import STOP_WORDS

    stop_words = set(STOP_WORDS) | set(deduce_list("whitelist", "lst_stop_word"))
    return Lists(
        allowed=allowed,
        organisations=organisations,
        places={p.lower() for p in places},
        denied=denied,
        stop_words=stop_words,
        institution_words={str(w).lower() for w in data.get("instellingswoorden") or []},
    )


def _deduce_places() -> set[str]:
    """Municipalities, places, regions and provinces from deduce's own lookup lists."""
    spec = importlib_util.find_spec("deduce")
    if spec is None or not spec.origin:
        return set()
    root = Path(spec.origin).parent / "data" / "lookup" / "src" / "locations" / "lst_placename"
    names: set[str] = set()
    for items in root.glob("*/items.txt"):
        names.update(line.strip().lower() for line in items.read_text(encoding="utf-8").splitlines() if line.strip())
    return names
