"""HTML pages of the patterns stage: the "Patronen" dashboard for managers and the drill-down from
any number to the cases behind it.

Charts are server-side SVG (:mod:`web.charts`); every chart value and table cell links to
``/patronen/casussen?{selectie}``, which lists exactly the cases counted. Each table exports to CSV
and JSON through ``/api/patterns/{tabel}``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from api.deps import KBDep
from kb.patterns import PatternRequest, Patterns, Selection, Table, pattern_request, selection_from
from kb.periods import PERS
from web.charts import Bar, Cell, Point, Series, bar_chart, heatmap, line_chart
from web.routes import label_for, templates

router = APIRouter(include_in_schema=False)
FILTER_FIELDS = (
    ("regio", "Regio"),
    ("team", "Team"),
    ("hulpvraag", "Hulpvraag"),
    ("leeftijdscategorie", "Leeftijd"),
    ("soort", "Soort"),
)
LINES = 5


def drill(selection: Selection | None) -> str | None:
    return f"/patronen/casussen?{selection.query_string()}" if selection is not None else None


def base_params(wanted: PatternRequest) -> list[tuple[str, str]]:
    pairs = wanted.selectie.to_params() + [("per", wanted.per)]
    pairs += [
        (name, str(value))
        for name, value, default in (("drempel", wanted.drempel, 3), ("venster", wanted.venster, 12))
        if value != default
    ]
    return pairs


def charts(result: Patterns) -> dict[str, Markup]:
    """The dashboard's charts: this period's blockers, the time line, the matrix and the regions."""
    trend, timeline, matrix, regions = (result.tabellen[n] for n in ("trend", "tijdlijn", "matrix", "per-regio"))
    now = [
        Bar(row.label, int(row.cells[0].value), drill(row.cells[0].selection))
        for row in trend.rijen
        if row.cells[0].value
    ]
    lines = [
        Series(
            row.label,
            [Point(p, int(c.value), drill(c.selection)) for p, c in zip(timeline.kolommen, row.cells, strict=True)],
        )
        for row in timeline.rijen[1 : 1 + LINES]
    ]
    return {
        "huidig": bar_chart(now, title=f"Blokkades in {result.huidig}")
        if result.huidig
        else bar_chart([], title="Blokkades"),
        "tijdlijn": line_chart(lines, title=f"De {LINES} vaakste blokkades per {result.per}"),
        "matrix": matrix_chart(matrix),
        "regio": table_heatmap(regions, "Blokkades per regio", skip=1),
    }


def leaders(trend: Table) -> tuple[list[Any], int, str]:
    """The blockers that block the most cases in this period (all of them when tied), that number,
    and their names as a Dutch list ("A, B en C"; beyond four "A, B, C en nog 2 andere")."""
    top = max((int(row.cells[0].value) for row in trend.rijen), default=0)
    rows = [row for row in trend.rijen if top and row.cells[0].value == top]
    names = [row.label for row in rows]
    if len(names) > 4:
        names = [*names[:3], f"nog {len(rows) - 3} andere"]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1] if names else ""
    return rows, top, listed


def matrix_chart(matrix: Table) -> Markup:
    return table_heatmap(matrix, "Knelpuntenmatrix", top=len(matrix.kolommen), column_title="Wet")


def table_heatmap(table: Table, title: str, skip: int = 0, top: int = 8, column_title: str = "") -> Markup:
    """A table as a heatmap: its rows against its first ``top`` value columns after ``skip``."""
    columns = table.kolommen[skip : skip + top]
    cells = {
        (row.label, column): Cell(int(cell.value), drill(cell.selection))
        for row in table.rijen
        for column, cell in zip(columns, row.cells[skip : skip + top], strict=True)
    }
    labels = [row.label for row in table.rijen]
    return heatmap(labels, columns, cells, title=title, row_title=table.eerste_kolom, column_title=column_title)


@router.get("/patronen", response_class=HTMLResponse)
def dashboard(request: Request, kb: KBDep) -> Response:
    wanted = pattern_request(request.query_params.getlist)
    result = kb.patterns(wanted)
    params = base_params(wanted)
    facets = kb.facets()
    chosen = dict(wanted.selectie.filters)
    return templates.TemplateResponse(
        request,
        "patterns.html",
        {
            "result": result,
            "wanted": wanted,
            "pers": PERS,
            "filters": [
                (name, title, list(facets.get(name, {})), chosen.get(name, ())) for name, title in FILTER_FIELDS
            ],
            "charts": charts(result),
            "leaders": leaders(result.tabellen["trend"]),
            "drill": drill,
            "export": lambda table, fmt: f"/api/patterns/{table}?{urlencode([*params, ('formaat', fmt)])}",
            "label": lambda f, c: label_for(kb, f, c),
            "json_url": f"/api/patterns?{urlencode(params)}",
        },
    )


@router.get("/patronen/casussen", response_class=HTMLResponse)
def drill_down(request: Request, kb: KBDep) -> Response:
    selection = selection_from(request.query_params.getlist)
    found = kb.analyst(selection.suggesties).select(selection)
    search = selection.search_params()
    return templates.TemplateResponse(
        request,
        "drill.html",
        {
            "found": found,
            "conditions": describe(kb, selection),
            "search_url": f"/zoeken?{urlencode([*search, ('sort', 'datum')])}" if search is not None else None,
            "json_url": f"/api/patterns/cases?{selection.query_string()}",
        },
    )


def describe(kb: Any, selection: Selection) -> list[str]:
    """The conditions of a selection in Dutch, one phrase each."""
    out = [f"blokkade {kb.taxonomy.label('blokkades', code)}" for code in selection.blokkades]
    if selection.grens:
        out.append("grens " + " – ".join(selection.grens.split("|")))
    for name, values in selection.filters:
        out.append(f"{name} " + " of ".join(label_for(kb, name, v) for v in values))
    if selection.van or selection.tot:
        out.append(f"van {selection.van or 'het begin'} tot en met {selection.tot or 'nu'}")
    return out
