"""The verantwoordingsrapportage (kb.report): counts per period against a hand-counted corpus, the
previous period, signals opened/resolved/stalled/seen again, time per status, and the printable page."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from markupsafe import Markup
from sqlmodel import Session

from ingest.runner import ingest
from kb.errors import InvalidInput
from kb.knowledge import KnowledgeBase
from kb.report import Report, build_report
from kb.settings import Settings
from kb.userdata import Signal, SignalEvent

WLZ, BEKOSTIGING, WACHTLIJST, ONDERWIJS = (
    "grens.jeugdwet-wlz",
    "financiering.bekostiging",
    "aanbod.wachtlijst",
    "grens.jeugdwet-onderwijs",
)
# (file id, datum, soort, regio or None, blockers). Period 2024 has cases a-d, the previous period
# (2023) has e-f; g and h lie just outside both.
CASES = [
    ("2024-02-a", "2024-02", "casusbespreking", "Utrecht", [WLZ, BEKOSTIGING]),
    ("2024-05-b", "2024-05-20", "escalatie", "Utrecht", [WLZ]),
    ("2024-12-c", "2024-12-31", "casusbespreking", "Twente", [WLZ, WACHTLIJST]),
    ("2024-07-d", "2024-07", "maatwerkbesluit", None, [BEKOSTIGING, ONDERWIJS]),
    ("2023-03-e", "2023-03", "casusbespreking", "Twente", [WACHTLIJST, ONDERWIJS]),
    ("2023-11-f", "2023-11", "bindend-advies", "Utrecht", [WACHTLIJST, BEKOSTIGING]),
    ("2025-01-g", "2025-01", "escalatie", "Utrecht", [WLZ]),
    ("2022-12-h", "2022-12", "casusbespreking", "Twente", [WLZ]),
]


def _write(content: Path) -> None:
    content.mkdir(parents=True, exist_ok=True)
    for case_id, datum, soort, regio, blockers in CASES:
        region = f"regio: {regio}\n" if regio else ""
        (content / f"{case_id}.md").write_text(
            f"""---
titel: "Overleg {case_id}"
soort: {soort}
datum: {datum}
{region}hulpvraag: opvoedvragen
blokkades: [{", ".join(blockers)}]
besluit: "Besluit van {case_id}."
---

