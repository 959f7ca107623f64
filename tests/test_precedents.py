"""Precedent search: the field's abbreviations and variants, typos, facet-aware ranking, similar
cases with reasons, and measured relevance ahead of a plain BM25 baseline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bench.eval_relevance import evaluate
from kb.knowledge import KnowledgeBase
from kb.search import make_request


def ids(kb: KnowledgeBase, query: str, limit: int = 10) -> list[str]:
    return [h.id for h in kb.search(make_request(query=query, limit=limit)).hits]


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("pgb", "persoonsgebonden budget"),
        ("wlz", "wet langdurige zorg"),
        ("swv", "samenwerkingsverband"),
        ("ots", "ondertoezichtstelling"),
    ],
)
def test_abbreviations_expand_both_ways(sample_kb: KnowledgeBase, short: str, long: str) -> None:
    by_short, by_long = set(ids(sample_kb, short, 50)), set(ids(sample_kb, long, 50))
    assert by_short and by_long
    overlap = len(by_short & by_long) / min(len(by_short), len(by_long))
    assert overlap >= 0.8, (short, long, by_short ^ by_long)


def test_expansion_keeps_the_typed_form_first(sample_kb: KnowledgeBase) -> None:
    top = sample_kb.search(make_request(query="pgb", limit=1)).hits[0]
    assert "pgb" in top.titel.lower() or any("pgb" in s.lower() for s in top.snippets)


def test_typo_gets_suggestion_and_fuzzy_results(sample_kb: KnowledgeBase) -> None:
    result = sample_kb.search(make_request(query="schuldhulpverleneing"))
    assert result.suggestion == "schuldhulpverlening"
    assert result.fuzzy and result.total > 0
    assert sample_kb.search(make_request(query="schuldhulpverlening")).suggestion is None


def test_nothing_at_all_stays_empty(sample_kb: KnowledgeBase) -> None:
    result = sample_kb.search(make_request(query="qqxyzzy"))
    assert result.total == 0 and not result.fuzzy and result.suggestion is None


def test_named_blocker_favours_cases_that_carry_it(sample_kb: KnowledgeBase) -> None:
    hits = sample_kb.search(make_request(query="wachtlijst", limit=50)).hits
    tagged = {
        h.id for h in sample_kb.search(make_request(filters={"blokkades": ["aanbod.wachtlijst"]}, limit=100)).hits
    }
    carrying = [h.id in tagged for h in hits]
    assert sum(carrying) >= 3
    # every case that carries the (vastgesteld) blocker ranks above every case that does not
    assert carrying == sorted(carrying, reverse=True)


def test_similar_cases_with_reasons(sample_kb: KnowledgeBase) -> None:
    found = sample_kb.similar("2019-11-wlz-meervoudig-beperkt-meisje", 5)
    assert len(found) == 5
    assert found[0].score >= found[-1].score
    assert "2019-11-wlz-meervoudig-beperkt-meisje" not in {s.id for s in found}
    top = found[0]
    assert any(r.startswith("zelfde blokkade: ") and "Grens Jeugdwet – Wlz" in r for r in top.redenen)
    assert any(r.startswith("gedeelde termen: ") for s in found for r in s.redenen)
    citing = {link.id for link in sample_kb.case("2019-11-wlz-meervoudig-beperkt-meisje").links_in}
    builds_on = [s for s in found if s.id in citing]
    assert builds_on and all("verwijst naar deze casus" in s.redenen for s in builds_on)


def test_similar_everywhere(client: TestClient) -> None:
    body = client.get("/api/cases/2022-09-wlz-indicatie/similar").json()
    assert body["id"] == "2022-09-wlz-indicatie"
    reasons = {s["id"]: s["redenen"] for s in body["similar"]}
    assert "deze casus verwijst ernaar" in reasons["2021-05-thuiszitter-swv"]  # 2022-09 cites it
    assert "verwijst naar deze casus" in reasons["2024-11-achttien-plus"]  # it cites 2022-09
    assert client.get("/api/cases/bestaat-niet/similar").status_code == 404
    assert client.get("/api/cases/2022-09-wlz-indicatie/similar?limit=0").status_code == 422
    page = client.get("/casus/2022-09-wlz-indicatie").text
    assert "Vergelijkbare casussen" in page and "/casus/2021-05-thuiszitter-swv" in page


def test_similar_cli(sample_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    from leerlus.cli import app

    monkeypatch.setenv("LEERLUS_DATA_DIR", str(sample_kb.settings.data_dir))
    monkeypatch.setenv("LEERLUS_CONTENT_DIR", str(sample_kb.settings.content_dir))
    result = CliRunner().invoke(app, ["similar", "2020-02-thuiszitter-autisme-swv", "--json", "--limit", "3"])
    data = json.loads(result.output)
    assert len(data["similar"]) == 3 and all(s["redenen"] for s in data["similar"])


def test_relevance_ahead_of_plain_bm25(sample_kb: KnowledgeBase) -> None:
    results = evaluate(sample_kb)
    ours, base = results["leerlus"], results["bm25"]
    assert ours["alle"].ndcg >= base["alle"].ndcg + 0.08, (ours["alle"], base["alle"])
    assert ours["alle"].rr >= base["alle"].rr
    assert ours["alle"].top5 >= 0.9  # a grade-3 precedent in the top five for nine in ten queries
    for kind in ("afkorting", "spelling", "parafrase"):
        assert ours[kind].ndcg > base[kind].ndcg, kind


def test_relevance_on_queries_written_apart(sample_kb: KnowledgeBase) -> None:
    """30 queries written by someone who saw neither the search code nor the development set,
    measured once before this test was added: Leerlus ahead overall, by less than on the
    development set (nDCG@10 0.79 vs 0.75)."""
    results = evaluate(sample_kb, Path(__file__).parent / "data" / "relevantie_toets.yaml")
    ours, base = results["leerlus"], results["bm25"]
    assert ours["alle"].ndcg > base["alle"].ndcg, (ours["alle"], base["alle"])
    assert ours["alle"].rr > base["alle"].rr
    assert ours["alle"].top5 >= 0.9


DRAFT = (
    "De jongen (14) zit al een half jaar thuis. Het samenwerkingsverband weigert de begeleiding in de klas "
    "te betalen en de jeugd-ggz heeft een wachttijd van acht maanden."
)


def test_precedent_brief_groups_by_shared_blocker(sample_kb: KnowledgeBase) -> None:
    from ingest.draft_brief import precedents_for
    from ingest.gate import get_gate
    from ingest.pipeline import get_pipeline

    result = precedents_for(DRAFT, kb=sample_kb, gate=get_gate(), pipeline=get_pipeline())
    groups = {g.code: g for g in result.groups}
    assert {"grens.jeugdwet-onderwijs", "aanbod.wachtlijst"} <= set(groups)
    onderwijs = groups["grens.jeugdwet-onderwijs"]
    assert onderwijs.evidence and onderwijs.precedents
    for precedent in onderwijs.precedents:
        assert "grens.jeugdwet-onderwijs" in sample_kb.case(precedent.id).blokkades
    assert any(p.besluit and p.mandaat for p in onderwijs.precedents)
    markdown = result.to_markdown()
    assert markdown.startswith("# Precedenten voor de casustafel")
    assert "## Grens Jeugdwet – passend onderwijs (`grens.jeugdwet-onderwijs`)" in markdown
    assert f"`{onderwijs.precedents[0].id}`" in markdown and "  - Mandaat: " in markdown


def test_precedents_api_cli_and_page(
    client: TestClient, sample_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    body = client.post("/api/precedents", json={"text": DRAFT}).json()
    assert {g["code"] for g in body["groups"]} >= {"grens.jeugdwet-onderwijs"}
    assert body["markdown"].startswith("# Precedenten")
    refused = client.post("/api/precedents", json={"text": "Moeder Annelies Verbeek belde over haar zoon."})
    assert refused.status_code == 422 and refused.json()["code"] == "persoonsgegevens"
    assert "[PERSOON-1]" in refused.json()["redacted"]["tekst"]

    page = client.post("/precedenten", data={"tekst": DRAFT})
    assert page.status_code == 200 and "Download als Markdown" in page.text and "Mandaat" in page.text
    download = client.post("/precedenten", data={"tekst": DRAFT, "formaat": "md"})
    assert download.headers["content-type"].startswith("text/markdown")
    assert "attachment" in download.headers["content-disposition"]
    blocked = client.post("/precedenten", data={"tekst": "Bel moeder op 06-12345678."})
    assert blocked.status_code == 422 and "Bel moeder op 06-12345678." in blocked.text  # text kept

    from leerlus.cli import app

    monkeypatch.setenv("LEERLUS_DATA_DIR", str(sample_kb.settings.data_dir))
    monkeypatch.setenv("LEERLUS_CONTENT_DIR", str(sample_kb.settings.content_dir))
    draft = tmp_path / "concept.md"
    draft.write_text(DRAFT, encoding="utf-8")
    result = CliRunner().invoke(app, ["precedents", str(draft), "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["groups"]
    named = tmp_path / "met-naam.md"
    named.write_text("Moeder Annelies Verbeek belde.", encoding="utf-8")
    assert CliRunner().invoke(app, ["precedents", str(named)]).exit_code == 1


def test_chain_of_earlier_decisions(sample_kb: KnowledgeBase, client: TestClient) -> None:
    chain = sample_kb.case("2025-01-wlz-jongen-ernstig-gedrag").keten
    by_id = {link.id: link.diepte for link in chain}
    assert by_id["2024-02-wlz-meervoudig-beperkte-jongen"] == 1
    assert by_id["2019-11-wlz-meervoudig-beperkt-meisje"] in (1, 2)
    assert len(by_id) == len(chain)  # each case once
    assert [link.diepte for link in chain] == sorted(link.diepte for link in chain)
    # the fixture corpus: 2024-11 -> 2022-09 -> 2021-05
    detail = client.get("/api/cases/2024-11-achttien-plus").json()
    assert [(link["id"], link["diepte"]) for link in detail["keten"]] == [
        ("2022-09-wlz-indicatie", 1),
        ("2021-05-thuiszitter-swv", 2),
    ]
    page = client.get("/casus/2024-11-achttien-plus").text
    assert "Bouwt voort op (keten)" in page and "via 1 tussenstap" in page
