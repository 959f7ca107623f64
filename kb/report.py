"""The accountability report for a period (the reporting stage): what the casustafel discussed, which
blockers recurred, where the laws collide, and what became of the signals sent to others.

A period is a range of whole months ``van``..``tot`` (``JJJJ-MM``; ``JJJJ`` means January resp.
December). Cases count by their ``datum`` with the same test as the patterns stage, so every number
here agrees with :mod:`kb.patterns`. The previous period is the range of equal length just before.

Signals are judged by the moments (UTC) in their append-only history: a moment belongs to the period
when its month does. The *peilmoment* is the end of the period, or now when that end lies in the
future; "at the end of the period" means at the peilmoment. The report only reads, it never writes.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from kb import periods
from kb.compliance import compliance_markdown
from kb.errors import InvalidInput
from kb.patterns import Facts, Selection, Table
from kb.safe_text import md_text
from kb.signals import STATUSES, EventPublic, SignalPublic

if TYPE_CHECKING:
    from kb.knowledge import KnowledgeBase

MONTH = re.compile(r"^([12]\d{3})(?:-(0[1-9]|1[0-2]))?$")
OPEN = ("nieuw", "geagendeerd", "in-behandeling")
STALLED_AFTER = timedelta(days=90)
TOP_BLOCKERS = 10
MAX_ILLUSTRATIONS = 10
UNKNOWN_REGION = "Onbekend"


@dataclass(frozen=True)
class Count:
    """Cases with one value (a kind, a region) in the period and in the previous period."""

    code: str
    label: str
    aantal: int
    vorige: int


@dataclass(frozen=True)
class Trend:
    """A blocker: cases with it in the period and before, the difference and its direction."""

    code: str
    label: str
    aantal: int
    vorige: int
    verschil: int
    richting: str  # stijgend | dalend | gelijk

    @property
    def verschil_tekst(self) -> str:
        return f"{self.verschil:+d}" if self.verschil else "0"


@dataclass(frozen=True)
class SignalLine:
    """One signal in a list of the report. ``status`` is the label of its status at the peilmoment;
    ``datum`` the day of the event that put it in the list (for a quiet open signal: its last event);
    ``casussen`` the cases it was seen again in (only in ``opnieuw_gezien``)."""

    id: int
    titel: str
    adressaat: str
    status: str
    datum: str
    casussen: tuple[str, ...] = ()


@dataclass
class SignalOverview:
    """Signals opened, resolved, stalled and seen again in the period."""

    geopend: list[SignalLine]
    opgelost: list[SignalLine]
    vastgelopen: list[SignalLine]
    opnieuw_gezien: list[SignalLine]

    def to_dict(self) -> dict[str, Any]:
        return {name: [asdict(line) for line in lines] for name, lines in self.lists()}

    def lists(self) -> list[tuple[str, list[SignalLine]]]:
        return [
            ("geopend", self.geopend),
            ("opgelost", self.opgelost),
            ("vastgelopen", self.vastgelopen),
            ("opnieuw_gezien", self.opnieuw_gezien),
        ]


@dataclass(frozen=True)
class StatusTime:
    """How long signals stayed in one status within the period: how many signals spent time in it,
    and the median of their days in it (each signal's stays in that status added up)."""

    status: str
    label: str
    signalen: int
    mediaan_dagen: float | None

    @property
    def mediaan_tekst(self) -> str:
        """The median in Dutch notation ("12,5"), or a dash when no signal was in this status."""
        if self.mediaan_dagen is None:
            return "–"
        return f"{self.mediaan_dagen:.1f}".replace(".", ",").removesuffix(",0")


@dataclass(frozen=True)
class Illustration:
    """The most recent case in the period with one of the top blockers."""

    blokkade: str
    blokkade_label: str
    id: str
    titel: str
    datum: str
    besluit: str | None


@dataclass
class Report:
    """The verantwoordingsrapportage for one period; see the module docstring for the rules."""

    periode: tuple[str, str]
    vorige_periode: tuple[str, str]
    gemaakt_op: datetime
    peilmoment: datetime
    casussen: int
    casussen_vorige: int
    per_soort: list[Count]
    per_regio: list[Count]
    blokkades: list[Trend]
    matrix: Table
    signalen: SignalOverview
    tijd_in_status: list[StatusTime]
    illustraties: list[Illustration]
    naleving: dict[str, Any] | None = None  # binding advice: obligations overdue at the peildatum

    @property
    def van(self) -> str:
        return self.periode[0]

    @property
    def tot(self) -> str:
        return self.periode[1]

    @property
    def peildatum(self) -> str:
        """The last day the signal figures count (the peilmoment itself is exclusive)."""
        return f"{self.peilmoment - timedelta(microseconds=1):%Y-%m-%d}"

    @property
    def top_blokkades(self) -> list[tuple[str, str, int]]:
        """``(code, label, aantal)`` of the top blockers, for a bar chart."""
        return [(t.code, t.label, t.aantal) for t in self.blokkades]

    def to_dict(self) -> dict[str, Any]:
        return {
            "periode": {"van": self.van, "tot": self.tot},
            "vorige_periode": {"van": self.vorige_periode[0], "tot": self.vorige_periode[1]},
            "gemaakt_op": self.gemaakt_op.isoformat(),
            "peilmoment": self.peilmoment.isoformat(),
            "peildatum": self.peildatum,
            "casussen": self.casussen,
            "casussen_vorige_periode": self.casussen_vorige,
            "per_soort": [asdict(c) for c in self.per_soort],
            "per_regio": [asdict(c) for c in self.per_regio],
            "blokkades": [asdict(t) for t in self.blokkades],
            "knelpuntenmatrix": self.matrix.to_dict(),
            "signalen": self.signalen.to_dict(),
            "tijd_in_status": [asdict(s) for s in self.tijd_in_status],
            "illustraties": [asdict(i) for i in self.illustraties],
            "naleving": self.naleving,
        }

    def to_markdown(self) -> str:
        before = f"{self.vorige_periode[0]} – {self.vorige_periode[1]}"
        out = [
            f"# Verantwoordingsrapportage {self.van} – {self.tot}",
            "",
            f"Gemaakt op {self.gemaakt_op:%Y-%m-%d %H:%M} UTC. Vorige periode: {before}.",
            "",
            "## Samenvatting",
            "",
            f"- Besproken casussen: {self.casussen} (vorige periode: {self.casussen_vorige})",
            f"- Signalen geopend: {len(self.signalen.geopend)}, opgelost: {len(self.signalen.opgelost)}, "
            f"vastgelopen: {len(self.signalen.vastgelopen)}, opnieuw gezien: {len(self.signalen.opnieuw_gezien)}",
        ]
        for title, first, counts in (("soort", "Soort", self.per_soort), ("regio", "Regio", self.per_regio)):
            rows = [[c.label, str(c.aantal), str(c.vorige)] for c in counts]
            out += _section(f"Besproken casussen per {title}", [first, "Deze periode", "Vorige periode"], rows)
        rows = [
            [t.label, f"`{t.code}`", str(t.aantal), str(t.vorige), t.verschil_tekst, t.richting] for t in self.blokkades
        ]
        headers = ["Blokkade", "Code", "Deze periode", "Vorige periode", "Verschil", "Richting"]
        out += _section("Meest voorkomende blokkades", headers, rows, numeric=(2, 3, 4))
        rows = [[row.label, *(str(cell.value) for cell in row.cells)] for row in self.matrix.rijen]
        matrix_numbers = tuple(range(1, len(self.matrix.kolommen) + 1))
        out += _section(
            "Knelpuntenmatrix", [self.matrix.eerste_kolom, *self.matrix.kolommen], rows, numeric=matrix_numbers
        )
        out += ["", self.matrix.toelichting, "", "## Signalen", ""]
        out.append(f"Peildatum: {self.peildatum}. Vastgelopen: niet opgepakt, of open zonder beweging in 90 dagen.")
        for name, lines in self.signalen.lists():
            out += ["", f"### {SIGNAL_TITLES[name]}", ""]
            if not lines:
                out.append("Geen.")
                continue
            headers = ["Signaal", "Titel", "Adressaat", "Status eind periode", "Datum"]
            rows = [[f"#{s.id}", s.titel, s.adressaat, s.status, s.datum] for s in lines]
            if name == "opnieuw_gezien":
                headers.append("Casussen")
                rows = [[*row, ", ".join(s.casussen)] for row, s in zip(rows, lines, strict=True)]
            out += _table(headers, rows)
        rows = [[s.label, str(s.signalen), s.mediaan_tekst] for s in self.tijd_in_status]
        out += _section("Tijd per status", ["Status", "Signalen", "Mediaan (dagen)"], rows, numeric=(1, 2))
        out += compliance_markdown(self.naleving)
        out += ["", "## Voorbeeldcasussen", ""]
        for i in self.illustraties:
            titel, besluit = md_text(i.titel), md_text(i.besluit) or "–"
            out.append(f"- **{i.blokkade_label}**: {titel} (`{i.id}`, {i.datum}). Besluit: {besluit}")
        if not self.illustraties:
            out.append("Geen casussen in deze periode.")
        return "\n".join(out) + "\n"


SIGNAL_TITLES = {
    "geopend": "Geopend",
    "opgelost": "Opgelost",
    "vastgelopen": "Vastgelopen",
    "opnieuw_gezien": "Opnieuw gezien",
}


def _cell(text: str) -> str:
    return md_text(text).replace("|", "\\|")


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in headers) + " |"]
    lines.append("|" + "|".join("---:" if i in numeric else "---" for i in range(len(headers))) + "|")
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return lines