Het team bespreekt de situatie aan de casustafel en legt de afspraken vast.
""",
            encoding="utf-8",
        )


@pytest.fixture
def report_kb(
    tmp_path: Path, make_settings: Callable[..., Settings], database_url: str | None
) -> Iterator[KnowledgeBase]:
    """A knowledge base on the hand-counted corpus above, on both database backends."""
    content = tmp_path / "rapport-casussen"
    _write(content)
    knowledge = KnowledgeBase(make_settings(content_dir=content, database_url=database_url))
    result = ingest(knowledge)
    assert result.ok, [str(i) for i in result.issues]
    yield knowledge
    knowledge.close()


def test_corpus_blockers_are_exactly_those_in_the_files(report_kb: KnowledgeBase) -> None:
    # The hand counts below only hold when ingest recognises no extra blockers in the text.
    stored = {f.id: set(f.get("blokkades")) for f in report_kb.analyst().facts}
    assert stored == {case_id: set(blockers) for case_id, _d, _s, _r, blockers in CASES}


def test_counts_per_kind_and_region_against_previous_period(report_kb: KnowledgeBase) -> None:
    report = build_report(report_kb, "2024-01", "2024-12")
    assert report.periode == ("2024-01", "2024-12") and report.vorige_periode == ("2023-01", "2023-12")
    assert (report.casussen, report.casussen_vorige) == (4, 2)  # 2024-12-31 is inside, 2025-01 is not
    soort = {c.code: (c.label, c.aantal, c.vorige) for c in report.per_soort}
    assert soort == {
        "casusbespreking": ("Casusbespreking", 2, 1),
        "escalatie": ("Escalatie", 1, 0),
        "maatwerkbesluit": ("Maatwerkbesluit", 1, 0),
        "bindend-advies": ("Bindend advies", 0, 1),
    }
    assert report.per_soort[0].code == "casusbespreking" and report.per_soort[-1].code == "bindend-advies"
    regio = [(c.label, c.aantal, c.vorige) for c in report.per_regio]
    assert regio == [("Utrecht", 2, 1), ("Twente", 1, 1), ("Onbekend", 1, 0)]


def test_top_blockers_with_trend_matrix_and_examples(report_kb: KnowledgeBase) -> None:
    report = build_report(report_kb, "2024", "2024")
    assert report.periode == ("2024-01", "2024-12")
    trends = [(t.code, t.aantal, t.vorige, t.verschil, t.richting) for t in report.blokkades]
    assert trends == [
        (WLZ, 3, 0, 3, "stijgend"),
        (BEKOSTIGING, 2, 1, 1, "stijgend"),
        (WACHTLIJST, 1, 2, -1, "dalend"),
        (ONDERWIJS, 1, 1, 0, "gelijk"),
    ]
    assert report.top_blokkades[0] == (WLZ, report_kb.taxonomy.label("blokkades", WLZ), 3)
    matrix = {row.code: [int(c.value) for c in row.cells] for row in report.matrix.rijen}
    columns = report.matrix.kolommen
    assert matrix["Jeugdwet"][columns.index("Wet langdurige zorg")] == 3
    assert matrix["Jeugdwet"][columns.index("Wet passend onderwijs")] == 1
    assert sum(sum(values) for values in matrix.values()) == 2 * (3 + 1)  # symmetric
    examples = [(i.blokkade, i.id, i.datum, i.besluit) for i in report.illustraties]
    assert examples == [
        (WLZ, "2024-12-c", "2024-12-31", "Besluit van 2024-12-c."),
        (BEKOSTIGING, "2024-07-d", "2024-07", "Besluit van 2024-07-d."),
        (WACHTLIJST, "2024-12-c", "2024-12-31", "Besluit van 2024-12-c."),
    ]
    assert len(build_report(report_kb, "2024", "2024", illustraties=1).illustraties) == 1


def test_quarter_is_compared_with_the_quarter_before(report_kb: KnowledgeBase) -> None:
    report = build_report(report_kb, "2024-04", "2024-06")
    assert report.vorige_periode == ("2024-01", "2024-03")
    assert (report.casussen, report.casussen_vorige) == (1, 1)
    assert [(t.code, t.aantal, t.vorige, t.richting) for t in report.blokkades] == [(WLZ, 1, 1, "gelijk")]
    across_year = build_report(report_kb, "2024-01", "2024-02")
    assert across_year.vorige_periode == ("2023-11", "2023-12")
    assert (across_year.casussen, across_year.casussen_vorige) == (1, 1)


def test_markdown_and_json(report_kb: KnowledgeBase) -> None:
    report = build_report(report_kb, "2024-01", "2024-12")
    text = report.to_markdown()
    for heading in (
        "# Verantwoordingsrapportage 2024-01 – 2024-12",
        "## Besproken casussen per soort",
        "## Besproken casussen per regio",
        "## Meest voorkomende blokkades",
        "## Knelpuntenmatrix",
        "## Signalen",
        "### Vastgelopen",
        "## Tijd per status",
        "## Voorbeeldcasussen",
    ):
        assert f"\n{heading}\n" in f"\n{text}", heading
    assert "Besproken casussen: 4 (vorige periode: 2)" in text
    assert "| Casusbespreking | 2 | 1 |" in text
    assert "| Onbekend | 1 | 0 |" in text
    wlz = report_kb.taxonomy.label("blokkades", WLZ)
    assert f"| {wlz} | `{WLZ}` | 3 | 0 | +3 | stijgend |" in text
    assert f"| `{ONDERWIJS}` | 1 | 1 | 0 | gelijk |" in text
    assert "Peildatum: 2024-12-31." in text
    assert "|---|---:|---:|" in text
    data = json.loads(json.dumps(report.to_dict()))
    assert data["periode"] == {"van": "2024-01", "tot": "2024-12"}
    assert data["casussen"] == 4 and data["casussen_vorige_periode"] == 2
    assert data["blokkades"][0] == {
        "code": WLZ,
        "label": wlz,
        "aantal": 3,
        "vorige": 0,
        "verschil": 3,
        "richting": "stijgend",
    }
    assert data["knelpuntenmatrix"]["naam"] == "matrix"
    assert set(data["signalen"]) == {"geopend", "opgelost", "vastgelopen", "opnieuw_gezien"}


@pytest.mark.parametrize(
    ("van", "tot", "message"),
    [
        ("2024-13", "2024-12", "van '2024-13' is geen maand; gebruik JJJJ-MM"),
        ("2024-01", "december", "tot 'december' is geen maand; gebruik JJJJ-MM"),
        ("2024-01-05", "2024-12", "van '2024-01-05' is geen maand"),
        ("2024-06", "2024-05", "van ligt na tot"),
        ("2025", "2024", "van ligt na tot"),
    ],
)
def test_bad_periods_are_refused_in_dutch(report_kb: KnowledgeBase, van: str, tot: str, message: str) -> None:
    with pytest.raises(InvalidInput) as error:
        build_report(report_kb, van, tot)
    assert message in error.value.detail


def test_signals_of_today_show_in_this_year_not_in_the_past(report_kb: KnowledgeBase) -> None:
    fields = {"adressaat": "zorgkantoor", "blokkades": [WLZ], "casussen": ["2024-02-a"], "wie": "Manager"}
    solved = report_kb.create_signal(titel="Logeeropvang tussen wetten", **fields).id
    for naar in ("geagendeerd", "in-behandeling", "opgelost"):
        report_kb.move_signal(solved, naar, "Beleidsadviseur", f"naar {naar}")
    dropped = report_kb.create_signal(titel="Bekostiging blijft liggen", **fields).id
    report_kb.move_signal(dropped, "niet-opgepakt", "Zorgkantoor", "geen capaciteit")
    fresh = report_kb.create_signal(titel="Nieuw signaal", **fields).id
    year = datetime.now(UTC).year
    report = build_report(report_kb, f"{year}-01", f"{year}-12")
    lists = {name: [(s.id, s.status) for s in lines] for name, lines in report.signalen.lists()}
    assert lists == {
        "geopend": [(solved, "Opgelost"), (dropped, "Niet opgepakt"), (fresh, "Nieuw")],
        "opgelost": [(solved, "Opgelost")],
        "vastgelopen": [(dropped, "Niet opgepakt")],  # the fresh one moved less than 90 days ago
        "opnieuw_gezien": [],
    }
    assert report.signalen.geopend[0].adressaat == "Zorgkantoor"
    assert report.peilmoment <= datetime.now(UTC)
    past = build_report(report_kb, "2020-01", "2020-12")
    assert all(not lines for _name, lines in past.signalen.lists())
    assert all(s.signalen == 0 and s.mediaan_dagen is None for s in past.tijd_in_status)


def _history(kb: KnowledgeBase, titel: str, steps: list[tuple[str, str, str | None]]) -> int:
    """A signal with a constructed history of (soort, naar or casus, day in UTC)."""
    with Session(kb.engine) as session:
        final = [naar for soort, naar, _ in steps if soort != "opnieuw-gezien"][-1]
        signal = Signal(titel=titel, adressaat="zorgkantoor", status=final, blokkades=[WLZ], casussen=[])
        session.add(signal)
        session.flush()
        assert signal.id is not None
        for soort, naar, moment in steps:
            event = SignalEvent(
                signal_id=signal.id,
                soort=soort,
                wie="Test",
                moment=datetime.fromisoformat(str(moment)).replace(tzinfo=UTC),
            )
            if soort == "opnieuw-gezien":
                event.casus = naar
            else:
                event.naar = naar
            session.add(event)
        session.commit()
        return signal.id


@pytest.fixture
def histories(report_kb: KnowledgeBase) -> dict[str, int]:
    a = _history(
        report_kb,
        "A",
        [
            ("aangemaakt", "nieuw", "2023-12-01"),
            ("status", "geagendeerd", "2024-01-11"),
            ("status", "in-behandeling", "2024-02-10"),
            ("status", "opgelost", "2024-03-01"),
            ("opnieuw-gezien", "2024-12-c", "2024-03-20"),
        ],
    )
    b = _history(report_kb, "B", [("aangemaakt", "nieuw", "2024-02-01"), ("status", "geagendeerd", "2024-02-21")])
    c = _history(report_kb, "C", [("aangemaakt", "nieuw", "2024-05-01")])
    d = _history(report_kb, "D", [("aangemaakt", "nieuw", "2022-01-01")])
    e = _history(report_kb, "E", [("aangemaakt", "nieuw", "2023-06-01"), ("status", "niet-opgepakt", "2024-03-15")])
    return {"A": a, "B": b, "C": c, "D": d, "E": e}


def test_signal_lists_follow_the_history(report_kb: KnowledgeBase, histories: dict[str, int]) -> None:
    report = build_report(report_kb, "2024-01", "2024-03")
    name = {v: k for k, v in histories.items()}
    lists = {key: [(name[s.id], s.status, s.datum) for s in lines] for key, lines in report.signalen.lists()}
    assert lists == {
        "geopend": [("B", "Geagendeerd", "2024-02-01")],
        "opgelost": [("A", "Opgelost", "2024-03-01")],
        # D is open without any event for two years; E was given up; B moved 40 days before the end.
        "vastgelopen": [("D", "Nieuw", "2022-01-01"), ("E", "Niet opgepakt", "2024-03-15")],
        "opnieuw_gezien": [("A", "Opgelost", "2024-03-20")],
    }
    assert report.signalen.opnieuw_gezien[0].casussen == ("2024-12-c",)
    earlier = build_report(report_kb, "2023-10", "2023-12")
    assert [name[s.id] for s in earlier.signalen.geopend] == ["A"]
    assert [(name[s.id], s.status) for s in earlier.signalen.vastgelopen] == [("D", "Nieuw"), ("E", "Nieuw")]


def test_time_in_status_counts_only_the_period(report_kb: KnowledgeBase, histories: dict[str, int]) -> None:
    report = build_report(report_kb, "2024-01", "2024-03")  # 2024-01-01 up to 2024-04-01 (a leap year)
    times = {s.status: (s.signalen, s.mediaan_dagen) for s in report.tijd_in_status}
    assert times == {
        "nieuw": (4, 47.0),  # A 10, B 20, E 74, D 91 days; C starts after the period
        "geagendeerd": (2, 35.0),  # A 30, B 40
        "in-behandeling": (1, 20.0),  # A from 10 February to 1 March
        "opgelost": (1, 31.0),
        "niet-opgepakt": (1, 17.0),
    }


def test_time_in_status_stops_at_now_when_the_period_runs_on(
    report_kb: KnowledgeBase, histories: dict[str, int]
) -> None:
    nu = datetime(2024, 2, 15, 12, tzinfo=UTC)
    report = build_report(report_kb, "2024-01", "2024-12", nu=nu)
    assert report.peilmoment == nu and report.gemaakt_op == nu
    times = {s.status: s for s in report.tijd_in_status}
    assert (times["in-behandeling"].signalen, times["in-behandeling"].mediaan_dagen) == (1, 5.5)
    assert times["in-behandeling"].mediaan_tekst == "5,5" and times["opgelost"].mediaan_tekst == "–"
    assert report.signalen.opgelost == []  # A is resolved only on 1 March, after "now"


def _render(report: Report) -> str:
    from web.routes import templates

    charts = {"blokkades": Markup('<svg id="staaf"></svg>'), "matrix": Markup('<svg id="matrix"></svg>')}
    template = templates.get_template("report.html")
    page = template.render(report=report, charts=charts, json_url=None, md_url="/rapportage.md", request=None)
    return re.sub(r">\s+<", "><", page)  # so assertions can look at one table row


def test_page_renders_every_part(report_kb: KnowledgeBase, histories: dict[str, int]) -> None:
    page = _render(build_report(report_kb, "2024-01", "2024-03"))
    assert "<title>Verantwoordingsrapportage 2024-01 – 2024-03 · Leerlus</title>" in page
    for heading in ("Besproken casussen per soort", "Knelpuntenmatrix", "Signalen", "Tijd per status"):
        assert heading in page
    assert '<svg id="staaf"></svg>' in page and '<svg id="matrix"></svg>' in page
    assert "Afdrukken" in page and 'href="/rapportage.md"' in page
    # the print layout lives in the style sheet (the Content-Security-Policy allows no inline style)
    assert '<link rel="stylesheet" href="/static/style.css">' in page and "<style" not in page
    css = (Path(__file__).resolve().parent.parent / "web" / "static" / "style.css").read_text(encoding="utf-8")
    assert "@media print" in css and ".report section { break-inside: avoid-page;" in css
    assert f'href="/signalen/{histories["A"]}"' in page and 'href="/casus/2024-12-c"' in page
    assert '<th scope="row">Nieuw</th><td class="num">4</td><td class="num">47</td>' in page


def test_page_for_a_full_year(report_kb: KnowledgeBase) -> None:
    page = _render(build_report(report_kb, "2024-01", "2024-12"))
    wlz = report_kb.taxonomy.label("blokkades", WLZ)
    assert f">{wlz}</a>" in page and '<td class="num">3</td><td class="num">0</td><td class="num">+3</td>' in page
    assert '<td class="num">1</td><td class="num">1</td><td class="num">0</td><td>gelijk</td>' in page
    assert '<th scope="row">Utrecht</th><td class="num">2</td><td class="num">1</td>' in page
    assert 'href="/casus/2024-07-d"' in page and "Besluit van 2024-07-d." in page
