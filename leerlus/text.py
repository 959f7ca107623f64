"""Plain-text rendering of search results and cases for the terminal (the CLI's view layer)."""

from __future__ import annotations

import re

from rich.console import Console

from ingest.pipeline import Analysis
from kb.models import CaseDetail
from kb.search import SearchResult

MARK = re.compile(r"</?mark[^>]*>")


def _plain(snippet: str) -> str:
    import html

    return html.unescape(MARK.sub("", snippet))


def print_search(console: Console, result: SearchResult) -> None:
    if not result.total:
        console.print("Geen casussen gevonden. Probeer minder of andere woorden.")
        return
    console.print(f"{result.total} casus(sen) gevonden (pagina {result.page} van {result.pages}).")
    for hit in result.hits:
        console.print()
        console.print(f"[bold]{hit.titel}[/bold]")
        console.print(f"  {hit.id} · {hit.soort} · {hit.datum}", markup=False, highlight=False)
        for snippet in hit.snippets[:2]:
            console.print(f"  … {_plain(snippet)}", markup=False, highlight=False)


def print_case(console: Console, case: CaseDetail) -> None:
    console.print(f"[bold]{case.titel}[/bold]")
    rows = [
        ("id", case.id), ("soort", case.soort), ("datum", case.datum), ("regio", case.regio),
        ("team", case.team), ("leeftijd", case.leeftijdscategorie),
        ("hulpvraag", ", ".join(case.hulpvraag)), ("wetten", ", ".join(case.wetten)),
        ("blokkades", ", ".join(case.blokkades)), ("besluit", case.besluit),
        ("mandaat", case.mandaat), ("uitkomst", case.uitkomst), ("bestand", case.path),
    ]  # fmt: skip
    for label, value in rows:
        if value:
            console.print(f"{label:>10}: {value}", markup=False, highlight=False)
    for label, links in (("verwijst naar", case.links_out), ("aangehaald door", case.links_in)):
        if links:
            console.print(f"{label}:")
            for link in links:
                title = link.titel or "(onbekende casus)"
                console.print(f"  - {link.id}: {title}", markup=False, highlight=False)


def print_analysis(console: Console, name: str | None, analysis: Analysis) -> None:
    if name:
        console.print(f"[bold]{name}[/bold]")
    entities = [e for e in analysis.entities if e.canonical]
    if entities:
        console.print("Herkende begrippen:")
        for e in entities:
            console.print(f"  {e.label:<12} {e.text}  →  {e.canonical}", markup=False, highlight=False)
    else:
        console.print("Geen wetten, instanties of voorzieningen herkend.")
    if analysis.blockers:
        console.print("Blokkades:")
        for b in analysis.blockers:
            console.print(f"  {b.code} ({b.label})", markup=False, highlight=False)
            console.print(f'    "{" ".join(b.evidence.split())}"', markup=False, highlight=False)
    else:
        console.print("Geen blokkades herkend.")
    console.print(f"[dim]pijplijn: {analysis.pipeline}[/dim]")
