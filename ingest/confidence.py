"""Extraction stage: how much a recognised blocker can be trusted, from labelled texts.

The blocker rules say *that* a code fires and which kind of rule fired (see
:mod:`ingest.blockers`). How often such a firing is right was measured on labelled case texts by
``bench/calibrate_blockers.py`` and written to ``kalibratie.yaml``: per code, the share of firings
that were right, per kind of evidence (one signal group, several in one clause, several over two
sentences, or found in two or more sentences of the text). That share is the confidence. Only
suggestions at or above the threshold in the same file are kept; a person confirms or rejects them.
When the learned model (:mod:`ingest.blockmodel`) is shipped, a finding's confidence is instead the
measured precision of its cell: the rule alone is strong, the model agrees, or it does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

KINDS = ("enkel", "samengesteld", "over-zinnen", "meer")
DEFAULT_CONFIDENCE = 0.5
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class Calibration:
    """Calibrated confidences per blocker code and evidence kind, plus the threshold for showing."""

    threshold: float = DEFAULT_THRESHOLD
    default: float = DEFAULT_CONFIDENCE
    table: Mapping[str, Mapping[str, float]] | None = None
    thresholds: Mapping[str, float] | None = None
    model: Mapping[str, Any] | None = None  # the learned model's cells (see ingest.blockmodel)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Calibration:
        table = {
            str(code): {str(k): float(v) for k, v in cells.items()}
            for code, cells in (data.get("blokkades") or {}).items()
        }
        thresholds = {str(code): float(v) for code, v in (data.get("drempels") or {}).items()}
        return cls(
            threshold=float(data.get("drempel", DEFAULT_THRESHOLD)),
            default=float(data.get("standaard", DEFAULT_CONFIDENCE)),
            table=table,
            thresholds=thresholds,
            model=data.get("model") or None,
        )

    def evidence_kind(self, kinds: Iterable[str]) -> str:
        """The evidence cell for one code in one text: ``meer`` when two or more sentences show it,
        else the kind of rule that fired."""
        found = list(kinds)
        if len(found) >= 2:
            return "meer"
        return found[0] if found and found[0] in KINDS else "enkel"

    def confidence(self, code: str, kinds: Iterable[str]) -> float:
        """The confidence of ``code`` in a text where rules of these kinds fired for it."""
        return self.cell(code, self.evidence_kind(kinds))

    def cell(self, code: str, kind: str) -> float:
        cells = (self.table or {}).get(code)
        if not cells:
            return self.default
        return round(float(cells.get(kind, cells.get("basis", self.default))), 3)

    def with_model(self, rule_confidence: float, probability: float) -> float:
        """The confidence of a rule finding once the learned model has weighed in: the measured
        precision of its cell (``sterke regel``, ``regel+model`` or ``regel``)."""
        from ingest.blockmodel import cell_of

        if not self.model:
            return rule_confidence
        cell = cell_of(rule_confidence, probability, float(self.model["met_regel"]), float(self.model["sterke_regel"]))
        return round(float(self.model["betrouwbaarheid"].get(cell, rule_confidence)), 3)

    def threshold_for(self, code: str) -> float:
        """The confidence a suggestion of ``code`` needs to be shown (per code where the file says so)."""
        return (self.thresholds or {}).get(code, self.threshold)

    def shown(self, code: str, confidence: float) -> bool:
        return confidence >= self.threshold_for(code)
