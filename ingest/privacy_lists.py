"""Anonymisation gate, word lists: what is never a person (roles, organisations, places, words
that make a name an institution) and what is always refused, from ``privacy.yaml``,
``organisaties.yaml``, the gazetteers and deduce's own place lists (the gate stage).

Organisations are found in two ways: by name from the gazetteer ("Leo Kannerhuis", "Rb. Den Haag",
"William Schrikker Stichting"), and by pattern: an institution word with a name after it
("Stichting De Hoop", "Gezinshuis Van Dam", "Hof Arnhem-Leeuwarden") or before it ("Johan de Witt
College", "Willem van Oranjeschool").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from importlib import util as importlib_util
from pathlib import Path
from typing import Any

import yaml

from ingest.lexicon import deduce_list, first_names, stop_words
from kb.taxonomy import Taxonomy

NAME_TOKEN = r"(?:'s[ -]|'t )?[A-ZÀ-ÖØ-ÞĀ-Ž][\wÀ-ſ'’&+.-]*"
LINK = r"(?:[ \t]+(?:van|de|der|den|het|en|op|aan|in|voor|ter|ten|&)(?=[ \t]))*[ \t]+"


@dataclass
class Lists:
    """Allowed words and places, denied texts and organisation knowledge, lower-cased."""

    allowed: set[str] = field(default_factory=set)
    organisations: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    stop_words: set[str] = field(default_factory=set)
    denied: list[tuple[str, str]] = field(default_factory=list)
    institution_words: set[str] = field(default_factory=set)
    abbreviations: set[str] = field(default_factory=set)
    compass: set[str] = field(default_factory=set)
    suffixes: tuple[str, ...] = ()
    eponym_words: set[str] = field(default_factory=set)  # "syndroom van Down": the name names a concept
    business_words: set[str] = field(default_factory=set)  # "Bouman GGZ": a name plus this word is a business
    reference_cue: re.Pattern[str] | None = None  # "fan van", "het boek van": a public figure or a work follows
    org_names: re.Pattern[str] | None = None
    org_pattern: re.Pattern[str] | None = None

    def organisation_spans(self, text: str) -> list[tuple[int, int, bool]]:
        """(start, end, by_pattern) of every organisation name in ``text``: gazetteer names
        (``by_pattern`` False) and institution words with a name after them (True)."""
        spans = []
        if self.org_names is not None:
            spans += [(m.start(), m.end(), False) for m in self.org_names.finditer(text)]
        if self.org_pattern is not None:
            spans += [(m.start(), m.end(), True) for m in self.org_pattern.finditer(text)]
        return spans

    def is_place(self, fragment: str) -> bool:
        """A place or region, also with a compass word or district ("Zuidoost-Drenthe",
        "Rotterdam-Zuid", "Den Haag Laak", "Utrecht Overvecht")."""
        key = " ".join(fragment.lower().split()).strip(".,;:()")
        if key in self.places:
            return True
        parts = [p for p in re.split(r"[\s-]+", key) if p]
        if len(parts) < 2:
            return False
        rest = [p for p in parts if p not in self.compass]
        if len(rest) < len(parts) and rest and " ".join(rest) in self.places:
            return True
        if parts[0] in first_names():  # "Ede", "Lisse": a first name that is also a place
            return False
        return any(" ".join(parts[:i]) in self.places for i in range(len(parts) - 1, 0, -1))  # city + district


def load_lists(taxonomy: Taxonomy) -> Lists:
    """The gate's lists for one taxonomy: ``privacy.yaml`` and ``organisaties.yaml`` plus every
    gazetteer name and place."""
    data = taxonomy.privacy
    allowed_data = data.get("toegestaan") or {}
    allowed: set[str] = set()
    for values in allowed_data.values():
        allowed.update(" ".join(str(v).lower().split()) for v in values or [])
    names: set[str] = set()
    for terms in taxonomy.gazetteer.values():
        for term in terms:
            allowed.add(term.code.lower())
            allowed.update(str(v).lower() for v in term.extra.get("varianten", []))
    for term in taxonomy.gazetteer.get("INSTANTIE", ()):
        names.add(term.code)
        names.update(str(v) for v in term.extra.get("varianten", []))
    places = {str(p).lower() for p in allowed_data.get("plaatsen") or []}
    places.update(_deduce_places())
    denied = [(str(d["tekst"]), str(d.get("soort", "persoonsnaam"))) for d in data.get("verboden") or []]
    organisations = {str(v).lower() for v in allowed_data.get("organisaties") or []}
    organisations |= {t.code.lower() for t in taxonomy.gazetteer.get("INSTANTIE", ())}
    known = _organisation_data()
    for key in ("organisaties", "rechtspraak", "bedrijven", "bekende_namen"):
        names.update(str(n) for n in known.get(key) or [])
    names.update(str(n) for n in allowed_data.get("organisaties") or [])
    prefixes = [str(p) for p in known.get("voorvoegsels") or []]
    return Lists(
        allowed=allowed,
        organisations=organisations,
        places=places,
        denied=denied,
        stop_words=set(stop_words()),
        institution_words={str(w).lower() for w in data.get("instellingswoorden") or []},
        abbreviations={str(a).lower() for a in known.get("afkortingen") or []},
        compass={str(c).lower() for c in known.get("windrichtingen") or []},
        suffixes=tuple(str(s).lower() for s in known.get("achtervoegsels") or []),
        eponym_words={str(w).lower() for w in known.get("begrippen_met_naam") or []},
        business_words={str(w).lower().rstrip(".") for w in known.get("bedrijfswoorden") or []},
        reference_cue=_cue_pattern([str(w) for w in known.get("verwijswoorden") or []]),
        org_names=_alternation(names),
        org_pattern=_prefix_pattern(prefixes),
    )


def _organisation_data() -> dict[str, Any]:
    text = resources.files("kb").joinpath("data", "organisaties.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text) or {}


def _cue_pattern(cues: list[str]) -> re.Pattern[str] | None:
    """The cue words right before a candidate ("fan van ", "het boek van de ", "de Nationale
    ombudsman, "), case-insensitive."""
    if not cues:
        return None
    body = "|".join(re.escape(c).replace(r"\ ", r"[ \t]+") for c in sorted(cues, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{body})[ \t]*,?[ \t]+(?:(?:de|het|een)[ \t]+)?$", re.IGNORECASE)


def _alternation(names: set[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for all names, longest first, on word boundaries."""
    ordered = sorted({" ".join(n.split()) for n in names if len(n.strip()) > 1}, key=len, reverse=True)
    if not ordered:
        return None
    body = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in ordered)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)


def _prefix_pattern(prefixes: list[str]) -> re.Pattern[str] | None:
    """An institution word (as written: capitalised, or an abbreviation) followed by one to four
    name words: "Stichting De Hoop", "Rb. Den Haag", "Gezinshuis Bosch en Duin"."""
    if not prefixes:
        return None
    heads = "|".join(sorted((re.escape(p) for p in prefixes), key=len, reverse=True))
    # a capitalised compound that ends in an institution word names one too: "Kinderpraktijk",
    # "Logeerhuis", "Voetbalvereniging"
    words = sorted({p.lower() for p in prefixes if p.isalpha() and len(p) > 4}, key=len, reverse=True)
    tails = "|".join(re.escape(w) for w in words)
    compound = rf"|[A-ZÀ-Ž][a-zà-ÿ]{{2,}}(?:{tails})" if tails else ""
    return re.compile(rf"(?<![\w-])(?:{heads}{compound})\.?(?:{LINK}{NAME_TOKEN}){{1,4}}")


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


__all__ = ["Lists", "load_lists", "deduce_list"]
