"""The learned blocker model beside the rules (ingest.blockmodel): shipped, weighs rule findings
into calibrated cells, and the rules still work without it."""

from __future__ import annotations

import pytest

from ingest.blockmodel import cell_of, load
from ingest.confidence import Calibration
from ingest.pipeline import get_pipeline
from kb.taxonomy import load_taxonomy

TEXT = (
    "Het CIZ wees de Wlz-aanvraag af; volgens het CIZ is de beperking niet blijvend. "
    "De gemeente vindt dat de zorg levenslang nodig is en niet onder de Jeugdwet hoort."
)


def test_the_model_is_shipped_and_knows_every_code() -> None:
    model = load()
    assert model is not None
    cats = model(TEXT.lower()).cats
    assert set(cats) == {t.code for t in load_taxonomy().blokkades}
    assert cats["grens.jeugdwet-wlz"] == max(cats.values())


@pytest.mark.parametrize(
    ("rule", "probability", "cell"),
    [(0.9, 0.0, "sterke regel"), (0.6, 0.5, "regel+model"), (0.6, 0.001, "regel"), (0.69, 0.02, "regel+model")],
)
def test_cells(rule: float, probability: float, cell: str) -> None:
    assert cell_of(rule, probability, agree=0.02, strong=0.7) == cell


def test_confidence_is_the_measured_precision_of_the_cell() -> None:
    calibration = get_pipeline().calibration()
    assert calibration.model, "kalibratie.yaml holds the model's cells"
    cells = calibration.model["betrouwbaarheid"]
    blockers = get_pipeline().analyze(TEXT).blockers
    assert blockers and all(b.confidence in cells.values() for b in blockers)
    assert cells["regel"] < calibration.threshold <= cells["regel+model"] <= cells["sterke regel"]


def test_without_the_model_the_rule_confidence_stands() -> None:
    calibration = Calibration(table={"grens.jeugdwet-wlz": {"basis": 0.8, "enkel": 0.7}})
    assert calibration.with_model(0.7, 0.0) == 0.7
