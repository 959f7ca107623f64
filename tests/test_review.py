"""Vastgesteld and gesuggereerd blockers kept apart (issue 12): counts against hand counts on the
sample corpus, and the review queue that writes a decision into the case file."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from api.app import create_app
from ingest.pipeline import get_pipeline
from ingest.review import Conflict, decide
from ingest.runner import reindex
from kb import review
from kb.db import session_scope
from kb.knowledge import KnowledgeBase
from kb.patterns import PatternRequest, Selection
from kb.report import build_report
from tests.conftest import SAMPLE_CORPUS, signed_in


def _front(path: Path) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---", 2)[1])


def hand_counts(folder: Path) -> Counter[str]:
    """Per code, the cases whose author wrote it: read straight from the files, not from Leerlus."""
    return Counter(code for path in folder.glob("*.md") for code in set(_front(path).get("blokkades") or []))


def hand_counts_with_suggestions(folder: Path, kb: KnowledgeBase) -> Counter[str]:
    """The same plus what the pipeline recognises above the calibrated threshold, per file."""
    pipeline = get_pipeline()
    calibration = pipeline.calibration()
    out: Counter[str] = Counter()
    for path in folder.glob("*.md"):
        front = _front(path)
        body = path.read_text(encoding="utf-8").split("---", 2)[2].lstrip("\n")
        codes = set(front.get("blokkades") or [])
        for b in pipeline.analyze(body).blockers:
            if b.code not in set(front.get("blokkades_afgewezen") or []) and calibration.shown(b.code, b.confidence):
                codes.add(b.code)
        out.update(codes)
    return out


def _totals(kb: KnowledgeBase, suggesties: bool) -> Counter[str]:
    result = kb.patterns(PatternRequest(selectie=Selection(suggesties=suggesties), per="jaar"))
    rows = result.tabellen["tijdlijn"].rijen
    return Counter({row.code: sum(c.value for c in row.cells) for row in rows if row.code})  # "" is the total row


def test_patterns_count_exactly_the_blockers_authors_wrote(sample_kb: KnowledgeBase) -> None:
    expected = hand_counts(SAMPLE_CORPUS)
    assert _totals(sample_kb, suggesties=False) == expected
    assert {c: n for c, n in sample_kb.facets()["blokkades"].items()} == dict(expected)
    analyst = sample_kb.analyst()
    for code, n in expected.items():
        assert len(analyst.select(Selection(blokkades=(code,)))) == n


def test_matrix_and_report_count_vastgesteld_only(sample_kb: KnowledgeBase) -> None:
    expected = hand_counts(SAMPLE_CORPUS)
    boundaries = {b.code: sample_kb.taxonomy.boundary(b.code) for b in sample_kb.taxonomy.blokkades}
    matrix = sample_kb.patterns(PatternRequest()).tabellen["matrix"]
    for row in matrix.rijen:
        for column, cell in zip(matrix.kolommen, row.cells, strict=True):
            want = sum(
                1
                for path in SAMPLE_CORPUS.glob("*.md")
                if any(
                    (pair := boundaries.get(code)) and set(pair) == {row.label, column}
                    for code in _front(path).get("blokkades") or []
                )
            )
            assert cell.value == want, (row.label, column)
    report = build_report(sample_kb, "2019-01", "2025-12")
    assert report.blokkades and all(t.aantal == expected[t.code] for t in report.blokkades)
    assert [t.aantal for t in report.blokkades] == sorted(expected.values(), reverse=True)[: len(report.blokkades)]


def test_with_suggestions_counts_what_they_add(sample_kb: KnowledgeBase) -> None:
    settled = hand_counts(SAMPLE_CORPUS)
    everything = hand_counts_with_suggestions(SAMPLE_CORPUS, sample_kb)
    assert _totals(sample_kb, suggesties=True) == everything
    result = sample_kb.patterns(PatternRequest(selectie=Selection(suggesties=True)))
    assert result.toegevoegd == {c: everything[c] - settled[c] for c in everything if everything[c] > settled[c]}
    assert "suggesties=1" in result.to_dict()["selectie"]


def test_the_json_says_which_kind_each_blocker_is(sample_kb: KnowledgeBase) -> None:
    case = sample_kb.case("2019-04-huilbaby-jonge-ouders")
    assert case.blokkades == []  # the author wrote none: nothing counts for this case
    for finding in case.bevindingen:
        assert finding.soort == "gesuggereerd" and finding.code in case.suggesties




def _first(kb: KnowledgeBase, **filters: str) -> review.Suggestion:
    queue = kb.review_queue(**filters)  # type: ignore[arg-type]
    assert queue.items, "the sample corpus has open suggestions"
    return queue.items[0]


def test_confirming_writes_the_file_counts_and_survives_reindex(own_kb: KnowledgeBase) -> None:
    item = _first(own_kb)
    path = own_kb.settings.content_dir / own_kb.case(item.case_id).path
    before = path.read_text(encoding="utf-8")
    count = _totals(own_kb, suggesties=False)[item.code]
    waiting = own_kb.review_count()
    decide(own_kb, case_id=item.case_id, code=item.code, beslissing="bevestigd", wie="Teamleider Noord", versie=item.versie)
    after = path.read_text(encoding="utf-8")
    assert item.code in (_front(path).get("blokkades") or [])
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=False) if a != b]
    assert len(after.splitlines()) - len(before.splitlines()) in (0, 1) and len(changed) <= 1
    assert after.split("\n---", 1)[1] == before.split("\n---", 1)[1]  # the body is untouched
    assert _totals(own_kb, suggesties=False)[item.code] == count + 1
    assert own_kb.review_count() == waiting - 1
    assert item.code not in own_kb.case(item.case_id).suggesties
    reindex(own_kb)
    assert _totals(own_kb, suggesties=False)[item.code] == count + 1
    [decision] = own_kb.review_decisions(item.case_id)
    assert (decision["code"], decision["beslissing"], decision["wie"]) == (item.code, "bevestigd", "Teamleider Noord")


def test_rejecting_means_never_suggested_again(own_kb: KnowledgeBase) -> None:
    item = _first(own_kb)
    decide(own_kb, case_id=item.case_id, code=item.code, beslissing="afgewezen", wie="Jeugdconsulent", versie=item.versie)
    path = own_kb.settings.content_dir / own_kb.case(item.case_id).path
    assert item.code in _front(path)["blokkades_afgewezen"]
    assert item.code not in (_front(path).get("blokkades") or [])
    reindex(own_kb)
    case = own_kb.case(item.case_id)
    assert item.code not in case.suggesties and item.code not in case.blokkades
    assert all(not (s.case_id == item.case_id and s.code == item.code) for s in own_kb.review_queue().items)
    [stats] = [s for s in own_kb.review_stats() if s.code == item.code]
    assert (stats.bevestigd, stats.afgewezen, stats.precisie) == (0, 1, 0.0)


def test_a_file_changed_since_it_was_shown_is_not_overwritten(own_kb: KnowledgeBase) -> None:
    item = _first(own_kb)
    path = own_kb.settings.content_dir / own_kb.case(item.case_id).path
    changed = path.read_text(encoding="utf-8") + "\nEen aanvulling van een collega.\n"
    path.write_text(changed, encoding="utf-8")
    with pytest.raises(Conflict):
        decide(own_kb, case_id=item.case_id, code=item.code, beslissing="bevestigd", wie="X", versie=item.versie)
    assert path.read_text(encoding="utf-8") == changed
    with pytest.raises(Conflict):  # nothing to decide on a code that is not suggested
        decide(own_kb, case_id=item.case_id, code="privacy.nope", beslissing="bevestigd", wie="X", versie=item.versie)


def test_a_code_people_mostly_reject_is_shown_less_readily(own_kb: KnowledgeBase) -> None:
    item = _first(own_kb)
    strict = review.Strictness.from_data(own_kb.taxonomy.kalibratie)
    with session_scope(own_kb.engine) as session:
        for n in range(strict.reviews):
            review.record(
                session=session, case_id=f"elders-{n}", code=item.code, beslissing="afgewezen" if n % 4 else "bevestigd",
                wie="test", confidence=0.6, evidence=[], team=None,
            )  # fmt: skip
    queue = own_kb.review_queue(code=item.code)
    assert item.code in queue.notities and "afgewezen" in queue.notities[item.code]
    assert all(s.confidence >= strict.threshold for s in queue.items)
    shown = len(queue.items) + queue.verborgen.get(item.code, 0)
    assert shown == len([s for s in review_all(own_kb) if s.code == item.code])


def review_all(kb: KnowledgeBase) -> list[review.Suggestion]:
    from sqlmodel import Session

    with Session(kb.engine) as session:
        return review.open_suggestions(session=session, labels={})


def test_review_over_the_api_and_the_page(own_kb: KnowledgeBase) -> None:
    with signed_in(create_app(own_kb.settings, kb=own_kb)) as client:
        body = client.get("/api/beoordelen").json()
        assert body["aantal"] == len(body["suggesties"]) > 0
        first = body["suggesties"][0]
        assert {"casus", "code", "betrouwbaarheid", "bewijs", "versie"} <= set(first)
        page = client.get("/beoordelen")
        assert page.status_code == 200 and "Te beoordelen" in page.text and first["casus"] in page.text
        assert f"{body['totaal_open']}" in client.get("/").text
        stale = client.post("/api/beoordelen", json={**_decision(first), "versie": "0" * 16})
        assert stale.status_code == 409 and stale.json()["code"] == "gewijzigd"
        bad = client.post("/api/beoordelen", json={**_decision(first), "beslissing": "misschien"})
        assert bad.status_code == 422
        named = client.post("/api/beoordelen", json={**_decision(first), "wie": "Sandra de Vries, 06-12345678"})
        assert named.status_code == 422 and "Sandra" not in str(client.get("/api/beoordelen/statistiek").json())
        done = client.post("/api/beoordelen", json=_decision(first))
        assert done.status_code == 200 and done.json()["beslissing"] == "bevestigd"
        detail = client.get(f"/api/cases/{first['casus']}").json()
        kinds = {b["code"]: b["soort"] for b in detail["bevindingen"]}
        assert kinds[first["code"]] == "vastgesteld"
        stats = client.get("/api/beoordelen/statistiek").json()
        assert [s["bevestigd"] for s in stats if s["code"] == first["code"]] == [1]
        with_suggestions = client.get("/api/patterns?suggesties=1").json()
        assert with_suggestions["inclusief_suggesties"] is True and with_suggestions["door_suggesties_erbij"]
        assert client.get("/api/patterns").json()["door_suggesties_erbij"] is None


def _decision(item: dict) -> dict:  # type: ignore[type-arg]
    return {"casus": item["casus"], "code": item["code"], "beslissing": "bevestigd", "wie": "Teamleider", "versie": item["versie"]}
