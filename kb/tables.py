"""Tables of counts (the patterns and reporting stages): rows of cells, each count optionally
carrying the :class:`~kb.patterns.Selection` of the cases behind it, with JSON and CSV forms."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kb.patterns import Selection


@dataclass
class Cell:
    value: int | str
    selection: Selection | None = None


@dataclass
class Row:
    code: str
    label: str
    cells: list[Cell]


@dataclass
class Table:
    """One table of the dashboard: rows of cells, each count with the cases behind it."""

    naam: str
    titel: str
    eerste_kolom: str
    kolommen: list[str]
    rijen: list[Row] = field(default_factory=list)
    toelichting: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "naam": self.naam,
            "titel": self.titel,
            "toelichting": self.toelichting,
            "kolommen": [self.eerste_kolom, *self.kolommen],
            "rijen": [
                {
                    "code": row.code,
                    "label": row.label,
                    "waarden": [cell.value for cell in row.cells],
                    "selecties": [cell.selection.query_string() if cell.selection else None for cell in row.cells],
                }
                for row in self.rijen
            ],
        }

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["code", self.eerste_kolom, *self.kolommen])
        for row in self.rijen:
            writer.writerow([row.code, row.label, *(cell.value for cell in row.cells)])
        return out.getvalue()
