"""Small things a new user notices (issue #18): each blocker once in the analyser, no developer
text on /analyseren, Dutch parameter names in errors, case kinds by their label, consistent team
names in the sample corpus."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kb.knowledge import KnowledgeBase
from tests.conftest import SAMPLE_CORPUS, signed_in

# Two sentences that each show the Wlz boundary: the analyser finds it twice.
TWICE = (
    "Het CIZ wees de Wlz-aanvraag af. De gemeente vindt dat de Wlz moet betalen, maar het CIZ weigerde "
    "opnieuw een Wlz-indicatie."
)


@pytest.fixture(scope="module")
def sample_client(sample_kb: KnowledgeBase) -> Iterator[TestClient]:
    from api.app import create_app

    with signed_in(create_app(sample_kb.settings, kb=sample_kb), raise_server_exceptions=False) as client:
        yield client


def test_the_analyser_lists_each_blocker_once_with_all_its_evidence(sample_client: TestClient) -> None:
    found = sample_client.post("/api/analyze", json={"text": TWICE}).json()["blockers"]
    codes = [b["code"] for b in found]
    assert len(codes) > len(set(codes)), "the example must show one blocker in two places"
    page = sample_client.post("/analyseren", data={"tekst": TWICE}).text
    items = re.findall(r'<li><a href="/zoeken\?blokkades=([^"]+)"', page)
    assert len(items) == len(set(items)) == len(set(codes))
    assert page.count("<blockquote>") == len({" ".join(b["evidence"].split()) for b in found})


def test_the_analyser_lists_each_concept_once_with_a_dutch_kind(sample_client: TestClient) -> None:
    """"Wlz" three times in the text was three rows "WET / Wlz / Wet langdurige zorg"."""
    page = sample_client.post("/analyseren", data={"tekst": TWICE}).text
    table = page.split('<table class="entities">', 1)[1].split("</table>", 1)[0]
    assert table.count("<td>Wet langdurige zorg</td>") == 1 and '<td class="num">3</td>' in table
    assert "<td>wet</td>" in table and "WET" not in table


def test_the_analyser_page_shows_no_developer_text(sample_client: TestClient) -> None:
    for page in (sample_client.get("/analyseren").text, sample_client.post("/analyseren", data={"tekst": TWICE}).text):
        assert "Pijplijn" not in page and "spacy.blank" not in page and "POST /api/analyze" not in page
    assert "spacy" in sample_client.post("/api/analyze", json={"text": TWICE}).json()["pipeline"]


@pytest.mark.parametrize("path", ["/signalen/abc", "/api/signals/abc", "/api/signals/0", "/signalen/0"])
def test_errors_name_parameters_as_the_user_sees_them(sample_client: TestClient, path: str) -> None:
    response = sample_client.get(path)
    assert response.status_code == 422
    assert "signal_id" not in response.text
    assert "signaalnummer" in response.text.lower()


@pytest.mark.parametrize(
    ("method", "path", "body", "dutch"),
    [
        ("GET", "/zoeken?q=wlz&page=nul", None, "Paginanummer &#39;nul&#39; is geen geheel getal."),
        ("GET", "/api/search?q=wlz&page=abc", None, "paginanummer moet een geheel getal zijn"),
        ("GET", "/api/search?q=wlz&limit=1000", None, "aantal per pagina mag hoogstens 100 zijn"),
        ("GET", "/zoeken?q=wlz&limit=0", None, "Aantal per pagina moet tussen 1 en 100 liggen, niet 0."),
        ("POST", "/api/analyze", {}, "tekst ontbreekt"),
        ("POST", "/api/precedents", {"text": 5}, "tekst moet tekst zijn"),
    ],
)
def test_errors_name_query_and_body_parameters_in_dutch(
    sample_client: TestClient, method: str, path: str, body: object, dutch: str
) -> None:
    """The address and the JSON body keep their names (page, limit, text); the message names them
    as a reader does."""
    response = sample_client.request(method, path, json=body)
    assert response.status_code == 422
    assert dutch in response.text
    assert not re.search(r"\b(page|limit|text)\b (moet|mag|ontbreekt|&#39;)", response.text, re.I)


def test_the_precedents_page_shows_no_developer_text(sample_client: TestClient) -> None:
    for page in (sample_client.get("/precedenten").text, sample_client.post("/precedenten", data={"tekst": TWICE}).text):
        main = page.split("<main", 1)[1].split("</main>", 1)[0]
        assert "POST /api" not in main and '{"text"' not in main


def test_case_kinds_are_shown_by_their_dutch_label(sample_client: TestClient, sample_kb: KnowledgeBase) -> None:
    from kb.search import make_request
    from leerlus.cli import app

    hit = sample_kb.search(make_request(query="", filters={"soort": ["bindend-advies"]}, limit=1)).hits[0]
    brief = sample_client.post("/precedenten", data={"tekst": TWICE}).text
    meta = re.findall(r'<span class="meta">([^<]*)</span>', brief)
    assert meta and not any(code in m for m in meta for code in ("bindend-advies", "casusbespreking"))
    result = CliRunner().invoke(app, ["show", hit.id], env={"LEERLUS_DATA_DIR": str(sample_kb.settings.data_dir)})
    assert "soort: Bindend advies" in result.output


def test_team_names_in_the_sample_corpus_are_consistent() -> None:
    """No two team names that differ only in case or a filler word ('regio')."""
    by_key: dict[str, set[str]] = defaultdict(set)
    for path in SAMPLE_CORPUS.rglob("*.md"):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
        if front.get("team"):
            team = str(front["team"])
            by_key[" ".join(w for w in team.lower().split() if w != "regio")].add(team)
    assert [names for names in by_key.values() if len(names) > 1] == []


def test_an_iban_is_named_iban_in_capitals_never_persoonsnaam(sample_kb: KnowledgeBase) -> None:
    """An IBAN was reported as 'persoonsnaam'; the kind is now found right and written as a reader
    writes it, in the CLI and on the refused form."""
    from leerlus.cli import app

    text = "De huur ging via rekening NL91ABNA0417164300 van moeder."
    result = CliRunner().invoke(
        app, ["check", "-"], input=text, env={"LEERLUS_DATA_DIR": str(sample_kb.settings.data_dir)}
    )
    assert "regel 1: IBAN 'NL91ABNA0417164300' (BLOKKEERT)" in result.output
    assert "persoonsnaam" not in result.output and "iban" not in result.output


def test_the_refused_form_names_the_kind_in_capitals(sample_client: TestClient) -> None:
    form = {"titel": "Huur betaald", "soort": "casusbespreking", "datum": "2025-04",
            "tekst": "De huur ging via rekening NL91ABNA0417164300 van moeder."}  # fmt: skip
    page = sample_client.post("/nieuw", data=form)
    assert page.status_code == 422
    assert "<strong>IBAN</strong> „NL91ABNA0417164300”" in page.text and "<strong>iban</strong>" not in page.text


def test_the_audit_page_names_roles_in_dutch(sample_client: TestClient) -> None:
    sample_client.get("/zoeken", params={"q": "wlz"})  # leaves a line with this administrator's role
    page = sample_client.get("/audit").text
    assert "<td>Beheerder</td>" in page and "<td>admin</td>" not in page


def test_the_dossier_shows_kinds_and_help_questions_by_label(sample_client: TestClient) -> None:
    """The advice dossier printed 'bindend-advies' and 'levenslange-beperking' in its table."""
    markdown = sample_client.post("/api/dossier", json={"grens": "grens.jeugdwet-wlz"}).json()["markdown"]
    table = markdown.split("## ", 1)[0]
    assert "| Bindend advies |" in table and "(Complexe) levenslange en levensbrede beperking" in table
    for code in ("bindend-advies", "maatwerkbesluit |", "levenslange-beperking", "| 4-12 |"):
        assert code not in table, code
    page = sample_client.post("/dossier", data={"grens": "grens.jeugdwet-wlz"}).text
    assert "(Complexe) levenslange en levensbrede beperking" in page and "<td>levenslange-beperking" not in page


def test_the_review_queue_in_the_cli_names_blockers_by_label(sample_kb: KnowledgeBase) -> None:
    from leerlus.cli import app

    result = CliRunner().invoke(app, ["beoordeel"], env={"LEERLUS_DATA_DIR": str(sample_kb.settings.data_dir)})
    assert result.exit_code == 0
    assert "Schulden (bestaanszekerheid.schulden)" in result.output  # the code stays: --bevestig needs it
    assert "[[" not in result.output
