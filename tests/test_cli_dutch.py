"""The command line speaks Dutch: help, usage errors and ``leerlus info``; long commands show a
sign of life on stderr (only on a terminal, so scripts get clean output)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from kb.settings import Settings
from leerlus import cli, dutch
from leerlus.cli import app

runner = CliRunner()


def invoke(args: list[str]):  # type: ignore[no-untyped-def]
    return runner.invoke(app, args, prog_name="leerlus")


ENGLISH = re.compile(
    r"Usage|Options|Arguments|Commands|Show this message|\[required\]|\[default|Missing|No such|"
    r"Did you mean|Invalid value|Try '|Error|Input should|\[OPTIONS\]|COMMAND \[ARGS\]|"
    # the kind of value an option takes, as typer writes it: Python types or click's capitals
    r"<(?:str|int|float|bool|path|file|dir|datetime|list\[[^>]*\])>|\b(?:TEXT|INTEGER|FLOAT|BOOLEAN|PATH)\b"
)


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    monkeypatch.setenv("LEERLUS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LEERLUS_CONTENT_DIR", str(settings.content_dir))
    monkeypatch.setenv("COLUMNS", "200")


def commands() -> list[list[str]]:
    """Every command a user can ask help for, subcommands of groups (``gebruikers toevoegen``,
    ``audit controleer``) included."""
    import typer.main

    found: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:  # typer carries its own copy of click
        if path:
            found.append(path)
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                if not sub.hidden:
                    walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return sorted(found)


def test_every_summary_is_one_line() -> None:
    """The first paragraph of a command's help is its line in 'leerlus --help': a line break in it
    printed "per regio/team/hulpvraag/leeftijd," alone on a line."""
    import typer.main

    def walk(command: Any) -> Iterator[Any]:
        yield command
        for sub in getattr(command, "commands", {}).values():
            yield from walk(sub)

    for command in walk(typer.main.get_command(app)):
        first = (command.help or "").strip().split("\n\n")[0]
        assert "\n" not in first, command.name


def test_every_group_is_walked() -> None:
    assert ["gebruikers", "toevoegen"] in commands() and ["audit", "controleer"] in commands()


@pytest.mark.parametrize("args", [["--help"], *[[*path, "--help"] for path in commands()]], ids=" ".join)
def test_help_is_dutch(args: list[str]) -> None:
    result = invoke(args)
    assert result.exit_code == 0
    assert "Gebruik: leerlus" in result.output
    assert "Toon deze hulp en stop." in result.output
    assert not ENGLISH.search(result.output), ENGLISH.search(result.output)
    # a yes/no option is one flag, not typer's English pair "--statistiek --no-statistiek"
    assert "--no-" not in result.output and "no-" not in result.output.replace("geen-", "")


def test_value_kinds_are_words() -> None:
    help_text = invoke(["check", "--help"]).output
    assert "<tekst>..." in help_text and "<pad>" in help_text  # --geen-persoonsgegeven, --write-redacted
    assert "<getal>" in invoke(["search", "--help"]).output
    assert [dutch.dutch_type(t) for t in ("<str>", "<list[str]>", "<int>...", "<bool>", "<maand|jaar>")] == [
        "<tekst>", "<tekst>...", "<getal>...", "", "<maand|jaar>"
    ]
    assert [dutch.dutch_range(*r) for r in ((1, None), (None, 5), (1, 50))] == [
        "minstens 1", "hoogstens 5", "1 tot en met 50"
    ]


def test_required_marker_is_dutch() -> None:
    result = invoke(["rapport", "--help"])
    assert "[verplicht]" in result.output or "*" in result.output


@pytest.mark.parametrize(
    ("args", "dutch"),
    [
        (["rapport"], "Ontbrekende optie '--van'."),
        (["bogus"], "Onbekende opdracht 'bogus'."),
        (["serach"], "Bedoelde u 'search'?"),
        (["search", "--bogus"], "Onbekende optie: --bogus"),
        (["search", "--limit", "x"], "Ongeldige waarde voor '--limit': geef een geheel getal"),
        (["show"], "Ontbrekend argument 'ID'."),
        (["search", "--limit"], "Optie '--limit' heeft een waarde nodig."),
    ],
)
def test_usage_errors_are_dutch(args: list[str], dutch: str) -> None:
    result = invoke(args)
    assert result.exit_code == 2
    assert dutch in result.output
    assert "Fout" in result.output
    assert not ENGLISH.search(result.output), result.output


def test_info_says_no_fallback_in_words() -> None:
    result = invoke(["info"])
    assert result.exit_code == 0
    assert "None" not in result.output and "['" not in result.output
    assert "terugval: geen" in result.output


def test_long_commands_show_a_sign_of_life_on_a_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    draft = tmp_path / "concept.md"
    draft.write_text("Het CIZ wees de Wlz-aanvraag af; de gemeente betaalt niet.", encoding="utf-8")
    stderr = StringIO()
    monkeypatch.setattr(cli, "err", Console(file=stderr, force_terminal=True))
    assert invoke(["precedents", str(draft)]).exit_code == 0
    assert "precedenten zoeken" in stderr.getvalue()
    assert invoke(["check", str(draft)]).exit_code in (0, 1)
    assert "Controleren op persoonsgegevens" in stderr.getvalue()


def test_no_progress_text_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    draft = tmp_path / "concept.md"
    draft.write_text("Het CIZ wees de Wlz-aanvraag af.", encoding="utf-8")
    result = invoke(["precedents", str(draft), "--json"])
    assert result.exit_code == 0 and result.output.lstrip().startswith("{")


@pytest.mark.parametrize(
    ("args", "dutch"),
    [
        (["export", "--uit", "{tmp}/bestaat/niet/export.json"], "bestaat niet (of de map erboven bestaat niet)"),
        (["import", "{tmp}"], "is een map, geen bestand"),
        (["import", "{tmp}/weg.json"], "'{tmp}/weg.json': bestaat niet"),
        (["check", "{tmp}"], "is een map; geef een bestand"),
    ],
)
def test_file_errors_are_dutch_and_name_the_file(tmp_path: Path, args: list[str], dutch: str) -> None:
    """A file that cannot be read or written is named, with the reason in Dutch: no traceback
    and no "No such file or directory"."""
    result = runner.invoke(app, [a.replace("{tmp}", str(tmp_path)) for a in args], prog_name="leerlus")
    shown = cli_error(result)
    assert dutch.replace("{tmp}", str(tmp_path)) in shown
    assert "Traceback" not in shown and "No such file" not in shown and "Is a directory" not in shown


def cli_error(result: Any) -> str:
    """What ``leerlus`` prints for an error that ends a command (as :func:`leerlus.cli.run` does)."""
    from kb.errors import LeerlusError

    if isinstance(result.exception, LeerlusError):
        return f"fout: {result.exception.detail}"
    if isinstance(result.exception, OSError):
        return f"fout: {dutch.os_error(result.exception)}"
    return result.output


def test_run_turns_a_file_error_into_dutch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Any) -> None:
    monkeypatch.setattr("sys.argv", ["leerlus", "export", "--uit", str(tmp_path / "geen" / "map" / "x.json")])
    assert cli.run() == 2
    assert f"fout: '{tmp_path / 'geen' / 'map' / 'x.json'}': bestaat niet" in capsys.readouterr().err


def test_a_page_beyond_the_last_is_named(ingested_cli: None) -> None:
    result = invoke(["search", "onderwijs", "--page", "99"])
    assert result.exit_code == 0
    assert "pagina 99 bestaat niet" in result.output and "van 1)" not in result.output
    assert "casus(sen)" not in invoke(["search", "onderwijs"]).output


def test_analyze_lists_each_concept_once_without_developer_text() -> None:
    text = "Het CIZ wees de Wlz-aanvraag af. De gemeente vindt dat de Wlz moet betalen."
    result = runner.invoke(app, ["analyze", "-"], input=text, prog_name="leerlus")
    assert result.exit_code == 0
    assert "pijplijn" not in result.output and "spacy" not in result.output
    assert result.output.count("Wet langdurige zorg") == 1 and "(2 keer)" in result.output
    assert "INSTANTIE" not in result.output and "instantie" in result.output


@pytest.fixture
def ingested_cli() -> None:
    assert invoke(["ingest"]).exit_code == 0
