"""The ``leerlus beoordeel`` command: the review queue of suggested blockers on the command line.

Lists open suggestions (filter per code or team), confirms or rejects one (written into the case
file by :mod:`ingest.review`), or shows per code what people decided. No logic lives here.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console

from kb.errors import InvalidInput
from leerlus.text import json_text

out = Console(soft_wrap=True)


def register(app: typer.Typer, make_kb: Any) -> None:
    """Add ``beoordeel`` to ``app``; ``make_kb()`` opens the knowledge base."""

    @app.command()
    def beoordeel(
        blokkade: Annotated[str | None, typer.Option(help="Alleen suggesties met deze code.")] = None,
        team: Annotated[str | None, typer.Option(help="Alleen casussen van dit team.")] = None,
        bevestig: Annotated[
            tuple[str, str] | None, typer.Option(help="Bevestig: CASUS-ID CODE.", metavar="ID CODE")
        ] = None,
        wijs_af: Annotated[
            tuple[str, str] | None, typer.Option("--wijs-af", help="Wijs af: CASUS-ID CODE.", metavar="ID CODE")
        ] = None,
        wie: Annotated[str, typer.Option(help="Wie beslist (verplicht bij --bevestig en --wijs-af).")] = "",
        statistiek: Annotated[
            bool, typer.Option("--statistiek", help="Per blokkade: bevestigd, afgewezen, precisie.")
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Antwoord als JSON.")] = False,
    ) -> None:
        """Te beoordelen: gesuggereerde blokkades bevestigen of afwijzen."""
        kb = make_kb()
        if bevestig and wijs_af:
            raise InvalidInput("kies --bevestig of --wijs-af, niet allebei")
        chosen = ("bevestigd", bevestig) if bevestig else ("afgewezen", wijs_af) if wijs_af else None
        if chosen is not None:
            from ingest.gate import get_gate
            from ingest.review import decide
            from ingest.signal_gate import screen_signal_text

            screen_signal_text(get_gate(kb.settings.taxonomy_dir, kb.settings.spacy_model), {"wie": wie})
            beslissing, (case_id, code) = chosen[0], chosen[1]  # type: ignore[misc]
            current = kb.review_queue(code=code)
            shown = next((s for s in current.items if s.case_id == case_id), None)
            versie = shown.versie if shown else kb.case(case_id).versie
            decision = decide(kb, case_id=case_id, code=code, beslissing=beslissing, wie=wie, versie=versie)
            if as_json:
                out.file.write(json_text(decision.to_dict()))
            else:
                out.print(
                    f"{code} bij {case_id}: {beslissing} door {decision.wie}; in het bestand gezet.", markup=False
                )
            return
        if statistiek:
            stats = kb.review_stats()
            if as_json:
                out.file.write(json_text([s.to_dict() for s in stats]))
                return
            if not stats:
                out.print("Nog geen besluiten.", markup=False)
            for s in stats:
                share = f"{s.precisie:.0%}" if s.precisie is not None else "-"
                shown = kb.taxonomy.facet_label("blokkades", s.code)
                counts = f"{s.bevestigd} bevestigd, {s.afgewezen} afgewezen, precisie {share}"
                out.print(f"{shown} ({s.code}): {counts}", markup=False)
            return
        queue = kb.review_queue(code=blokkade, team=team)
        if as_json:
            out.file.write(json_text(queue.to_dict()))
            return
        out.print(f"{len(queue.items)} van {queue.totaal} open suggesties.", markup=False)
        for note in queue.notities.values():
            out.print(note, markup=False)
        for s in queue.items:
            where = f"{s.case_id} · {s.label} ({s.code}) · betrouwbaarheid {s.confidence:.0%}"
            out.print(f"\n{s.titel}\n  {where}", markup=False)
            for zin in s.evidence[:2]:
                out.print(f"    \u201c{zin}\u201d", markup=False)
        if queue.items:
            out.print("\nBeslis met: leerlus beoordeel --bevestig ID CODE --wie NAAM (of --wijs-af).", markup=False)
