"""Patterns over many cases (the patterns stage): which blockers recur, when, where and together.

Everything is counted in distinct cases from the stored facets, so the numbers agree with the
search facets. Every number carries the :class:`Selection` of the cases behind it; the drill-down
(:func:`select`) uses the same test, so a number and its list of cases never disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import Any
from urllib.parse import urlencode

from kb import periods
from kb.errors import InvalidInput
from kb.records import FACET_FIELDS, MULTI_VALUED, SUGGESTIONS
from kb.search import valid_date
from kb.tables import Cell, Row, Table
from kb.taxonomy import Taxonomy

DIMENSIONS = {"regio": "Regio", "team": "Team", "hulpvraag": "Hulpvraag", "leeftijdscategorie": "Leeftijd"}


@dataclass(frozen=True)
class Facts:
    """One case as the patterns stage sees it."""

    id: str
    titel: str
    datum: str
    values: Mapping[str, tuple[str, ...]]  # facet field -> values (single-valued: at most one)

    def get(self, name: str) -> tuple[str, ...]:
        return self.values.get(name, ())


@dataclass(frozen=True)
class Selection:
    """Which cases a number stands for: facet filters (any value per field, every field), a date
    range, blockers that must all be present, and optionally a law boundary (``A|B``)."""

    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    van: str | None = None
    tot: str | None = None
    blokkades: tuple[str, ...] = ()
    grens: str | None = None
    suggesties: bool = False  # count blockers only the pipeline suggested too

    def matches(self, facts: Facts, boundaries: Mapping[str, str]) -> bool:
        if self.van and facts.datum < self.van:
            return False
        if self.tot and facts.datum > self.tot + "\uffff":
            return False
        for name, wanted in self.filters:
            if not set(facts.get(name)) & set(wanted):
                return False
        mine = facts.get("blokkades")
        if any(code not in mine for code in self.blokkades):
            return False
        return self.grens is None or any(boundaries.get(code) == self.grens for code in mine)

    def narrowed(self, **changes: Any) -> Selection:
        """This selection with one more condition: a facet value (``regio="Utrecht"``), a period
        (``periode="2024-K1"``), blockers that must all be present (``vereist=(...)``) or a
        law boundary (``grens="A|B"``)."""
        filters = dict(self.filters)
        van, tot = self.van, self.tot
        if "periode" in changes:
            first, last = periods.bounds(changes.pop("periode"))
            van = max(van, first) if van else first
            tot = min(tot, last) if tot else last
        blokkades = tuple(dict.fromkeys((*self.blokkades, *changes.pop("vereist", ()))))
        for name in FACET_FIELDS:
            if name in changes:
                filters[name] = (changes.pop(name),)
        grens = changes.pop("grens", self.grens)
        if changes:
            raise TypeError(f"unknown selection change {sorted(changes)}")
        return Selection(tuple(sorted(filters.items())), van, tot, blokkades, grens, self.suggesties)

    def to_params(self) -> list[tuple[str, str]]:
        pairs = [(name, value) for name, values in self.filters for value in values]
        pairs += [(name, value) for name, value in (("van", self.van), ("tot", self.tot)) if value]
        pairs += [("blokkade", code) for code in self.blokkades]
        if self.grens:
            pairs.append(("grens", self.grens))
        if self.suggesties:
            pairs.append(("suggesties", "1"))
        return pairs

    def query_string(self) -> str:
        return urlencode(self.to_params())

    def search_params(self) -> list[tuple[str, str]] | None:
        """The same cases as a search query string, when search filters can express it
        (search ORs values within a field, so at most one required blocker and no boundary; search
        facets hold vastgesteld blockers only)."""
        if self.grens or len(self.blokkades) > 1 or self.suggesties:
            return None
        pairs = [(name, value) for name, values in self.filters for value in values]
        pairs += [("blokkades", code) for code in self.blokkades]
        pairs += [(name, value) for name, value in (("van", self.van), ("tot", self.tot)) if value]
        return pairs


def selection_from(get_all: Any) -> Selection:
    """A selection from query parameters (``veld=waarde``, ``van``, ``tot``, ``blokkade``, ``grens``);
    Dutch errors for unknown fields and bad dates."""
    filters: dict[str, tuple[str, ...]] = {}
    for name in FACET_FIELDS:
        values = tuple(dict.fromkeys(v.strip() for v in get_all(name) if v and v.strip()))
        if values:
            filters[name] = values
    van, tot = (_date(label, (get_all(label) or [None])[0]) for label in ("van", "tot"))
    grens = (get_all("grens") or [None])[0]
    if grens is not None and grens.count("|") != 1:
        raise InvalidInput(f"grens '{grens}' heeft niet de vorm Wet A|Wet B")
    if van and tot and van > tot + "\uffff":  # tot is inclusive: van=2024-05&tot=2024 is fine
        raise InvalidInput(f"van ligt na tot ({van} is later dan {tot})")
    blokkades = tuple(dict.fromkeys(v for v in get_all("blokkade") if v))
    suggesties = (get_all("suggesties") or [""])[0] in ("1", "ja", "true", "on")
    return Selection(tuple(sorted(filters.items())), van, tot, blokkades, grens or None, suggesties)


@dataclass(frozen=True)
class PatternRequest:
    """What the dashboard, ``/api/patterns`` and ``leerlus patterns`` ask for."""

    selectie: Selection = Selection()
    per: str = "kwartaal"
    drempel: int = 3
    venster: int = 12


def pattern_request(get_all: Any) -> PatternRequest:
    """A pattern request from query parameters: the selection plus ``per``, ``drempel``, ``venster``."""
    first = {name: (get_all(name) or [None])[0] for name in ("per", "drempel", "venster")}
    numbers = {}
    for name, default in (("drempel", 3), ("venster", 12)):
        raw = first[name]
        try:
            numbers[name] = int(raw) if raw not in (None, "") else default
        except ValueError:
            raise InvalidInput(f"{name} '{raw}' is geen geheel getal") from None
    return PatternRequest(
        selection_from(get_all), periods.check_per(first["per"]), numbers["drempel"], numbers["venster"]
    )


def _date(label: str, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if not valid_date(value.strip()):
        raise InvalidInput(f"{label} '{value}' is geen datum; gebruik JJJJ, JJJJ-MM of JJJJ-MM-DD")
    return value.strip()


@dataclass
class Patterns:
    """All tables for one selection of cases, plus the periods they cover."""

    per: str
    selectie: Selection
    periodes: list[str]
    huidig: str | None
    vorig: str | None
    casussen: int
    tabellen: dict[str, Table]
    drempel: int
    venster: tuple[str, str] | None
    toegevoegd: dict[str, int] | None = None  # with suggestions: cases per blocker they add
    onvolledig: list[str] = field(default_factory=list)  # "deze" or "vorige" periode only partly covered
    naleving: dict[str, Any] | None = None  # overdue obligations of the selected binding advice, as of today

    def to_dict(self) -> dict[str, Any]:
        return {
            "per": self.per,
            "selectie": self.selectie.query_string(),
            "inclusief_suggesties": self.selectie.suggesties,
            "door_suggesties_erbij": self.toegevoegd,
            "periodes": self.periodes,
            "huidig": self.huidig,
            "vorig": self.vorig,
            "casussen": self.casussen,
            "drempel": self.drempel,
            "venster": list(self.venster) if self.venster else None,
            "onvolledig": self.onvolledig,
            "tabellen": {name: table.to_dict() for name, table in self.tabellen.items()},
            "naleving": self.naleving,
        }


class Analyst:
    """Computes patterns over a list of :class:`Facts` with one taxonomy. By default a case's
    blockers are the vastgesteld ones; with ``suggestions`` the suggested ones count too, and every
    pattern says what they add."""

    def __init__(self, facts: Sequence[Facts], taxonomy: Taxonomy, *, suggestions: bool = False) -> None:
        self.suggestions = suggestions
        self.settled = facts
        self.facts = [with_suggestions(f) for f in facts] if suggestions else facts
        self.taxonomy = taxonomy
        self.boundaries = {
            b.code: "|".join(pair) for b in taxonomy.blokkades if (pair := taxonomy.boundary(b.code)) is not None
        }

    def select(self, selection: Selection) -> list[Facts]:
        """The cases behind a number, newest first."""
        found = [f for f in self.facts if selection.matches(f, self.boundaries)]
        return sorted(found, key=lambda f: (f.datum, f.id), reverse=True)

    def label(self, field_name: str, code: str) -> str:
        return self.taxonomy.facet_label(field_name, code)

    def patterns(self, base: Selection, per: str = "kwartaal", drempel: int = 3, venster: int = 12) -> Patterns:
        if not 1 <= drempel <= 1000 or not 1 <= venster <= 120:
            raise InvalidInput("drempel moet tussen 1 en 1000 liggen en venster tussen 1 en 120 maanden")
        cases = self.select(base)
        by_blocker = Counter(code for f in cases for code in f.get("blokkades"))
        blockers = [code for code, _ in sorted(by_blocker.items(), key=lambda kv: (-kv[1], kv[0]))]
        # "Now" is the same for every filter: the end of the requested range, else the newest case
        # in the knowledge base, so that regions or teams are compared over the same periods.
        anchor = periods.last_month(base.tot) if base.tot else max((f.datum for f in self.facts), default=None)
        huidig: str | None = None
        vorig: str | None = None
        window: tuple[str, str] | None = None
        order: list[str] = []
        partial: list[str | None] = []
        first: str | None = None
        stamped = [(periods.period_of(f.datum, per), f.get("blokkades")) for f in cases]
        totals = Counter(period for period, _codes in stamped)
        counts = Counter((code, period) for period, codes in stamped for code in codes)
        if cases and anchor:
            now = periods.period_of(anchor, per)
            order = periods.between(min(totals), now)
            huidig, vorig = now, periods.shift(now, -1)
            window = (periods.months_back(anchor[:7], venster), anchor[:7])
            partial = [periods.partial(p, base.van, anchor) for p in (now, periods.shift(now, -1))]
            # the first period of the time line is cut by ``van`` as well (van=2023-12 per jaar: 1 of 12)
            first = periods.partial(order[0], base.van, anchor) if order[0] not in (now, vorig) else None
        tables = {
            "tijdlijn": self._timeline(base, totals, counts, blockers, order, per),
            "trend": self._trend(base, counts, blockers, huidig, vorig),
            **{f"per-{name}": self._dimension(base, cases, blockers, name) for name in DIMENSIONS},
            "matrix": self._matrix(base, cases),
            "samen": self._together(base, cases),
            "terugkerend": self._recurring(base, cases, drempel, window),
        }
        added = None
        if self.suggestions:
            settled = Counter(
                code for f in self.settled if base.matches(f, self.boundaries) for code in f.get("blokkades")
            )
            added = {code: n - settled.get(code, 0) for code, n in by_blocker.items() if n > settled.get(code, 0)}
        notes = [note for note in partial if note]
        if notes:  # say so rather than compare 11 months with 12 in silence
            tables["trend"].toelichting += f" Let op, de periodes zijn niet even lang: {'; '.join(notes)}."
        if first:
            tables["tijdlijn"].toelichting = f"{tables['tijdlijn'].toelichting} Let op: {first}.".strip()
        shown = [first, *reversed(notes)] if first else list(reversed(notes))  # in the order of the time line
        return Patterns(per, base, order, huidig, vorig, len(cases), tables, drempel, window, added, shown)

    # -- tables ----------------------------------------------------------------------------

    def _timeline(
        self,
        base: Selection,
        totals: Counter[str],
        counts: Counter[tuple[str, str]],
        blockers: list[str],
        order: list[str],
        per: str,
    ) -> Table:
        table = Table("tijdlijn", f"Blokkades per {per}", "Blokkade", order)
        table.rijen.append(
            Row("", "Alle casussen", [Cell(totals[p], base.narrowed(periode=p)) for p in order]),
        )
        for code in blockers:
            cells = [Cell(counts[(code, p)], base.narrowed(periode=p, vereist=(code,))) for p in order]
            table.rijen.append(Row(code, self.label("blokkades", code), cells))
        return table

    def _trend(
        self,
        base: Selection,
        counts: Counter[tuple[str, str]],
        blockers: list[str],
        huidig: str | None,
        vorig: str | None,
    ) -> Table:
        table = Table("trend", "Trend tegen de vorige periode", "Blokkade", [huidig or "-", vorig or "-", "verschil"])
        if huidig is None or vorig is None:
            return table
        rows = []
        for code in blockers:
            now, before = counts[(code, huidig)], counts[(code, vorig)]
            if now or before:
                cells = [
                    Cell(now, base.narrowed(periode=huidig, vereist=(code,))),
                    Cell(before, base.narrowed(periode=vorig, vereist=(code,))),
                    Cell(now - before),
                ]
                rows.append((-now, -(now - before), code, Row(code, self.label("blokkades", code), cells)))
        table.rijen = [row for *_key, row in sorted(rows, key=lambda r: r[:3])]
        table.toelichting = f"{huidig} tegen {vorig}: aantal casussen met de blokkade."
        return table

    def _dimension(self, base: Selection, cases: list[Facts], blockers: list[str], name: str) -> Table:
        shown = blockers
        counts: Counter[tuple[str, str]] = Counter()
        totals: Counter[str] = Counter()
        for f in cases:
            for value in f.get(name):
                totals[value] += 1
                for code in f.get("blokkades"):
                    counts[(value, code)] += 1
        columns = ["casussen", *(self.label("blokkades", c) for c in shown)]
        table = Table(f"per-{name}", f"Blokkades per {DIMENSIONS[name].lower()}", DIMENSIONS[name], columns)
        table.toelichting = "Aantal casussen per waarde, en per blokkade (vaakste blokkade eerst)."
        for value in sorted(totals, key=lambda v: (-totals[v], v)):
            where = base.narrowed(**{name: value})
            cells = [Cell(totals[value], where)]
            cells += [Cell(counts[(value, c)], where.narrowed(vereist=(c,))) for c in shown]
            table.rijen.append(Row(value, self.label(name, value), cells))
        return table

    def _matrix(self, base: Selection, cases: list[Facts]) -> Table:
        laws = list(dict.fromkeys(law for pair in self.boundaries.values() for law in pair.split("|")))
        pairs = Counter(
            pair for f in cases for pair in {self.boundaries[c] for c in f.get("blokkades") if c in self.boundaries}
        )
        table = Table("matrix", "Knelpuntenmatrix: grenzen tussen wetten", "Wet", laws)
        table.toelichting = "Aantal casussen met een blokkade op de grens tussen twee wetten."
        for row_law in laws:
            cells = []
            for column_law in laws:
                pair = _pair(row_law, column_law, self.boundaries)
                cells.append(Cell(pairs[pair], base.narrowed(grens=pair)) if pair else Cell(0))
            table.rijen.append(Row(row_law, row_law, cells))
        return table

    def _together(self, base: Selection, cases: list[Facts]) -> Table:
        pairs = Counter(pair for f in cases for pair in combinations(sorted(set(f.get("blokkades"))), 2))
        table = Table("samen", "Blokkades die samen voorkomen", "Combinatie", ["casussen"])
        for (a, b), count in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0])):
            label = f"{self.label('blokkades', a)} + {self.label('blokkades', b)}"
            table.rijen.append(Row(f"{a}+{b}", label, [Cell(count, base.narrowed(vereist=(a, b)))]))
        return table

    def _recurring(self, base: Selection, cases: list[Facts], drempel: int, window: tuple[str, str] | None) -> Table:
        table = Table("terugkerend", "Terugkerende blokkades", "Blokkade", ["casussen"])
        if window is None:
            return table
        first, last = window
        inside = replace(
            base, van=max(base.van, first) if base.van else first, tot=min(base.tot, last) if base.tot else last
        )
        counts = Counter(code for f in self.select(inside) for code in f.get("blokkades"))
        table.toelichting = f"Blokkades in ten minste {drempel} casussen van {first} tot en met {last}."
        for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            if count >= drempel:
                table.rijen.append(
                    Row(code, self.label("blokkades", code), [Cell(count, inside.narrowed(vereist=(code,)))])
                )
        return table


def _pair(a: str, b: str, boundaries: Mapping[str, str]) -> str | None:
    """The boundary key for two laws in either order, when some blocker lies on it."""
    known = set(boundaries.values())
    for key in (f"{a}|{b}", f"{b}|{a}"):
        if key in known:
            return key
    return None


def with_suggestions(facts: Facts) -> Facts:
    """The same case with its suggested blockers counted as blockers."""
    merged = tuple(dict.fromkeys((*facts.get("blokkades"), *facts.get(SUGGESTIONS))))
    return replace(facts, values={**facts.values, "blokkades": merged})


def facts_from_rows(rows: Iterable[Mapping[str, Any]]) -> list[Facts]:
    """Facts from stored case rows (``id``, ``titel``, ``datum``, the facet columns and the
    suggested blockers)."""
    out = []
    for row in rows:
        values: dict[str, tuple[str, ...]] = {SUGGESTIONS: tuple(row.get(SUGGESTIONS) or ())}
        for name in FACET_FIELDS:
            raw = row.get(name)
            if name in MULTI_VALUED:
                values[name] = tuple(raw or ())
            else:
                values[name] = (str(raw),) if raw else ()
        out.append(Facts(id=row["id"], titel=row["titel"], datum=row["datum"], values=values))
    return out
