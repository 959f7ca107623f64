"""Plain-text rendering of search results and cases for the terminal (the CLI's view layer)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from kb.errors import LeerlusError

if TYPE_CHECKING:  # the CLI imports this module at start-up; spaCy and deduce load on use
    from ingest.gate import GateResult
    from ingest.pipeline import Analysis
    from kb.models import CaseDetail
    from kb.search import SearchResult

MARK = re.compile(r"</?mark[^>]*>")
Label = Callable[[str, str], str]  # (facet field, code) -> Dutch label, e.g. Taxonomy.facet_label


def _as_is(field: str, code: str) -> str:
    return code


def json_text(data: object) -> str:
    """The CLI's JSON: readable, UTF-8 as is, one trailing newline."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _plain(snippet: str) -> str:
    import html

    return html.unescape(MARK.sub("", snippet))


CUT_NOTE = "De zoekvraag was te lang: gezocht op de eerste 1.000 tekens, lange woorden op hun eerste 50 tekens."


def print_search(console: Console, result: SearchResult, label: Label = _as_is) -> None:
    if result.afgekapt:
        console.print(CUT_NOTE, markup=False, highlight=False)
    if not result.total:
        console.print("Geen casussen gevonden. Probeer minder of andere woorden.")
        return
    found = f"{result.total} {'casus' if result.total == 1 else 'casussen'} gevonden"
    if result.page > result.pages:
        pages = f"{result.pages} pagina{'' if result.pages == 1 else chr(39) + 's'}"
        console.print(f"{found}, maar pagina {result.page} bestaat niet: deze zoekopdracht heeft {pages}.")
        return
    console.print(f"{found} (pagina {result.page} van {result.pages}).")
    for hit in result.hits:
        console.print()
        console.print(f"[bold]{hit.titel}[/bold]")
        cited = f" · aangehaald door {hit.aangehaald}" if hit.aangehaald else ""
        kind = label("soort", hit.soort)
        console.print(f"  {hit.id} · {kind} · {hit.datum}{cited}", markup=False, highlight=False)
        for snippet in hit.snippets[:2]:
            console.print(f"  … {_plain(snippet)}", markup=False, highlight=False)


def print_case(console: Console, case: CaseDetail, label: Label = _as_is) -> None:
    console.print(f"[bold]{case.titel}[/bold]")
    rows = [
        ("id", case.id), ("soort", label("soort", case.soort)), ("datum", case.datum), ("regio", case.regio),
        ("team", case.team), ("leeftijd", case.leeftijdscategorie),
        ("hulpvraag", ", ".join(label("hulpvraag", h) for h in case.hulpvraag)), ("wetten", ", ".join(case.wetten)),
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
    from web.routes import blockers_once, concepts_once

    concepts = concepts_once(analysis.entities)
    if concepts:
        console.print("Herkende begrippen:")
        for c in concepts:
            times = f" ({c.count} keer)" if c.count > 1 else ""
            shown = f"{', '.join(c.texts)}  →  {c.canonical}{times}"
            console.print(f"  {c.kind:<12} {shown}", markup=False, highlight=False)
    else:
        console.print("Geen wetten, instanties of voorzieningen herkend.")
    if analysis.blockers:
        console.print("Blokkades:")
        for b in blockers_once(analysis.blockers):
            console.print(f"  {b.label} ({b.code})", markup=False, highlight=False)
            for sentence in b.evidence:
                console.print(f'    "{sentence}"', markup=False, highlight=False)
    else:
        console.print("Geen blokkades herkend.")


def print_check(console: Console, name: str | None, result: GateResult) -> None:
    label = name or "invoer"
    if not result.findings:
        console.print(f"{label}: geen persoonsgegevens gevonden.", markup=False, highlight=False)
        return
    verdict = "geweigerd" if not result.ok else "toegestaan, met waarschuwingen"
    console.print(f"{label}: {verdict}", markup=False, highlight=False)
    for f in result.findings:
        kind = "BLOKKEERT" if f.blocking else "let op"
        console.print(f"  regel {f.line}: {f.label} {f.text!r} ({kind})", markup=False, highlight=False)
    if not result.ok:
        console.print("  Gebruik --write-redacted BESTAND voor een geanonimiseerde kopie.", markup=False)


def write_redacted_copies(results: list[tuple[str | None, GateResult]], target: Path) -> list[Path]:
    """Write the redacted texts: to ``target`` for one input, into ``target`` (a folder) for more.
    An input file is never overwritten."""
    written = []
    many = len(results) > 1 or target.is_dir()
    if many:
        target.mkdir(parents=True, exist_ok=True)
    for name, result in results:
        path = target / Path(name or "invoer.md").name if many else target
        if name is not None and path.resolve() == Path(name).resolve():
            raise LeerlusError(
                f"'{path}' is het origineel; kies een ander doel, het origineel wordt nooit overschreven"
            )
        path.write_text(result.redacted, encoding="utf-8")
        written.append(path)
    return written
