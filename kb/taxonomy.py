"""Domain vocabulary as data: case kinds, age bands, hulpvraag groups, blockers and laws.

The lists live in YAML files in ``kb/data``; a deployment may replace any of them by putting a
file of the same name in ``LEERLUS_TAXONOMY_DIR``. Every stage (validation, facets, labels in
the UI) reads the vocabulary from one :class:`Taxonomy` object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

DATA_FILES = ("vocabulaire.yaml", "blokkades.yaml", "wetten.yaml")


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
    sources: tuple[str, ...]
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

    def canonical_law(self, text: str) -> str | None:
        """Canonical law name for any known variant (``"WLZ"`` -> ``"Wet langdurige zorg"``)."""
        return self._law_variants.get(" ".join(text.lower().split()))

    def canonical_hulpvraag(self, text: str) -> str | None:
        """Hulpvraag code for a code or a full label, case-insensitively."""
        return self._hulpvraag_lookup.get(" ".join(text.lower().split()))


def _read(name: str, override_dir: Path | None) -> tuple[dict[str, Any], str]:
    if override_dir is not None and (override_dir / name).is_file():
        path = override_dir / name
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}, str(path)
    ref = resources.files("kb").joinpath("data", name)
    return yaml.safe_load(ref.read_text(encoding="utf-8")) or {}, f"kb/data/{name}"


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
    vocab, src1 = _read("vocabulaire.yaml", override_dir)
    blockers, src2 = _read("blokkades.yaml", override_dir)
    laws, src3 = _read("wetten.yaml", override_dir)
    law_terms = tuple(Term(code=w["naam"], label=w["naam"]) for w in laws.get("wetten", []))
    variants: dict[str, str] = {}
    for law in laws.get("wetten", []):
        for variant in [law["naam"], *law.get("varianten", [])]:
            variants[" ".join(str(variant).lower().split())] = law["naam"]
    hulpvraag = _terms(vocab.get("hulpvraag", []))
    lookup = {}
    for term in hulpvraag:
        lookup[term.code.lower()] = term.code
        lookup[" ".join(term.label.lower().split())] = term.code
    return Taxonomy(
        soorten=_terms(vocab.get("soorten", [])),
        leeftijdscategorieen=_terms(vocab.get("leeftijdscategorieen", [])),
        hulpvraag=hulpvraag,
        blokkades=_terms(blockers.get("blokkades", [])),
        wetten=law_terms,
        sources=(src1, src2, src3),
        _law_variants=variants,
        _hulpvraag_lookup=lookup,
    )
