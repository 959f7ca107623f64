"""Binding advice as a record and its compliance follow-up (issue 15): parties, obligations and
deadlines in the front matter, validated; status steps kept apart and only appended; overdue
obligations counted per party and per boundary."""

from __future__ import annotations

import datetime as dt

import pytest

from api.app import create_app
from ingest.parse import parse_case
from ingest.runner import reindex
from kb.knowledge import KnowledgeBase
from kb.taxonomy import load_taxonomy
from tests.conftest import signed_in

EXAMPLE = "2025-09-thuiszitter-zorg-in-de-klas-wlz"

GOOD = """---
titel: "Bindend advies over zorg in de klas"
soort: bindend-advies
datum: 2024-05
vraag: "Wie betaalt de zorg in de klas?"
grondslag: "art. 2.3 Jeugdwet"
partijen:
  - partij: Zorgkantoor
    verplichting: "financiert de zorg"
    uiterlijk: 2024-07
  - partij: gemeente
    verplichting: "houdt de regie"
---
Tekst.
"""


def test_the_fields_are_read_and_validated() -> None:
    taxonomy = load_taxonomy()
    record = parse_case(GOOD.encode(), path="a.md", rel_path="a.md", taxonomy=taxonomy).record
    assert record is not None and record.vraag == "Wie betaalt de zorg in de klas?"
    assert [(o.partij, o.uiterlijk) for o in record.partijen] == [("zorgkantoor", "2024-07"), ("gemeente", None)]
    assert not record.extra  # known fields, not "unknown and kept"
    for bad, message in [
        ("  - partij: mevrouw Jansen\n    verplichting: x\n", "partij 'mevrouw jansen' is onbekend"),
        ("  - partij: gemeente\n", "'verplichting' ontbreekt"),
        ("  - partij: gemeente\n    verplichting: x\n    uiterlijk: 2024-13\n", "uiterlijk '2024-13' is geen datum"),
    ]:
        text = GOOD.split("partijen:\n")[0] + "partijen:\n" + bad + "---\nTekst.\n"
        result = parse_case(text.encode(), path="b.md", rel_path="b.md", taxonomy=taxonomy)
        assert result.record is None
        [issue] = [i for i in result.issues if i.is_error]
        assert message in str(issue) and issue.line == 7 and "b.md:7" in str(issue)




def test_status_steps_are_appended_and_survive_reindex(own_kb: KnowledgeBase) -> None:
    file = own_kb.settings.content_dir / f"{EXAMPLE}.md"
    before = file.read_bytes()
    parties = [o["partij"] for o in own_kb.case(EXAMPLE).partijen]
    assert parties == ["zorgkantoor", "samenwerkingsverband", "gemeente"]
    own_kb.move_obligation(EXAMPLE, 1, "nagekomen", "Expertteam Amsterdam")
    with pytest.raises(Exception, match="notitie"):
        own_kb.move_obligation(EXAMPLE, 2, "niet-nagekomen", "Expertteam Amsterdam")
    own_kb.move_obligation(EXAMPLE, 2, "niet-nagekomen", "Expertteam Amsterdam", "Lokaal niet aangepast.")
    reindex(own_kb)
    first, second, third = own_kb.case(EXAMPLE).partijen
    assert (first["status"], second["status"], third["status"]) == ("nagekomen", "niet-nagekomen", "open")
    assert second["geschiedenis"][0]["notitie"] == "Lokaal niet aangepast."
    assert file.read_bytes() == before  # the author's file is never rewritten


def test_overdue_per_party_and_boundary(own_kb: KnowledgeBase) -> None:
    during = own_kb.compliance(dt.date(2025, 11, 15))
    assert [o["partij"] for o in during["te_laat"]] == ["zorgkantoor"]  # 2025-10 has passed, 2025-11 not yet
    later = own_kb.compliance(dt.date(2026, 12, 7))
    assert later["te_laat_per_partij"] == {"zorgkantoor": 1, "samenwerkingsverband": 1, "gemeente": 1}
    assert later["te_laat_per_grens"]["grens.jeugdwet-wlz"] == 3
    own_kb.move_obligation(EXAMPLE, 1, "nagekomen", "Expertteam")
    assert own_kb.compliance(dt.date(2026, 12, 7))["te_laat_per_partij"].get("zorgkantoor") is None


