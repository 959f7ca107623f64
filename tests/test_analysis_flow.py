"""Extraction end to end: stored mentions and findings, merged facets, re-analysis when the
taxonomy changes, and ``analyze`` through the CLI, the API and the web form."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ingest.doctor import check
from ingest.runner import ingest
from kb.knowledge import KnowledgeBase
from kb.search import make_request
from kb.settings import Settings
from leerlus.cli import app

FIXTURES = Path(__file__).parent / "fixtures" / "corpus"


def test_case_stores_entities_and_findings(ingested: KnowledgeBase) -> None:
    case = ingested.case("2022-09-wlz-indicatie")
    canonical = {(m.label, m.canonical) for m in case.entiteiten}
    assert {("INSTANTIE", "ciz"), ("WET", "Wet langdurige zorg"), ("VOORZIENING", "logeeropvang")} <= canonical
    for mention in case.entiteiten:
        assert case.body_html.count("entiteit") > 0
        assert mention.text.lower() in case.body_html.lower()
    sources = {(f.code, f.source) for f in case.bevindingen}
    assert ("grens.jeugdwet-wlz", "voorgeschreven") in sources
    assert ("grens.jeugdwet-wlz", "herkend") in sources
    evidence = next(f for f in case.bevindingen if f.source == "herkend" and f.code == "grens.jeugdwet-wlz")
    assert evidence.evidence and evidence.evidence.startswith("Het CIZ wees de aanvraag")
    assert "ciz" in case.instanties and "logeeropvang" in case.voorzieningen


def test_recognised_values_join_the_facets(ingested: KnowledgeBase) -> None:
    result = ingested.search(make_request(query="", limit=50))
    assert result.facets["instanties"]["woningcorporatie"] == 1
    # "wachttijd" in the text of a case that does not declare aanbod.wachtlijst: a suggestion, kept
    # apart, and not a facet value until a person confirms it
    case = ingested.case("2023-02-schulden-huur")
    assert "aanbod.wachtlijst" in case.suggesties and "aanbod.wachtlijst" not in case.blokkades
    finding = next(f for f in case.bevindingen if f.code == "aanbod.wachtlijst")
    assert finding.soort == "gesuggereerd" and finding.confidence is not None and 0 < finding.confidence <= 1
    assert "2023-02-schulden-huur" not in {
        h.id for h in ingested.search(make_request(filters={"blokkades": ["aanbod.wachtlijst"]})).hits
    }
    assert {h.id for h in ingested.search(make_request(filters={"instanties": ["ciz"]})).hits} == {
        "2022-09-wlz-indicatie"
    }


def test_taxonomy_change_reanalyses_every_case(
    make_settings: Callable[..., Settings], tmp_path: Path, database_url: str | None
) -> None:
    kb = KnowledgeBase(make_settings(database_url=database_url))
    ingest(kb)
    custom = tmp_path / "taxonomie"
    custom.mkdir()
    shutil.copy(Path("kb/data/instanties.yaml"), custom / "instanties.yaml")
    with (custom / "instanties.yaml").open("a", encoding="utf-8") as handle:
        handle.write("  - naam: peuters-en-co\n    varianten: [peuters]\n")
    changed = KnowledgeBase(make_settings(database_url=database_url, taxonomy_dir=custom))
    assert {d.kind for d in check(changed)} == {"verouderd"}
    report = ingest(changed)
    assert len(report.updated) == 4
    assert check(changed) == []
    assert "peuters-en-co" in changed.case("2023-02-schulden-huur").instanties
    kb.close()
    changed.close()


def test_cli_analyze_json_lines(tmp_path: Path) -> None:
    runner = CliRunner()
    files = [str(FIXTURES / "2022-09-wlz-indicatie.md"), str(FIXTURES / "2023-02-schulden-huur.md")]
    result = runner.invoke(app, ["analyze", *files, "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["file"] for line in lines] == files
    assert set(lines[0]) == {"file", "pipeline", "entities", "blockers"}
    body = (FIXTURES / "2022-09-wlz-indicatie.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    for entity in lines[0]["entities"]:
        assert body[entity["start"] : entity["end"]] == entity["text"]
    assert "grens.jeugdwet-wlz" in {b["code"] for b in lines[0]["blockers"]}

    piped = runner.invoke(app, ["analyze", "-", "--json"], input="Er is geen plek in een gezinshuis.")
    data = json.loads(piped.output)
    assert "file" not in data
    assert data["blockers"][0]["code"] == "aanbod.geen-passend-aanbod"

    plain = runner.invoke(app, ["analyze"], input="Moeder heeft schulden.")
    assert "bestaanszekerheid.schulden" in plain.output and "Herkende begrippen" not in plain.output


def test_cli_analyze_missing_file(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from leerlus.cli import run as run_cli

    monkeypatch.setattr("sys.argv", ["leerlus", "analyze", "bestaat/niet.md"])
    assert run_cli() == 2
    assert "fout: bestand 'bestaat/niet.md' bestaat niet" in capsys.readouterr().err


def test_api_analyze(client: TestClient) -> None:
    text = "---\ntitel: Concept\n---\nHet zorgkantoor verwees naar de gemeente. Er is geen discussie over de Zvw."
    body = client.post("/api/analyze", json={"text": text}).json()
    assert set(body) == {"pipeline", "entities", "blockers"}
    assert [b["code"] for b in body["blockers"]] == ["grens.jeugdwet-wlz"]
    assert body["blockers"][0]["evidence"] == "Het zorgkantoor verwees naar de gemeente."
    assert body["blockers"][0]["start"] == 0  # offsets count from the body, after the front matter


@pytest.mark.parametrize(
    ("payload", "detail"),
    [({}, "tekst ontbreekt"), ({"text": 5}, "tekst moet tekst zijn"), ([1], "verzoek moet een JSON-object zijn")],
)
def test_api_analyze_bad_input(client: TestClient, payload: object, detail: str) -> None:
    response = client.post("/api/analyze", json=payload)
    assert response.status_code == 422
    assert response.json() == {"code": "ongeldige-invoer", "detail": detail}


def test_web_analyze_keeps_the_text_and_escapes_it(client: TestClient) -> None:
    text = "De jongen staat op de wachtlijst bij de jeugd-ggz. <script>alert(1)</script>"
    html = client.post("/analyseren", data={"tekst": text}).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert '<mark class="entiteit entiteit-voorziening"' in html
    assert "Wachtlijst" in html
    assert "&lt;script&gt;" in html.split("<textarea", 1)[1].split("</textarea>", 1)[0]
    assert client.get("/analyseren").status_code == 200


def test_case_page_lists_blockers_with_evidence(client: TestClient) -> None:
    html = client.get("/casus/2022-09-wlz-indicatie").text
    # declared by the author, and shown in the text too: vastgesteld, with its evidence
    blockers = html.split('id="blokkades-title"', 1)[1].split("</section>", 1)[0]
    assert "vastgesteld" in blockers and "<blockquote>Het CIZ wees de aanvraag" in blockers
    assert 'class="entiteit entiteit-instantie"' in html
