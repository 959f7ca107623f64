"""Validation and bad input: every problem gets a Dutch message naming file, line and field."""

from __future__ import annotations

import pytest

from ingest.parse import parse_case
from kb.taxonomy import load_taxonomy

TAX = load_taxonomy()
GOOD_FRONT = "titel: Casus\nsoort: casusbespreking\ndatum: 2024-03\n"


def parse(text: str | bytes, path: str = "content/2024-03-wlz.md", max_bytes: int = 1_000_000):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return parse_case(raw, path=path, rel_path=path.split("/", 1)[-1], taxonomy=TAX, max_bytes=max_bytes)


def messages(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(i) for i in result.issues]


def test_unknown_kind_names_file_line_and_choices() -> None:
    text = "---\ntitel: Casus\ndatum: 2024-03\nsoort: casusbespreeking\n---\nTekst\n"
    result = parse(text)
    assert result.record is None
    assert messages(result) == [
        "content/2024-03-wlz.md:4: soort 'casusbespreeking' is onbekend; kies uit "
        "casusbespreking, maatwerkbesluit, bindend-advies, escalatie"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\nsoort: escalatie\ndatum: 2024-03\n---\nx", ":2: verplicht veld 'titel' ontbreekt"),
        ("---\ntitel: X\nsoort: escalatie\n---\nx", ":2: verplicht veld 'datum' ontbreekt"),
        (
            "---\ntitel: X\nsoort: escalatie\ndatum: 2024-13\n---\nx",
            ":4: datum '2024-13' is ongeldig",
        ),
        ("---\ntitel: X\nsoort: escalatie\ndatum: 2024\n---\nx", ":4: datum '2024' is ongeldig"),
        (
            "---\ntitel: [a, b]\nsoort: escalatie\ndatum: 2024-01\n---\nx",
            ":2: titel moet tekst zijn, geen lijst",
        ),
        (
            "---\ntitel: X\nsoort: escalatie\ndatum: 2024-01\nleeftijdscategorie: 5-9\n---\nx",
            ":5: leeftijdscategorie '5-9' is onbekend; kies uit 0-4, 4-12, 12-18, 18-23",
        ),
        (
            "---\ntitel: X\nsoort: escalatie\ndatum: 2024-01\nhulpvraag: gezin\n---\nx",
            ":5: hulpvraag 'gezin' is onbekend",
        ),
        (
            "---\ntitel: X\nsoort: escalatie\ndatum: 2024-01\nblokkades: [grens.jeugdwet-wlzz]\n---\nx",
            ":5: blokkade 'grens.jeugdwet-wlzz' is onbekend; bedoelde u grens.jeugdwet-wlz?",
        ),
        (
            "---\ntitel: X\nsoort: escalatie\ndatum: 2024-01\nblokkades: {a: 1}\n---\nx",
            ":5: blokkades moet een lijst van teksten zijn",
        ),
        (
            "---\ntitel: X\nsoort: escalatie\ndatum: 2024-01\nlessen: [a]\n---\nx",
            ":5: lessen moet de lijsten 'casus' en 'systeem' bevatten",
        ),
        (
            "---\ntitel: X\nsoort: escalatie\ntitel: Y\ndatum: 2024-01\n---\nx",
            ":4: veld 'titel' staat meer dan eens",
        ),
        ("---\ntitel: X: Y: Z\nsoort: escalatie\n---\nx", ":2: ongeldige YAML in de front matter"),
        ('---\ntitel: "X\nsoort: escalatie\n---\nx', "ongeldige YAML in de front matter"),
        ("titel: X\nsoort: escalatie\n", ":1: front matter ontbreekt"),
        ("---\ntitel: X\nsoort: escalatie\n", ":1: front matter wordt niet afgesloten"),
        ("---\n- a\n- b\n---\nx", ":2: front matter moet bestaan uit regels 'veld: waarde'"),
        ("   \n\n", "bestand is leeg"),
        ("", "bestand is leeg"),
        (
            "---\nid: 'met spatie'\ntitel: X\nsoort: escalatie\ndatum: 2024-01\n---\nx",
            ":2: id 'met spatie' (uit id) mag alleen",
        ),
    ],
)
def test_bad_input_is_reported_in_dutch(text: str, expected: str) -> None:
    result = parse(text)
    assert result.record is None
    assert any(expected in m for m in messages(result)), messages(result)
    assert all(m.startswith("content/2024-03-wlz.md") for m in messages(result))


def test_non_utf8_names_line() -> None:
    raw = b"---\ntitel: Caf\xe9\nsoort: escalatie\ndatum: 2024-01\n---\n"
    result = parse(raw)
    assert result.record is None
    assert messages(result) == [
        "content/2024-03-wlz.md:2: bestand is geen geldige UTF-8 (byte 0xe9); sla het op als UTF-8"
    ]


def test_oversized_file_is_refused() -> None:
    text = "---\n" + GOOD_FRONT + "---\n" + "woord " * 200_000
    result = parse(text)
    assert result.record is None
    assert "bestand is te groot (1.2 MB); de grens is 1 MB" in messages(result)[0]


def test_unknown_keys_are_kept_and_warned() -> None:
    text = "---\n" + GOOD_FRONT + "gemeente_extra: Zeist\nlessen:\n  casus: [a]\n  later: [b]\n---\nTekst"
    result = parse(text)
    assert result.record is not None
    assert result.record.extra == {"gemeente_extra": "Zeist", "lessen.later": ["b"]}
    warnings = messages(result)
    assert (
        "content/2024-03-wlz.md:5: waarschuwing: veld 'gemeente_extra' is onbekend; het wordt bewaard maar niet gebruikt"
        in warnings
    )
    assert any("lessen.later is onbekend" in w for w in warnings)


def test_values_are_normalised() -> None:
    text = (
        "---\ntitel: '  X  '\nsoort: Escalatie\ndatum: 2024-03-05\n"
        "hulpvraag: Jongvolwassenen in een kwetsbare positie (18-/18+)\n"
        "wetten: [WLZ, wet langdurige zorg, Jeugdwet, Woningwet]\n"
        "verwijzingen: '[[2020-01-a]]'\n---\nZie [[2019-01-b|de eerdere casus]].\n"
    )
    result = parse(text)
    record = result.record
    assert record is not None, messages(result)
    assert (record.titel, record.soort, record.datum) == ("X", "escalatie", "2024-03-05")
    assert record.hulpvraag == ("jongvolwassenen",)
    assert record.wetten == ("Wet langdurige zorg", "Jeugdwet", "Woningwet")
    assert record.verwijzingen == ("2020-01-a",)
    assert record.body_links == ("2019-01-b",)
    assert record.links() == {"2019-01-b": "tekst", "2020-01-a": "verwijzing"}
    assert any("wet 'Woningwet' is niet bekend" in m for m in messages(result))


def test_id_defaults_to_file_name() -> None:
    result = parse("---\n" + GOOD_FRONT + "---\nTekst", path="content/sub/2024-03-abc.md")
    assert result.record is not None
    assert result.record.id == "2024-03-abc"
    assert result.record.path == "sub/2024-03-abc.md"