def test_over_the_api_and_the_pages(own_kb: KnowledgeBase) -> None:
    with signed_in(create_app(own_kb.settings, kb=own_kb)) as client:
        body = client.get("/api/naleving").json()
        assert len(body["verplichtingen"]) == 3
        url = f"/api/cases/{EXAMPLE}/verplichtingen/3/status"
        refused = client.post(url, json={"naar": "niet-nagekomen", "wie": "X", "notitie": "Moeder Sandra de Vries belde 06-12345678"})
        assert refused.status_code == 422
        done = client.post(url, json={"naar": "nagekomen", "wie": "Expertteam"})
        assert done.status_code == 200 and done.json()["status"] == "nagekomen"
        assert client.post(url, json={"naar": "nagekomen", "wie": "Expertteam"}).status_code == 409
        assert client.post(f"/api/cases/{EXAMPLE}/verplichtingen/9/status", json={"naar": "nagekomen", "wie": "X"}).status_code == 404
        page = client.get(f"/casus/{EXAMPLE}")
        assert "Advies en naleving" in page.text and "Nagekomen" in page.text
        step = client.post(f"/casus/{EXAMPLE}/verplichtingen/1", data={"naar": "nagekomen", "wie": "Expertteam"}, follow_redirects=False)
        assert step.status_code == 303
        overview = client.get("/naleving").text  # 1 and 3 complied with; 2 (uiterlijk 2025-11) is late
        assert "Na de termijn nog open (1)" in overview and "Samenwerkingsverband passend onderwijs 1" in overview


def test_a_binding_advice_over_the_api_keeps_its_parties_and_refuses_unknown_fields(own_kb: KnowledgeBase) -> None:
    case = {
        "titel": "Bindend advies: zorgkantoor en gemeente over logeeropvang",
        "soort": "bindend-advies",
        "datum": "2026-11",
        "tekst": "Het expertteam adviseert bindend over de logeeropvang.",
        "vraag": "Wie betaalt de logeeropvang?",
        "partijen": [
            {"partij": "zorgkantoor", "verplichting": "Betaalt de logeeropvang uit de Wlz.", "uiterlijk": "2027-01"},
            {"partij": "gemeente", "verplichting": "Regelt het vervoer."},
        ],
    }
    with signed_in(create_app(own_kb.settings, kb=own_kb)) as client:
        unknown = client.post("/api/cases", json={**case, "naleving": "ja"})
        assert unknown.status_code == 422 and "naleving" in unknown.text
        personal = client.post(
            "/api/cases",
            json={**case, "partijen": [{"partij": "gemeente", "verplichting": "Belt moeder Sandra de Vries op 06-12345678."}]},
        )
        assert personal.status_code == 422 and personal.json()["code"] == "persoonsgegevens"
        made = client.post("/api/cases", json=case)
        assert made.status_code == 201, made.text
        body = made.json()
        assert [p["partij"] for p in body["partijen"]] == ["zorgkantoor", "gemeente"] and body["vraag"] == case["vraag"]
        assert all(p["status"] == "open" for p in body["partijen"])
        file = own_kb.settings.content_dir / f"{body['id']}.md"
        assert "partijen:" in file.read_text(encoding="utf-8")


def test_the_report_lists_what_is_overdue_at_its_peildatum(own_kb: KnowledgeBase) -> None:
    from kb.report import build_report

    report = build_report(own_kb, "2025-01", "2025-12")
    late = report.naleving["te_laat"] if report.naleving else []
    assert [o["partij"] for o in late] == ["zorgkantoor", "samenwerkingsverband"]  # gemeente: 2026-03
    assert "## Naleving van bindende adviezen" in report.to_markdown() and "Zorgkantoor" in report.to_markdown()
    assert report.to_dict()["naleving"]["te_laat_per_partij"] == {"zorgkantoor": 1, "samenwerkingsverband": 1}


def test_patterns_count_overdue_obligations_of_the_selection(own_kb: KnowledgeBase) -> None:
    """Overdue obligations show on /patronen, per party and per boundary, for the selected cases only."""
    from kb.patterns import PatternRequest, Selection

    region = own_kb.case(EXAMPLE).regio
    own_kb.move_obligation(EXAMPLE, 1, "nagekomen", "Expertteam")  # the zorgkantoor complied
    chosen = own_kb.patterns(PatternRequest(selectie=Selection(filters=(("regio", (region,)),))))
    assert chosen.naleving is not None
    assert chosen.naleving["te_laat_per_partij"] == {"samenwerkingsverband": 1, "gemeente": 1}  # deadlines 2025-11, 2026-03
    assert chosen.naleving["te_laat_per_grens"]["grens.jeugdwet-wlz"] == 2
    other = own_kb.patterns(PatternRequest(selectie=Selection(filters=(("soort", ("casusbespreking",)),))))
    assert other.naleving is not None and other.naleving["te_laat"] == []
    with signed_in(create_app(own_kb.settings, kb=own_kb)) as client:
        assert client.get("/api/patterns").json()["naleving"]["te_laat_per_partij"]["gemeente"] == 1
        page = client.get("/patronen").text
        assert 'id="h-naleving"' in page
        assert "Samenwerkingsverband passend onderwijs</td><td>1" in page
