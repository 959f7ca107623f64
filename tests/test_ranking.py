"""Precedent ranking (issue 14): similar cases on fitted weights, questions typed as sentences,
and a regression guard on the development ruler."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from bench.eval_relevance import evaluate, ruler, sample_kb
from kb.knowledge import KnowledgeBase
from kb.precedents import FEATURES, candidates, weights_of
from kb.search import make_request

RULER = Path(__file__).parent / "data" / "precedenten_a"


def test_weights_come_from_the_data_file(sample_kb: KnowledgeBase) -> None:
    weights = weights_of(sample_kb)
    assert weights and set(weights) <= set(FEATURES) and weights["tekst"] > 0


def test_every_feature_is_between_zero_and_one(sample_kb: KnowledgeBase) -> None:
    case_id = "2019-11-wlz-meervoudig-beperkt-meisje"
    found = candidates(sample_kb, case_id, sample_kb.case(case_id))
    assert found and case_id not in {c.id for c in found}
    for candidate in found:
        assert set(candidate.features) == set(FEATURES)
        assert all(0.0 <= v <= 1.0 + 1e-9 for v in candidate.features.values()), candidate.features


def test_rare_shared_blocker_weighs_more_than_a_common_one(sample_kb: KnowledgeBase) -> None:
    counts = sample_kb.facets()["blokkades"]
    rare, common = min(counts, key=counts.get), max(counts, key=counts.get)  # type: ignore[arg-type]
    from kb.precedents import _rarity

    weights = _rarity({"blokkades": counts}, 66)["blokkades"]
    assert weights[rare] > weights[common]


def test_similar_reasons_are_true(sample_kb: KnowledgeBase) -> None:
    case = sample_kb.case("2019-11-wlz-meervoudig-beperkt-meisje")
    labels = {t.label: t.code for t in sample_kb.taxonomy.blokkades}
    for similar in sample_kb.similar(case.id, 8):
        other = sample_kb.case(similar.id)
        for reason in similar.redenen:
            if reason.startswith("zelfde blokkade: "):
                shared = {labels[label] for label in reason.removeprefix("zelfde blokkade: ").split(", ")}
                assert shared <= set(case.blokkades) & set(other.blokkades)
            if reason.startswith("zelfde hulpvraag"):
                assert set(case.hulpvraag) & set(other.hulpvraag)


@pytest.mark.parametrize(
    ("question", "plain"),
    [
        ("Is er een casus waarin een thuiszitter met autisme een vrijstelling kreeg?", "thuiszitter autisme vrijstelling kreeg"),
        ("thuiszitter?", "thuiszitter"),
    ],
)
def test_a_question_searches_what_it_is_about(sample_kb: KnowledgeBase, question: str, plain: str) -> None:
    asked = sample_kb.search(make_request(query=question, limit=5, highlight=False))
    typed = sample_kb.search(make_request(query=plain, limit=5, highlight=False))
    assert not asked.degraded and asked.hits
    assert asked.hits[0].id in {h.id for h in typed.hits}


def test_development_ruler_stays_ahead_of_bm25() -> None:
    """A regression guard, not the honest figure: this ruler was used to build the ranking (the
    held-out ruler's figure is in the README)."""
    _data, corpus = ruler(RULER)
    kb = sample_kb(Path(tempfile.mkdtemp(prefix="leerlus-liniaal-")), corpus)
    try:
        results = evaluate(kb, RULER)
    finally:
        kb.close()
    ours, peer = results["leerlus"], results["bm25"]
    assert ours["alle"].ndcg >= peer["alle"].ndcg + 0.05
    assert ours["vergelijkbaar"].ndcg >= peer["vergelijkbaar"].ndcg + 0.05