def _section(title: str, headers: Sequence[str], rows: list[list[str]], numeric: Sequence[int] = (1, 2)) -> list[str]:
    return ["", f"## {title}", "", *(_table(headers, rows, numeric) if rows else ["Geen."])]


# -- building ------------------------------------------------------------------------------------


def build_report(kb: KnowledgeBase, van: str, tot: str, *, illustraties: int = 3, nu: datetime | None = None) -> Report:
    """The report for months ``van``..``tot`` (inclusive); ``nu`` fixes "now" (for tests)."""
    first, last = _month("van", van, last=False), _month("tot", tot, last=True)
    if first > last:
        raise InvalidInput(f"van ligt na tot ({first} is later dan {last})")
    if not 0 <= illustraties <= MAX_ILLUSTRATIONS:
        raise InvalidInput(f"illustraties moet tussen 0 en {MAX_ILLUSTRATIONS} liggen")
    length = len(periods.between(first, last))
    previous = (periods.months_back(first, length + 1), periods.months_back(first, 2))
    made = (nu or datetime.now(UTC)).astimezone(UTC)
    start, end = _start(first), _start(periods.shift(last, 1))
    peil = min(end, made)

    analyst = kb.analyst()
    here = Selection(van=first, tot=last)
    cases = analyst.select(here)
    before = analyst.select(Selection(van=previous[0], tot=previous[1]))
    soort = _counts(cases, before, "soort", lambda code: kb.taxonomy.label("soorten", code))
    regio = _counts(cases, before, "regio", lambda code: code or UNKNOWN_REGION)
    trends = _trends(cases, before, lambda code: kb.taxonomy.label("blokkades", code))
    examples = []
    for trend in trends[:illustraties]:
        newest = analyst.select(Selection(van=first, tot=last, blokkades=(trend.code,)))[0]
        examples.append(
            Illustration(trend.code, trend.label, newest.id, newest.titel, newest.datum, kb.case(newest.id).besluit)
        )
    signals = kb.signals()
    return Report(
        periode=(first, last),
        vorige_periode=previous,
        gemaakt_op=made,
        peilmoment=peil,
        casussen=len(cases),
        casussen_vorige=len(before),
        per_soort=soort,
        per_regio=regio,
        blokkades=trends,
        matrix=analyst.patterns(here).tabellen["matrix"],
        signalen=_overview(signals, first, last, peil),
        tijd_in_status=_time_in_status(signals, start, peil),
        illustraties=examples,
        naleving=kb.compliance((peil - timedelta(microseconds=1)).date()),
    )


