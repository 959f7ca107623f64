"""Pattern counts against a corpus counted by hand (``tests/fixtures/patronen/verwacht.yaml``),
drill-downs that list exactly the counted cases, CSV exports that parse back to the same numbers,
and the periods arithmetic."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ingest.runner import ingest
from kb import periods
from kb.errors import InvalidInput
from kb.knowledge import KnowledgeBase
from kb.patterns import Patterns, Selection, Table
from kb.settings import Settings
from tests.conftest import signed_in

CORPUS = Path(__file__).parent / "fixtures" / "patronen"
EXPECTED: dict[str, Any] = yaml.safe_load((CORPUS / "verwacht.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def patterns_kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    root = tmp_path_factory.mktemp("patronen")
    shutil.copytree(CORPUS, root / "content", ignore=shutil.ignore_patterns("*.yaml"))
    kb = KnowledgeBase(Settings(data_dir=root / "data", content_dir=root / "content"))
    assert ingest(kb).ok
    yield kb
    kb.close()


@pytest.fixture(scope="module")
def quarterly(patterns_kb: KnowledgeBase) -> Patterns:
    return patterns_kb.analyst().patterns(Selection(), "kwartaal", drempel=3, venster=12)


def _by_blocker(table: Table) -> dict[str, dict[str, int]]:
    """A blocker x column table as nested dicts without zeros."""
    return {
        row.code: {col: int(c.value) for col, c in zip(table.kolommen, row.cells, strict=True) if c.value}
        for row in table.rijen
        if row.code
    }


def test_timeline_and_cases_per_quarter(quarterly: Patterns) -> None:
    table = quarterly.tabellen["tijdlijn"]
    assert quarterly.casussen == EXPECTED["aantal_casussen"]
    assert _by_blocker(table) == EXPECTED["tijdlijn_kwartaal"]
    totals = dict(zip(table.kolommen, (int(c.value) for c in table.rijen[0].cells), strict=True))
    assert totals == EXPECTED["cases_per_kwartaal"]
    assert table.kolommen == periods.between("2023-K1", "2024-K4")


def test_trend_against_previous_quarter(quarterly: Patterns) -> None:
    trend = EXPECTED["trend"]
    assert (quarterly.huidig, quarterly.vorig) == (trend["huidig"], trend["vorig"])
    rows = {row.code: [int(c.value) for c in row.cells] for row in quarterly.tabellen["trend"].rijen}
    assert rows == {code: [now, before, now - before] for code, (now, before) in trend["blokkades"].items()}
    first = quarterly.tabellen["trend"].rijen[0]
    assert first.code == "aanbod.wachtlijst"  # most cases this quarter, and rising


@pytest.mark.parametrize(
    ("table", "key"),
    [("per-regio", "per_regio"), ("per-hulpvraag", "per_hulpvraag"), ("per-leeftijdscategorie", "per_leeftijd")],
)
def test_counts_per_dimension(quarterly: Patterns, table: str, key: str) -> None:
    found = quarterly.tabellen[table]
    columns = found.kolommen[1:]
    labels = {row.code: row.label for row in quarterly.tabellen["tijdlijn"].rijen if row.code}
    by_label = {label: code for code, label in labels.items()}
    got = {
        row.code: {by_label[c]: int(cell.value) for c, cell in zip(columns, row.cells[1:], strict=True) if cell.value}
        for row in found.rijen
    }
    assert got == EXPECTED[key]


def test_boundary_matrix(quarterly: Patterns) -> None:
    table = quarterly.tabellen["matrix"]
    cells = {
        (row.code, col): int(cell.value)
        for row in table.rijen
        for col, cell in zip(table.kolommen, row.cells, strict=True)
        if cell.value
    }
    expected = {(a, b): n for a, b, n in EXPECTED["matrix"]}
    assert {k: v for k, v in cells.items() if k[0] == "Jeugdwet"} == expected
    assert all(cells[(b, a)] == n for (a, b), n in expected.items())  # symmetric
    assert all(table.rijen[i].cells[i].value == 0 for i in range(len(table.rijen)))


def test_co_occurrence_and_recurring(quarterly: Patterns) -> None:
    together = {tuple(row.code.split("+")): int(row.cells[0].value) for row in quarterly.tabellen["samen"].rijen}
    assert together == {(a, b): n for a, b, n in EXPECTED["samen"]}
    assert quarterly.venster == tuple(EXPECTED["venster"])
    recurring = {row.code: int(row.cells[0].value) for row in quarterly.tabellen["terugkerend"].rijen}
    assert recurring == EXPECTED["terugkerend"]


def test_filter_restricts_every_table(patterns_kb: KnowledgeBase) -> None:
    only = Selection(filters=(("regio", ("Utrecht",)),))
    result = patterns_kb.analyst().patterns(only, "kwartaal")
    assert _by_blocker(result.tabellen["tijdlijn"]) == EXPECTED["filter_regio_utrecht"]
    assert [row.code for row in result.tabellen["per-regio"].rijen] == ["Utrecht"]


def test_every_number_drills_down_to_exactly_its_cases(patterns_kb: KnowledgeBase, quarterly: Patterns) -> None:
    analyst = patterns_kb.analyst()
    checked = 0
    for table in quarterly.tabellen.values():
        for row in table.rijen:
            for cell in row.cells:
                if cell.selection is not None:
                    assert len(analyst.select(cell.selection)) == cell.value, (table.naam, row.code)
                    checked += 1
    assert checked > 300


def test_per_month_and_year_add_up(patterns_kb: KnowledgeBase) -> None:
    analyst = patterns_kb.analyst()
    for per in ("maand", "jaar"):
        result = analyst.patterns(Selection(), per)
        totals = [int(c.value) for c in result.tabellen["tijdlijn"].rijen[0].cells]
        assert sum(totals) == EXPECTED["aantal_casussen"]
    yearly = analyst.patterns(Selection(), "jaar")
    assert (yearly.huidig, yearly.vorig) == ("2024", "2023")
    assert _by_blocker(yearly.tabellen["tijdlijn"])["grens.jeugdwet-wlz"] == {"2023": 4, "2024": 2}


def test_csv_and_json_exports_parse_back(patterns_kb: KnowledgeBase) -> None:
    from api.app import create_app

    with signed_in(create_app(patterns_kb.settings, kb=patterns_kb)) as client:
        for name in ("tijdlijn", "trend", "per-regio", "matrix", "samen", "terugkerend"):
            as_json = client.get(f"/api/patterns/{name}", params={"per": "kwartaal"}).json()
            response = client.get(f"/api/patterns/{name}", params={"per": "kwartaal", "formaat": "csv"})
            assert response.headers["content-type"].startswith("text/csv")
            rows = list(csv.reader(io.StringIO(response.text)))
            assert rows[0] == ["code", *as_json["kolommen"]]
            parsed = [[int(v) for v in row[2:]] for row in rows[1:]]
            assert parsed == [row["waarden"] for row in as_json["rijen"]], name
        drill = as_json["rijen"][0]["selecties"][0]
        listed = client.get(f"/api/patterns/cases?{drill}").json()
        assert listed["aantal"] == as_json["rijen"][0]["waarden"][0] == len(listed["casussen"])
        assert client.get("/api/patterns/bestaat-niet").status_code == 404
        bad = client.get("/api/patterns", params={"per": "week"})
        assert bad.status_code == 422 and "maand, kwartaal, jaar" in bad.json()["detail"]


def test_dashboard_and_drill_down_pages(patterns_kb: KnowledgeBase) -> None:
    from api.app import create_app

    with signed_in(create_app(patterns_kb.settings, kb=patterns_kb)) as client:
        page = client.get("/patronen", params={"per": "kwartaal"})
        assert page.status_code == 200
        assert "2024-K4" in page.text and "Knelpuntenmatrix" in page.text
        assert "<script" not in page.text and "http://" not in page.text.replace("http://www.w3.org", "")
        assert page.text.count("<svg") >= 4
        cell = "/patronen/casussen?grens=Jeugdwet%7CWet+langdurige+zorg"
        assert cell in page.text.replace("&amp;", "&")
        drilled = client.get(cell)
        assert drilled.text.count('<li><a href="/casus/') == 6
        assert "grens Jeugdwet – Wet langdurige zorg" in drilled.text


@pytest.mark.parametrize(
    ("period", "steps", "expected"),
    [("2024-K1", -1, "2023-K4"), ("2024-01", -1, "2023-12"), ("2024", 1, "2025"), ("2024-K4", 1, "2025-K1")],
)
def test_period_shift(period: str, steps: int, expected: str) -> None:
    assert periods.shift(period, steps) == expected


def test_period_bounds_and_errors() -> None:
    assert periods.bounds("2024-K2") == ("2024-04", "2024-06")
    assert periods.period_of("2024-05-17", "kwartaal") == "2024-K2"
    assert periods.months_back("2024-11", 12) == "2023-12"
    with pytest.raises(InvalidInput, match="geen periode"):
        periods.bounds("2024-K5")
    with pytest.raises(InvalidInput, match="kies uit maand"):
        periods.check_per("week")


def test_same_numbers_on_postgresql(database_url: str | None, tmp_path: Path, quarterly: Patterns) -> None:
    shutil.copytree(CORPUS, tmp_path / "content", ignore=shutil.ignore_patterns("*.yaml"))
    kb = KnowledgeBase(
        Settings(data_dir=tmp_path / "data", content_dir=tmp_path / "content", database_url=database_url)
    )
    try:
        assert ingest(kb).ok
        assert kb.analyst().patterns(Selection(), "kwartaal").to_dict() == quarterly.to_dict()
    finally:
        kb.close()


def test_cached_cases_are_reread_after_any_change(ingested: KnowledgeBase) -> None:
    first = ingested.analyst()
    assert ingested.analyst() is first  # nothing changed: no second read
    before = first.patterns(Selection()).casussen
    extra = ingested.settings.content_dir / "2025-01-extra.md"
    extra.write_text("---\ntitel: Extra\nsoort: casusbespreking\ndatum: 2025-01\n---\n\nHet team overlegt.\n", "utf-8")
    assert ingest(ingested).ok
    assert ingested.analyst().patterns(Selection()).casussen == before + 1
    extra.unlink()
    assert ingest(ingested).ok
    assert ingested.analyst().patterns(Selection()).casussen == before
