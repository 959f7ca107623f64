"""The ``leerlus dossier`` command: the expertteam's adviesdossier on the command line.

Reads the facts of a request from a file or standard input (gated, never stored), builds the
comparison table of earlier advice on the boundary, and prints it as Markdown or JSON.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from leerlus.progress import busy, load_gate, load_pipeline
from leerlus.text import json_text

err = Console(stderr=True, soft_wrap=True)


def register(app: typer.Typer, make_kb: Any) -> None:
    """Add ``dossier`` to ``app``; ``make_kb()`` opens the knowledge base."""

    @app.command()
    def dossier(
        grens: Annotated[str | None, typer.Option(help="Blokkadecode van de grens, bijv. grens.jeugdwet-wlz.")] = None,
        feiten: Annotated[
            str | None, typer.Option(metavar="BESTAND", help="De feiten van de adviesvraag; - voor standaardinvoer.")
        ] = None,
        leeftijd: Annotated[str | None, typer.Option(help="Leeftijdscategorie, bijv. 12-18.")] = None,
        hulpvraag: Annotated[str | None, typer.Option(help="Hulpvraagcode.")] = None,
        zonder: Annotated[
            list[str] | None, typer.Option(help="Casus-id die uit het dossier gaat (herhaalbaar).")
        ] = None,
        met: Annotated[list[str] | None, typer.Option(help="Casus-id die erbij komt (herhaalbaar).")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Antwoord als JSON.")] = False,
    ) -> None:
        """Adviesdossier: eerdere bindende adviezen, maatwerkbesluiten en escalaties op dezelfde grens."""
        from ingest.dossier import dossier_for
        from ingest.submit import PersonalDataRefused

        kb = make_kb()
        text = ""
        if feiten == "-":
            text = sys.stdin.read()
        elif feiten:
            text = Path(feiten).read_text(encoding="utf-8")
        gate, pipeline = load_gate(err, kb.settings), load_pipeline(err, kb.settings)
        try:
            with busy(err, "Feiten controleren en het dossier samenstellen…"):
                result = dossier_for(
                    kb, gate=gate, pipeline=pipeline, feiten=text, grens=grens, leeftijdscategorie=leeftijd,
                    hulpvraag=hulpvraag, zonder=zonder or [], met=met or [],
                )  # fmt: skip
        except PersonalDataRefused as refused:
            err.print(f"fout: {refused.detail}; draai 'leerlus check {feiten}' voor de vondsten", markup=False)
            raise typer.Exit(1) from None
        sys.stdout.write(json_text(result.to_dict()) if as_json else result.to_markdown(kb.taxonomy.facet_label))
