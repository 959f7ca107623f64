"""Personal data cannot enter Leerlus by any route: files (ingest), ``leerlus check``, the API and
the web form; a refused text reaches neither SQL nor the index, and the author keeps their text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ingest.doctor import check
from ingest.runner import ingest
from kb.knowledge import KnowledgeBase
from kb.search import make_request
from leerlus.cli import app

NAME = "Annelies Verbeek"
CASE_WITH_NAME = f"""---
titel: Wachtlijst
soort: casusbespreking
datum: 2024-05
---
Moeder ({NAME}) staat al maanden op de wachtlijst. Bel haar op 06-12345678.
"""


def all_stored_bytes(kb: KnowledgeBase) -> bytes:
    """Every byte of the data directory: SQLite file, WAL and index segments."""
    return b"".join(p.read_bytes() for p in kb.settings.data_dir.rglob("*") if p.is_file())


def test_ingest_refuses_personal_data(kb: KnowledgeBase) -> None:
    (kb.settings.content_dir / "2024-05-met-naam.md").write_text(CASE_WITH_NAME, encoding="utf-8")
    report = ingest(kb)
    assert not report.ok
    assert [Path(p).name for p in report.refused] == ["2024-05-met-naam.md"]
    messages = [str(i) for i in report.issues if i.field == "privacy"]
    assert any(":6: persoonsnaam gevonden" in m for m in messages)
    assert any(":6: telefoonnummer gevonden" in m for m in messages)
    assert not any("Verbeek" in m or "12345678" in m for m in messages)  # reports never repeat the data
    assert len(report.added) == 4  # the rest goes on
    assert "2024-05-met-naam" not in {c for c, _ in kb.stored_files().values()}
    assert kb.search(make_request(query="Verbeek")).total == 0
    if kb.settings.database_url is None:
        assert b"Verbeek" not in all_stored_bytes(kb)


def test_case_that_gains_personal_data_is_taken_out(ingested: KnowledgeBase) -> None:
    path = ingested.settings.content_dir / "2023-02-schulden-huur.md"
    original = path.read_text(encoding="utf-8")
    path.write_text(original + "\nDe moeder heet Annelies Verbeek.\n", encoding="utf-8")
    report = ingest(ingested)
    assert report.refused and not report.ok
    assert "2023-02-schulden-huur" not in {h.id for h in ingested.search(make_request(limit=50)).hits}
    assert path.read_text(encoding="utf-8").endswith("Annelies Verbeek.\n")  # the file is never rewritten
    path.write_text(original, encoding="utf-8")
    assert ingest(ingested).ok and check(ingested) == []


def test_check_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = tmp_path / "concept.md"
    bad.write_text(CASE_WITH_NAME, encoding="utf-8")
    good = tmp_path / "schoon.md"
    good.write_text("In maart 2023 sprak het wijkteam in Utrecht met moeder en oma.\n", encoding="utf-8")

    result = runner.invoke(app, ["check", str(bad), str(good), "--json"])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["file"] for line in lines] == [str(bad), str(good)]
    assert lines[1] == {"file": str(good), "ok": True, "findings": [], "redacted": good.read_text(encoding="utf-8")}
    first = lines[0]
    assert first["ok"] is False
    text = bad.read_text(encoding="utf-8")
    for finding in first["findings"]:
        assert set(finding) == {"kind", "text", "start", "end", "line", "blocking", "reason"}
        assert text[finding["start"] : finding["end"]] == finding["text"]
    assert {(f["kind"], f["text"]) for f in first["findings"]} >= {
        ("persoonsnaam", NAME),
        ("telefoonnummer", "06-12345678"),
    }
    assert NAME not in first["redacted"] and "[PERSOON-1]" in first["redacted"]

    assert runner.invoke(app, ["check", str(good)]).exit_code == 0
    piped = runner.invoke(app, ["check", "-", "--json"], input="Bel 06-12345678.")
    assert piped.exit_code == 1 and "file" not in json.loads(piped.output)

    out = tmp_path / "geanonimiseerd.md"
    written = runner.invoke(app, ["check", str(bad), "--write-redacted", str(out)])
    assert written.exit_code == 1
    assert out.read_text(encoding="utf-8") == first["redacted"]
    assert bad.read_text(encoding="utf-8") == CASE_WITH_NAME  # the original is untouched
    refused = runner.invoke(app, ["check", str(bad), "--write-redacted", str(bad)])
    assert refused.exit_code != 0 and bad.read_text(encoding="utf-8") == CASE_WITH_NAME


NEW_CASE = {
    "titel": "Thuiszitter wacht op onderwijs-zorgarrangement",
    "soort": "casusbespreking",
    "datum": "2025-03",
    "regio": "Utrecht",
    "blokkades": ["grens.jeugdwet-onderwijs"],
    "lessen": {"casus": ["Begin klein, met twee ochtenden."], "systeem": []},
    "tekst": "De jongen (13) is een half jaar thuiszitter. Het samenwerkingsverband weigert te betalen.",
}


def test_api_refuses_with_findings_and_redacted_version(client: TestClient, ingested: KnowledgeBase) -> None:
    payload = {**NEW_CASE, "tekst": f"{NAME} belde. Haar BSN is 111222333.", "titel": f"Gesprek met {NAME}"}
    response = client.post("/api/cases", json=payload)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "persoonsgegevens"
    fields = {(f["field"], f["kind"]) for f in body["findings"]}
    assert {("titel", "persoonsnaam"), ("tekst", "persoonsnaam"), ("tekst", "bsn")} <= fields
    assert body["redacted"]["titel"] == "Gesprek met [PERSOON-1]"
    assert body["redacted"]["tekst"] == "[PERSOON-1] belde. Haar BSN is [BSN-1]."
    assert sorted(p.name for p in ingested.settings.content_dir.iterdir()) == sorted(
        p.name for p in Path("tests/fixtures/corpus").iterdir()
    )
    accepted = client.post(
        "/api/cases", json={**payload, "titel": body["redacted"]["titel"], "tekst": body["redacted"]["tekst"]}
    )
    assert accepted.status_code == 201


def test_api_creates_case(client: TestClient, ingested: KnowledgeBase) -> None:
    response = client.post("/api/cases", json=NEW_CASE)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id"] == "2025-03-thuiszitter-wacht-op-onderwijs-zorgarrangement"
    assert response.headers["location"] == f"/api/cases/{body['id']}"
    assert (ingested.settings.content_dir / f"{body['id']}.md").is_file()
    assert body["lessen_casus"] == ["Begin klein, met twee ochtenden."]
    assert "grens.jeugdwet-onderwijs" in body["blokkades"]
    assert client.get("/api/search", params={"q": "thuiszitter"}).json()["total"] >= 3
    assert check(ingested) == []
    again = client.post("/api/cases", json={**NEW_CASE, "id": body["id"]})
    assert again.status_code == 409 and again.json()["code"] == "bestaat-al"


@pytest.mark.parametrize(
    ("change", "code", "detail"),
    [
        ({"soort": "casusbespreeking"}, "ongeldige-casus", "soort 'casusbespreeking' is onbekend"),
        ({"datum": "2025-13"}, "ongeldige-casus", "datum '2025-13' is ongeldig"),
        ({"blokkades": ["schulden"]}, "ongeldige-casus", "bedoelde u bestaanszekerheid.schulden?"),
        ({"titel": None}, "ongeldige-invoer", "titel moet tekst zijn"),
    ],
)
def test_api_rejects_invalid_cases(client: TestClient, change: dict[str, object], code: str, detail: str) -> None:
    response = client.post("/api/cases", json={**NEW_CASE, **change})
    assert response.status_code == 422
    assert response.json()["code"] == code and detail in response.json()["detail"]


def test_web_form_refuses_keeps_everything_and_accepts_redacted(client: TestClient, ingested: KnowledgeBase) -> None:
    form = {
        "titel": "Wachtlijst jeugd-ggz",
        "soort": "casusbespreking",
        "datum": "2025-04",
        "blokkades": ["aanbod.wachtlijst"],
        "lessen_systeem": "Eén wachtlijst per regio, niet per aanbieder.\nTweede les.",
        "tekst": f"Moeder ({NAME}) belt elke week. Haar zoon wacht al negen maanden.",
    }
    refused = client.post("/nieuw", data=form)
    assert refused.status_code == 422
    html = refused.text
    assert "Niet opgeslagen: de tekst bevat persoonsgegevens" in html
    assert f'<mark class="entiteit entiteit-persoonsnaam" title="persoonsnaam">{NAME}</mark>' in html
    # Everything typed is still in the form.
    assert f"Moeder ({NAME}) belt elke week." in html
    assert "Eén wachtlijst per regio, niet per aanbieder.\nTweede les." in html
    assert 'value="aanbod.wachtlijst" checked' in html
    # The one-click form carries the redacted values.
    accept = html.split('class="accept-redacted"', 1)[1].split("</form>", 1)[0]
    assert 'value="Moeder ([PERSOON-1]) belt elke week. Haar zoon wacht al negen maanden."' in accept
    saved = client.post(
        "/nieuw",
        data={**form, "tekst": "Moeder ([PERSOON-1]) belt elke week. Haar zoon wacht al negen maanden."},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    page = client.get(saved.headers["location"]).text
    assert "De casus is opgeslagen" in page and "[PERSOON-1]" in page


def test_web_form_shows_validation_errors(client: TestClient) -> None:
    response = client.post("/nieuw", data={"titel": "X", "soort": "", "datum": "morgen", "tekst": "Tekst."})
    assert response.status_code == 422
    assert "De casus is nog niet compleet" in response.text
    assert "datum &#39;morgen&#39; is ongeldig" in response.text
    assert 'value="X"' in response.text


# -- redaction that keeps the text, and the author's "geen persoonsgegeven" (#13) -----------------

GOLDEN = Path(__file__).parent / "golden" / "redactie"
ISSUE_TITLE = "Thuiszitter Jeroen de Vries (15)"
ISSUE_BODY = (
    "Moeder Sandra de Vries woont aan de Lindenlaan 12 in Utrecht. Jeroen zit sinds een jaar thuis.\n"
    "\n## Afspraken\n\n"
    "Jeroen start na de kerstvakantie op de nieuwe school. Sandra belt de school elke week.\n"
)
ISSUE_BODY_REDACTED = (
    "Moeder [PERSOON-2] woont aan de [ADRES-1] in Utrecht. [PERSOON-1] zit sinds een jaar thuis.\n"
    "\n## Afspraken\n\n"
    "[PERSOON-1] start na de kerstvakantie op de nieuwe school. [PERSOON-2] belt de school elke week.\n"
)


def test_check_writes_the_golden_redaction(tmp_path: Path) -> None:
    runner = CliRunner()
    for source in sorted(GOLDEN.glob("*.md")):
        if source.stem.endswith(".verwacht"):
            continue
        out = tmp_path / source.name
        runner.invoke(app, ["check", str(source), "--write-redacted", str(out)])
        assert out.read_bytes() == (GOLDEN / f"{source.stem}.verwacht.md").read_bytes(), source.name


def test_check_flag_marks_a_warning(tmp_path: Path) -> None:
    draft = tmp_path / "concept.md"
    draft.write_text("---\ntitel: Overleg\n---\nRoos en de wijkcoach spraken af.\n", encoding="utf-8")
    runner = CliRunner()
    warned = json.loads(runner.invoke(app, ["check", str(draft), "--json"]).output)
    assert warned["ok"] and [(f["text"], f["blocking"]) for f in warned["findings"]] == [("Roos", False)]
    out = tmp_path / "gemarkeerd.md"
    marked = runner.invoke(app, ["check", str(draft), "--geen-persoonsgegeven", "Roos", "--write-redacted", str(out)])
    assert marked.exit_code == 0
    assert "geen_persoonsgegevens: [Roos]\n" in out.read_text(encoding="utf-8")
    assert json.loads(runner.invoke(app, ["check", str(out), "--json"]).output)["findings"] == []


def test_api_redaction_keeps_the_text_and_the_id_never_comes_from_a_placeholder(
    client: TestClient, ingested: KnowledgeBase
) -> None:
    payload = {**NEW_CASE, "titel": ISSUE_TITLE, "tekst": ISSUE_BODY, "datum": "2025-06"}
    refused = client.post("/api/cases", json=payload)
    assert refused.status_code == 422
    redacted = refused.json()["redacted"]
    assert redacted["titel"] == "Thuiszitter [PERSOON-1] (15)"
    assert redacted["tekst"] == ISSUE_BODY_REDACTED
    accepted = client.post("/api/cases", json={**payload, "titel": redacted["titel"], "tekst": redacted["tekst"]})
    assert accepted.status_code == 201, accepted.json()
    case_id = accepted.json()["id"]
    assert case_id == "2025-06-thuiszitter-15" and "persoon" not in case_id
    stored = (ingested.settings.content_dir / f"{case_id}.md").read_text(encoding="utf-8")
    assert stored.endswith(ISSUE_BODY_REDACTED) and "titel: Thuiszitter [PERSOON-1] (15)\n" in stored
    assert client.get("/api/search", params={"q": "thuiszitter"}).json()["total"] >= 1


def test_api_records_geen_persoonsgegeven_with_the_case(client: TestClient, ingested: KnowledgeBase) -> None:
    body = "Roos en de wijkcoach spraken af dat de jongen weer naar school gaat."
    payload = {**NEW_CASE, "titel": "Terug naar school", "tekst": body, "geen_persoonsgegevens": ["Roos", "Jeroen"]}
    created = client.post("/api/cases", json=payload)
    assert created.status_code == 201, created.json()
    stored = (ingested.settings.content_dir / f"{created.json()['id']}.md").read_text(encoding="utf-8")
    assert "geen_persoonsgegevens:\n- Roos\n" in stored  # only marks that match a warning are kept
    assert "Jeroen" not in stored
    assert not [i for i in ingest(ingested).issues if "geen_persoonsgegevens" in str(i)]


def test_web_form_asks_to_check_warnings_and_marks_them_in_one_click(
    client: TestClient, ingested: KnowledgeBase
) -> None:
    form = {
        "titel": "Terug naar school",
        "soort": "casusbespreking",
        "datum": "2025-04",
        "tekst": "Roos en de wijkcoach spraken af dat de jongen weer naar school gaat.",
    }
    check = client.post("/nieuw", data=form)
    assert check.status_code == 409
    assert "Nog niet opgeslagen: controleer 1 woord" in check.text
    one_click = check.text.split('class="mark-one"', 1)[1].split("</form>", 1)[0]
    assert 'name="geen_persoonsgegevens" value="Roos"' in one_click
    assert not any(p.name.startswith("2025-04") for p in ingested.settings.content_dir.iterdir())
    saved = client.post("/nieuw", data={**form, "geen_persoonsgegevens": "Roos"}, follow_redirects=False)
    assert saved.status_code == 303
    stored = ingested.settings.content_dir / "2025-04-terug-naar-school.md"
    assert "geen_persoonsgegevens:\n- Roos\n" in stored.read_text(encoding="utf-8")


def test_a_word_to_check_many_times_is_one_button_and_the_page_grows_with_the_text(client: TestClient) -> None:
    """Each place used to get its own form with the whole text in it: a 150,000-character text with
    8,000 warnings made a page of hundreds of megabytes and took 108 s."""
    text = "Roos en de wijkcoach spraken af. " * 600  # 19,800 characters, 600 times the same word
    form = {"titel": "Terug naar school", "soort": "casusbespreking", "datum": "2025-04", "tekst": text}
    check = client.post("/nieuw", data=form)
    assert check.status_code == 409
    assert "Nog niet opgeslagen: controleer 1 woord" in check.text
    assert check.text.count('value="Roos">Geen persoonsgegeven</button>') == 1
    assert "regel 1 in tekst (600 keer)" in check.text
    assert len(check.text) < 10 * len(text)


def test_web_form_keeps_lines_as_typed(client: TestClient, ingested: KnowledgeBase) -> None:
    form = {
        "titel": ISSUE_TITLE,
        "soort": "casusbespreking",
        "datum": "2025-07",
        "tekst": ISSUE_BODY.replace("\n", "\r\n"),  # as a browser sends a textarea
    }
    refused = client.post("/nieuw", data=form)
    assert refused.status_code == 422
    accept = refused.text.split('class="accept-redacted"', 1)[1].split("</form>", 1)[0]
    assert 'value="Thuiszitter [PERSOON-1] (15)"' in accept
    saved = client.post(
        "/nieuw",
        data={**form, "titel": "Thuiszitter [PERSOON-1] (15)", "tekst": ISSUE_BODY_REDACTED},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"].startswith("/casus/2025-07-thuiszitter-15")
    stored = (ingested.settings.content_dir / "2025-07-thuiszitter-15.md").read_text(encoding="utf-8")
    assert "\r" not in stored and stored.endswith(ISSUE_BODY_REDACTED)