def _month(label: str, value: str | None, *, last: bool) -> str:
    text = (value or "").strip()
    match = MONTH.match(text)
    if match is None:
        raise InvalidInput(f"{label} '{value}' is geen maand; gebruik JJJJ-MM")
    return text if match.group(2) else f"{text}-{'12' if last else '01'}"


def _start(month: str) -> datetime:
    """Midnight UTC on the first day of ``month`` (``JJJJ-MM``)."""
    return datetime(int(month[:4]), int(month[5:7]), 1, tzinfo=UTC)


def _counts(cases: list[Facts], before: list[Facts], name: str, label: Callable[[str], str]) -> list[Count]:
    now = Counter(value for f in cases for value in (f.get(name) or ("",)))
    then = Counter(value for f in before for value in (f.get(name) or ("",)))
    rows = [Count(code, label(code), now[code], then[code]) for code in now.keys() | then.keys()]
    return sorted(rows, key=lambda c: (-c.aantal, -c.vorige, c.label))


def _trends(cases: list[Facts], before: list[Facts], label: Callable[[str], str]) -> list[Trend]:
    now = Counter(code for f in cases for code in set(f.get("blokkades")))
    then = Counter(code for f in before for code in set(f.get("blokkades")))
    top = sorted(now.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_BLOCKERS]
    out = []
    for code, count in top:
        diff = count - then[code]
        direction = "stijgend" if diff > 0 else "dalend" if diff < 0 else "gelijk"
        out.append(Trend(code, label(code), count, then[code], diff, direction))
    return out


