"""Domain vocabulary as data: case kinds, age bands, hulpvraag groups, blockers and laws.

The lists live in YAML files in ``kb/data``; a deployment may replace any of them by putting a
file of the same name in ``LEERLUS_TAXONOMY_DIR``. Every stage (validation, facets, labels in
the UI) reads the vocabulary from one :class:`Taxonomy` object.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

DATA_FILES = (
    "vocabulaire.yaml",
    "blokkades.yaml",
    "wetten.yaml",
    "instanties.yaml",
    "voorzieningen.yaml",
    "signaalwoorden.yaml",
    "privacy.yaml",
    "kalibratie.yaml",
    "rangschikking.yaml",
    "beslissingen.yaml",
)
# Entity label -> (data file, list key) of the gazetteers.
GAZETTEERS = {
    "WET": ("wetten.yaml", "wetten"),
    "INSTANTIE": ("instanties.yaml", "instanties"),
    "VOORZIENING": ("voorzieningen.yaml", "voorzieningen"),
}


@dataclass(frozen=True)
class Term:
    """One value of a closed list: its code and Dutch label."""

    code: str
    label: str
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Taxonomy:
    """The closed lists of the case format and the law names with their variants."""

    soorten: tuple[Term, ...]
    leeftijdscategorieen: tuple[Term, ...]
    hulpvraag: tuple[Term, ...]
    blokkades: tuple[Term, ...]
    wetten: tuple[Term, ...]
    adressaten: tuple[Term, ...]
    partijen: tuple[Term, ...]
    sources: tuple[str, ...]
    digest: str = ""
    gazetteer: dict[str, tuple[Term, ...]] = field(default_factory=dict, compare=False, hash=False)
    signal_groups: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, hash=False)
    privacy: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    kalibratie: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    rangschikking: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    beslissingen: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    _law_variants: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    _hulpvraag_lookup: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def codes(self, name: str) -> list[str]:
        terms: tuple[Term, ...] = getattr(self, name)
        return [t.code for t in terms]

    def label(self, name: str, code: str) -> str:
        """The Dutch label of ``code`` in list ``name``; the code itself when unknown."""
        for term in getattr(self, name, ()):
            if term.code == code:
                return term.label
        return code

    def facet_label(self, field_name: str, code: str) -> str:
        """The Dutch label of a facet value as users see it (``leeftijdscategorie`` "4-12" ->
        "4-12 jaar"); values without a closed list (regio, team, wetten) show as they are."""
        lists = {"blokkades": "blokkades", "hulpvraag": "hulpvraag", "soort": "soorten", "partijen": "partijen"}
        if field_name in lists:
            return self.label(lists[field_name], code)
        if field_name == "leeftijdscategorie":
            return f"{code} jaar"
        return code

    def canonical_law(self, text: str) -> str | None:
        """Canonical law name for any known variant (``"WLZ"`` -> ``"Wet langdurige zorg"``)."""
        return self._law_variants.get(_fold(text))

    def boundary(self, code: str) -> tuple[str, str] | None:
        """The two laws a blocker lies between, from its ``domein`` (``grens.jeugdwet-wlz`` ->
        ``("Jeugdwet", "Wet langdurige zorg")``); ``None`` for a blocker that is not a law boundary."""
        for term in self.blokkades:
            if term.code == code:
                laws = [self.canonical_law(str(d)) for d in term.extra.get("domein", [])]
                if len(laws) == 2 and laws[0] and laws[1] and laws[0] != laws[1]:
                    return laws[0], laws[1]
        return None

    def canonical_hulpvraag(self, text: str) -> str | None:
        """Hulpvraag code for a code or a full label, case-insensitively."""
        return self._hulpvraag_lookup.get(_fold(text))


def _read(name: str, override_dir: Path | None) -> tuple[str, str]:
    """The text of data file ``name`` and where it came from."""
    if override_dir is not None and (override_dir / name).is_file():
        path = override_dir / name
        return path.read_text(encoding="utf-8"), str(path)
    ref = resources.files("kb").joinpath("data", name)
    return ref.read_text(encoding="utf-8"), f"kb/data/{name}"


def _terms(items: list[dict[str, Any]]) -> tuple[Term, ...]:
    terms = []
    for item in items:
        known = {"code", "label", "beschrijving"}
        terms.append(
            Term(
                code=str(item["code"]),
                label=str(item.get("label", item["code"])),
                description=str(item.get("beschrijving", "")),
                extra={k: v for k, v in item.items() if k not in known},
            )
        )
    return tuple(terms)


@lru_cache(maxsize=8)
def load_taxonomy(override_dir: Path | None = None) -> Taxonomy:
    """Load (and cache) the vocabulary, preferring files in ``override_dir``."""
    data: dict[str, dict[str, Any]] = {}
    sources = []
    digest = hashlib.sha256()
    for name in DATA_FILES:
        text, source = _read(name, override_dir)
        data[name] = yaml.safe_load(text) or {}
        sources.append(source)
        digest.update(text.encode("utf-8"))
    gazetteer = {
        label: tuple(
            Term(code=str(item["naam"]), label=str(item["naam"]), extra={"varianten": item.get("varianten", [])})
            for item in data[filename].get(key, [])
        )
        for label, (filename, key) in GAZETTEERS.items()
    }
    variants: dict[str, str] = {}
    for law in gazetteer["WET"]:
        for variant in [law.code, *law.extra["varianten"]]:
            variants[_fold(str(variant))] = law.code
    vocab = data["vocabulaire.yaml"]
    hulpvraag = _terms(vocab.get("hulpvraag", []))
    lookup = {}
    for term in hulpvraag:
        lookup[term.code.lower()] = term.code
        lookup[_fold(term.label)] = term.code
    groups = data["signaalwoorden.yaml"].get("groepen", {})
    return Taxonomy(
        soorten=_terms(vocab.get("soorten", [])),
        leeftijdscategorieen=_terms(vocab.get("leeftijdscategorieen", [])),
        hulpvraag=hulpvraag,
        blokkades=_terms(data["blokkades.yaml"].get("blokkades", [])),
        wetten=gazetteer["WET"],
        adressaten=_terms(vocab.get("adressaten", [])),
        partijen=_terms(vocab.get("partijen", [])),
        sources=tuple(sources),
        digest=digest.hexdigest(),
        gazetteer=gazetteer,
        signal_groups={str(k): tuple(str(p) for p in v) for k, v in groups.items()},
        privacy=data["privacy.yaml"],
        kalibratie=data["kalibratie.yaml"],
        rangschikking=data["rangschikking.yaml"],
        beslissingen=data["beslissingen.yaml"],
        _law_variants=variants,
        _hulpvraag_lookup=lookup,
    )


def _fold(text: str) -> str:
    return " ".join(text.lower().split())
