"""Commands of the learning loop for the ``leerlus`` CLI: ``patterns``, ``rapport``, ``export`` and
``import``. Thin wrappers like the rest of :mod:`leerlus.cli`; registered on its app."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table as RichTable

from kb.errors import InvalidInput
from kb.patterns import Table, pattern_request
from kb.search import parse_filter_args
from leerlus.dutch import os_error
from leerlus.text import json_text

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def register(app: typer.Typer, make_kb: Any) -> None:
    """Add the loop commands to ``app``; ``make_kb()`` opens the knowledge base."""

    @app.command()
    def patterns(
        per: Annotated[str, typer.Option(help="maand, kwartaal of jaar.")] = "kwartaal",
        filter: Annotated[list[str] | None, typer.Option("--filter", "-f", help="veld=waarde, herhaalbaar.")] = None,
        van: Annotated[str | None, typer.Option(help="Vanaf (JJJJ, JJJJ-MM of JJJJ-MM-DD).")] = None,
        tot: Annotated[str | None, typer.Option(help="Tot en met.")] = None,
        drempel: Annotated[int, typer.Option(help="Terugkerend: ten minste zoveel casussen.")] = 3,
        venster: Annotated[int, typer.Option(help="Terugkerend: binnen zoveel maanden.")] = 12,
        tabel: Annotated[str | None, typer.Option(help="Alleen deze tabel (bijvoorbeeld matrix).")] = None,
        as_csv: Annotated[bool, typer.Option("--csv", help="De tabel als CSV (met --tabel).")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Antwoord als JSON.")] = False,
        suggesties: Annotated[
            bool, typer.Option("--inclusief-suggesties", help="Tel ook gesuggereerde blokkades mee.")
        ] = False,
    ) -> None:
        """Patronen: welke blokkades terugkomen, waar en hoe vaak.

        Blokkades per periode, trend, per regio/team/hulpvraag/leeftijd, knelpuntenmatrix, samen
        voorkomend en terugkerend. Standaard alleen vastgestelde blokkades."""
        params: dict[str, list[str]] = {k: v for k, v in parse_filter_args(filter or []).items()}
        for name, value in (
            ("per", per),
            ("van", van),
            ("tot", tot),
            ("drempel", str(drempel)),
            ("venster", str(venster)),
        ):
            if value:
                params[name] = [value]
        if suggesties:
            params["suggesties"] = ["1"]
        unknown = set(params) - {"per", "van", "tot", "drempel", "venster", "suggesties"} - set(_facet_fields())
        if unknown:
            raise InvalidInput(f"onbekend filterveld '{sorted(unknown)[0]}'; kies uit {', '.join(_facet_fields())}")
        wanted = pattern_request(lambda name: params.get(name, []))
        kb = make_kb()
        result = kb.patterns(wanted)
        tables = result.tabellen
        if tabel is not None:
            if tabel not in tables:
                raise InvalidInput(f"tabel '{tabel}' bestaat niet; kies uit {', '.join(tables)}")
            tables = {tabel: tables[tabel]}
        if as_csv:
            if len(tables) != 1:
                raise InvalidInput("--csv werkt met één tabel; kies er een met --tabel")
            sys.stdout.write(next(iter(tables.values())).to_csv())
            return
        if as_json:
            sys.stdout.write(json_text(result.to_dict() if tabel is None else tables[tabel].to_dict()))
            return
        compared = f"; {result.huidig} tegen {result.vorig}" if result.huidig and result.vorig else ""
        out.print(f"{result.casussen} {'casus' if result.casussen == 1 else 'casussen'}{compared}.", markup=False)
        if result.onvolledig:  # as /patronen says it: no silent comparison of 11 months with 12
            out.print(f"Let op, de periodes zijn niet even lang: {'; '.join(result.onvolledig)}.", markup=False)
        if result.toegevoegd:
            label = kb.taxonomy.facet_label
            extra = ", ".join(f"{label('blokkades', code)} +{n}" for code, n in sorted(result.toegevoegd.items()))
            out.print(f"Inclusief suggesties; die voegen toe: {extra}.", markup=False)
        for table in tables.values():
            _print_table(table)

    @app.command()
    def rapport(
        van: Annotated[str, typer.Option(help="Eerste maand (JJJJ-MM of JJJJ).")],
        tot: Annotated[str, typer.Option(help="Laatste maand (JJJJ-MM of JJJJ).")],
        formaat: Annotated[str, typer.Option(help="md, html of json.")] = "md",
        uit: Annotated[Path | None, typer.Option(help="Schrijf naar dit bestand in plaats van het scherm.")] = None,
    ) -> None:
        """Verantwoordingsrapportage over een periode.

        Casussen, blokkades met trend, knelpuntenmatrix, signalen en tijd per status."""
        from kb.report import build_report

        if formaat not in ("md", "html", "json"):
            raise InvalidInput(f"formaat '{formaat}' is onbekend; kies md, html of json")
        report = build_report(make_kb(), van, tot)
        if formaat == "json":
            text = json_text(report.to_dict())
        elif formaat == "md":
            text = report.to_markdown()
        else:
            from web.report_page import standalone_html

            text = standalone_html(report)
        _deliver(text, uit, "Rapport")

    @app.command(name="export")
    def export_data(
        uit: Annotated[Path | None, typer.Option(help="Bestand; standaard het scherm.")] = None,
    ) -> None:
        """Exporteer signalen (met geschiedenis) en bewaarde zoekopdrachten als JSON."""
        _deliver(json_text(make_kb().export_userdata()), uit, "Export")

    @app.command(name="import")
    def import_data(
        bestand: Annotated[Path, typer.Argument(metavar="BESTAND", help="Een bestand van 'leerlus export'.")],
    ) -> None:
        """Importeer een export; wat er al is wordt overgeslagen, niets wordt overschreven."""
        try:
            data = json.loads(bestand.read_text(encoding="utf-8"))
        except OSError as error:
            raise InvalidInput(os_error(error)) from None
        except json.JSONDecodeError as error:
            raise InvalidInput(f"{bestand} is geen geldige JSON (regel {error.lineno})") from None
        from ingest.userdata_gate import import_userdata

        counts = import_userdata(make_kb(), data)
        out.print(
            f"Geïmporteerd: {counts['signalen']} signalen, {counts['zoekopdrachten']} zoekopdrachten; "
            f"{counts['overgeslagen']} overgeslagen (bestonden al).",
            markup=False,
        )


def _deliver(text: str, uit: Path | None, what: str) -> None:
    """``text`` to standard output, or to the file ``uit`` with a note on standard error."""
    if uit is None:
        sys.stdout.write(text)
        return
    uit.write_text(text, encoding="utf-8")
    err.print(f"{what} geschreven naar {uit}", markup=False)


def _facet_fields() -> tuple[str, ...]:
    from kb.records import FACET_FIELDS

    return FACET_FIELDS


def _print_table(table: Table) -> None:
    caption = table.toelichting or None
    shown = RichTable(title=table.titel, title_justify="left", caption=caption, caption_justify="left")
    shown.add_column(table.eerste_kolom)
    for column in table.kolommen:
        shown.add_column(column, justify="right")
    for row in table.rijen:
        shown.add_row(row.label, *(str(cell.value) for cell in row.cells))
    if not table.rijen:
        out.print(f"{table.titel}: geen gegevens", markup=False)
        return
    out.print(shown)