# -- signals -------------------------------------------------------------------------------------


def _sets_status(event: EventPublic) -> bool:
    return event.soort in ("aangemaakt", "status") and event.naar is not None


def _overview(signals: Sequence[SignalPublic], first: str, last: str, peil: datetime) -> SignalOverview:
    """Opened: created in the period. Resolved: moved to ``opgelost`` in it. Stalled: moved to
    ``niet-opgepakt`` in it, or still open at the peilmoment without any event in the 90 days
    before. Seen again: an "opnieuw gezien" event in it. Each signal at most once per list."""
    overview = SignalOverview([], [], [], [])
    for signal in sorted(signals, key=lambda s: s.id):
        events = [e for e in signal.geschiedenis if e.moment < peil]
        if not events:
            continue  # created after the period
        status = next((e.naar for e in reversed(events) if e.naar and _sets_status(e)), signal.status)
        inside = [e for e in events if first <= f"{e.moment:%Y-%m}" <= last]
        created = [e for e in inside if e.soort == "aangemaakt"]
        resolved = [e for e in inside if e.soort == "status" and e.naar == "opgelost"]
        stalled = [e for e in inside if e.soort == "status" and e.naar == "niet-opgepakt"]
        if not stalled and status in OPEN and events[-1].moment < peil - STALLED_AFTER:
            stalled = events[-1:]
        seen = [e for e in inside if e.soort == "opnieuw-gezien"]
        found = ((overview.geopend, created[:1]), (overview.opgelost, resolved), (overview.vastgelopen, stalled))
        for target, chosen in (*found, (overview.opnieuw_gezien, seen)):
            if chosen:
                cases = tuple(dict.fromkeys(e.casus for e in chosen if e.casus))  # only opnieuw-gezien has them
                label = STATUSES.get(status, status)
                day = f"{chosen[-1].moment:%Y-%m-%d}"
                target.append(SignalLine(signal.id, signal.titel, signal.adressaat_label, label, day, cases))
    return overview


def _time_in_status(signals: Sequence[SignalPublic], start: datetime, peil: datetime) -> list[StatusTime]:
    """Per status: the number of signals that spent time in it within the period, and the median of
    those signals' days in it. A stay runs from the event that set the status to the next such event,
    the last one to the peilmoment; only the part between the start of the period and the
    peilmoment counts, and a signal's stays in the same status are added up."""
    days: dict[str, list[float]] = {code: [] for code in STATUSES}
    for signal in signals:
        settings = [e for e in signal.geschiedenis if _sets_status(e)]
        spent: dict[str, float] = {}
        for event, following in zip(settings, [*settings[1:], None], strict=True):
            until = min(following.moment if following else peil, peil)
            overlap = (until - max(event.moment, start)).total_seconds()
            if overlap > 0 and event.naar:
                spent[event.naar] = spent.get(event.naar, 0.0) + overlap / 86400
        for code, total in spent.items():
            days.setdefault(code, []).append(total)
    return [
        StatusTime(code, STATUSES.get(code, code), len(values), round(statistics.median(values), 1) if values else None)
        for code, values in days.items()
    ]
