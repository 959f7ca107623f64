"""Schema commands for the ``leerlus`` CLI: ``leerlus db upgrade`` and ``leerlus db status``. Thin
wrappers around :mod:`kb.migrations`, registered on the app of :mod:`leerlus.cli`.

Both open only the database (no search index, no gate): ``status`` changes nothing (exit code 1 when
the database is behind), ``upgrade`` brings the schema to the newest revision, which every other
command and ``leerlus serve`` also do by themselves before they start.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from kb import migrations
from kb.db import make_engine, upgrade_schema
from kb.settings import Settings
from leerlus.text import json_text

out = Console(soft_wrap=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Antwoord als JSON.")]


def register(app: typer.Typer) -> None:
    """Add ``db upgrade`` and ``db status`` to ``app``."""
    db = typer.Typer(help="Het databaseschema: migraties met alembic.", no_args_is_help=True)
    app.add_typer(db, name="db")

    @db.command("upgrade")
    def upgrade(as_json: JsonFlag = False) -> None:
        """Brengt het databaseschema naar de nieuwste revisie; gegevens blijven staan."""
        engine = make_engine(Settings().sql_url, upgrade=False)
        try:
            notes = upgrade_schema(engine)
            state = migrations.status(engine)
        finally:
            engine.dispose()
        if as_json:
            sys.stdout.write(json_text({**state.to_dict(), "wijzigingen": notes}))
            return
        for note in notes or ["niets te doen: het schema was al bijgewerkt"]:
            out.print(note, markup=False, highlight=False)
        out.print(f"revisie: {state.current}", markup=False, highlight=False)

    @db.command("status")
    def status(as_json: JsonFlag = False) -> None:
        """Toont de revisie van de database en de nieuwste; wijzigt niets (exitcode 1: niet bijgewerkt)."""
        engine = make_engine(Settings().sql_url, upgrade=False)
        try:
            state = migrations.status(engine)
        finally:
            engine.dispose()
        if as_json:
            sys.stdout.write(json_text(state.to_dict()))
        else:
            for line in state.lines():
                out.print(line, markup=False, highlight=False)
        if not state.up_to_date:
            raise typer.Exit(1)
