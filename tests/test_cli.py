"""The ``leerlus`` command: exit codes, Dutch output, and the JSON contract shared with the API."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kb.settings import Settings
from leerlus.cli import app
from tests.conftest import signed_in

runner = CliRunner()


@pytest.fixture
def env(make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = make_settings()
    monkeypatch.setenv("LEERLUS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LEERLUS_CONTENT_DIR", str(settings.content_dir))
    return settings


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_ingest_search_show_doctor(env: Settings) -> None:
    result = run("ingest")
    assert result.exit_code == 0, result.output
    assert "Klaar: 4 nieuw, 0 bijgewerkt, 0 verwijderd, 0 ongewijzigd, 0 mislukt." in result.output
    assert "onbekende casus '2019-01-bestaat-niet'" in result.output

    found = run("search", "thuiszitters")
    assert found.exit_code == 0 and "Thuiszitter (12) zonder school" in found.output
    assert "2021-05-thuiszitter-swv · Casusbespreking · 2021-05 · aangehaald door 1" in found.output

    shown = run("show", "2022-09-wlz-indicatie")
    assert "verwijst naar:" in shown.output and "2021-05-thuiszitter-swv" in shown.output

    doctor = run("doctor")
    assert doctor.exit_code == 0 and "Alles klopt" in doctor.output


def test_search_json_equals_api(env: Settings) -> None:
    from api.app import create_app

    run("ingest")
    cli = json.loads(run("search", "thuiszitter", "--json", "--filter", "regio=Utrecht").output)
    with signed_in(create_app(Settings())) as client:
        api = client.get("/api/search", params={"q": "thuiszitter", "regio": "Utrecht"}).json()
    assert cli == api
    assert [h["id"] for h in cli["hits"]] == ["2021-05-thuiszitter-swv", "2024-11-achttien-plus"]


def test_show_json(env: Settings) -> None:
    run("ingest")
    data = json.loads(run("show", "2024-11-achttien-plus", "--json").output)
    assert data["id"] == "2024-11-achttien-plus" and data["soort"] == "escalatie"


def test_failed_file_gives_nonzero_exit(env: Settings) -> None:
    (env.content_dir / "2020-01-kapot.md").write_text("---\nsoort: x\n---\n", encoding="utf-8")
    result = run("ingest")
    assert result.exit_code == 1
    assert "2020-01-kapot.md:2: verplicht veld 'titel' ontbreekt" in result.output
    assert "4 nieuw" in result.output and "1 mislukt" in result.output


def test_doctor_reports_drift(env: Settings) -> None:
    run("ingest")
    (env.content_dir / "2023-02-schulden-huur.md").write_text(
        (env.content_dir / "2023-02-schulden-huur.md").read_text() + "\nExtra regel.\n"
    )
    result = run("doctor", "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["ok"] is False and data["afwijkingen"][0]["soort"] == "verouderd"
    assert run("reindex").exit_code == 0
    assert run("doctor").exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "bestaat-niet"], "fout: casus 'bestaat-niet' bestaat niet"),
        (["search", "x", "--filter", "kleur=rood"], "fout: onbekend filterveld 'kleur'"),
        (["search", "x", "--van", "gisteren"], "fout: van 'gisteren' is geen datum"),
        (
            ["search", "x", "--filter", "regio"],
            "fout: filter 'regio' heeft niet de vorm veld=waarde",
        ),
    ],
)
def test_errors_are_dutch_and_exit_2(
    env: Settings,
    args: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from leerlus.cli import run as run_cli

    run("ingest")
    capsys.readouterr()
    monkeypatch.setattr("sys.argv", ["leerlus", *args])
    assert run_cli() == 2
    assert message in capsys.readouterr().err


def test_info(env: Settings) -> None:
    run("ingest")
    data = json.loads(run("info", "--json").output)
    assert data["casussen"] == 4
    assert "kb/data/blokkades.yaml" in data["gegevensbestanden"]


def test_ingest_argument_overrides_content_dir(env: Settings, tmp_path: Path) -> None:
    other = tmp_path / "ander"
    other.mkdir()
    (other / "2020-01-x.md").write_text("---\ntitel: X\nsoort: escalatie\ndatum: 2020-01\n---\nx", encoding="utf-8")
    result = run("ingest", str(other))
    assert "1 nieuw" in result.output


def test_patterns_report_export_import(env: Settings, tmp_path: Path) -> None:
    run("ingest")
    as_json = json.loads(run("patterns", "--per", "jaar", "--json").output)
    assert as_json["casussen"] == 4 and as_json["per"] == "jaar"
    matrix = run("patterns", "--tabel", "matrix", "--csv").output.splitlines()
    assert matrix[0].startswith("code,Wet,Jeugdwet")
    utrecht = json.loads(run("patterns", "-f", "regio=Utrecht", "--json").output)
    assert utrecht["casussen"] == 2  # 2021-05 and 2024-11
    text = run("patterns", "--tabel", "trend")
    assert text.exit_code == 0 and "Trend tegen de vorige periode" in text.output

    report = run("rapport", "--van", "2021-01", "--tot", "2024-12")
    assert report.exit_code == 0 and "# Verantwoordingsrapportage 2021-01 – 2024-12" in report.output
    html_file = tmp_path / "rapport.html"
    run("rapport", "--van", "2021", "--tot", "2024", "--formaat", "html", "--uit", str(html_file))
    standalone = html_file.read_text(encoding="utf-8")
    assert "<svg" in standalone and "@media print" in standalone  # the style sheet travels inside the file
    data = json.loads(run("rapport", "--van", "2022-01", "--tot", "2022-12", "--formaat", "json").output)
    assert data["casussen"] == 1

    from kb.knowledge import KnowledgeBase

    kb = KnowledgeBase(env)
    kb.create_signal(
        titel="Eén loket", adressaat="gemeente-beleid", blokkades=["bestaanszekerheid.schulden"], casussen=[], wie="CLI"
    )
    kb.close()
    exported = tmp_path / "export.json"
    assert run("export", "--uit", str(exported)).exit_code == 0
    assert json.loads(exported.read_text(encoding="utf-8"))["signalen"][0]["titel"] == "Eén loket"
    again = run("import", str(exported))
    assert "0 signalen" in again.output and "1 overgeslagen" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["patterns", "--per", "week"], "periode 'week' is onbekend"),
        (["patterns", "-f", "kleur=rood"], "onbekend filterveld 'kleur'"),
        (["patterns", "--tabel", "taart"], "tabel 'taart' bestaat niet"),
        (["rapport", "--van", "2024-13", "--tot", "2024-12"], "geen maand"),
        (["rapport", "--van", "2024", "--tot", "2024", "--formaat", "pdf"], "formaat 'pdf' is onbekend"),
        (["import", "bestaat/niet.json"], "'bestaat/niet.json': bestaat niet"),
    ],
)
def test_loop_commands_fail_in_dutch(
    env: Settings, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from leerlus.cli import run as run_cli

    monkeypatch.setattr("sys.argv", ["leerlus", *args])
    assert run_cli() == 2
    assert message in capsys.readouterr().err
