"""Equal-treatment check (issue 15): the direction of a decision is read from its words, and the
earlier comparable decisions that went the other way are shown with the facts that differ."""

from __future__ import annotations

import pytest

from api.app import create_app
from kb.equality import GRANTED, PARTLY, REFUSED, Direction, check, reader_for
from kb.knowledge import KnowledgeBase
from kb.taxonomy import load_taxonomy
from tests.conftest import signed_in

EXAMPLE = "2025-09-thuiszitter-zorg-in-de-klas-wlz"


@pytest.fixture(scope="module")
def reader():  # type: ignore[no-untyped-def]
    return reader_for(load_taxonomy())


@pytest.mark.parametrize(
    ("besluit", "uitkomst"),
    [
        ("Het verzoek om extra begeleiding wordt afgewezen.", REFUSED),
        ("De aanvraag wordt niet gehonoreerd; de beleidsregel blijft van kracht.", REFUSED),
        ("Er is geen grond om af te wijken van de beleidsregel.", REFUSED),
        ("De gemeente kent het maatwerkbudget toe voor een jaar.", GRANTED),
        ("Bij wijze van uitzondering wordt de logeeropvang vergoed.", GRANTED),
        ("Het pgb wordt gedeeltelijk toegekend: de begeleiding wel, het vervoer wordt niet vergoed.", PARTLY),
        ("Het gesprek met de ouders vond plaats in het gemeentehuis.", None),
    ],
)
def test_outcome_is_read_from_the_decision(reader, besluit: str, uitkomst: str | None) -> None:  # type: ignore[no-untyped-def]
    assert reader.direction(besluit).uitkomst == uitkomst


@pytest.mark.parametrize(
    ("besluit", "betalers"),
    [
        ("Het zorgkantoor financiert de zorg uit de Wlz.", ("zorgkantoor",)),
        ("De verpleging op school komt voor rekening van de zorgverzekeraar.", ("zorgverzekeraar",)),
        ("De zorg valt onder de Wet langdurige zorg.", ("zorgkantoor",)),
        ("Het samenwerkingsverband betaalt het onderwijsdeel en de gemeente het zorgdeel.", ("samenwerkingsverband", "gemeente")),
        ("De gemeente betaalt niet; het zorgkantoor is aan zet.", ("zorgkantoor",)),
    ],
)
def test_payers_are_read_from_the_decision(reader, besluit: str, betalers: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    assert reader.direction(besluit).betalers == betalers


def test_bound_parties_name_the_payer_and_the_besluit_heading_is_a_fallback(reader) -> None:  # type: ignore[no-untyped-def]
    parties = [
        {"partij": "wijkteam", "verplichting": "Houdt de regie."},
        {"partij": "zorgkantoor", "verplichting": "Financiert de logeeropvang."},
    ]
    assert reader.direction("", parties=parties).betalers == ("zorgkantoor",)
    body = "## Situatie\nDe gemeente twijfelt.\n\n## Besluit\nHet verzoek wordt afgewezen.\n\n## Lessen\nToekennen was beter."
    assert reader.direction(None, body).uitkomst == REFUSED


def test_directions_differ_only_when_they_go_opposite_ways() -> None:
    assert Direction(GRANTED).differs(Direction(REFUSED))
    assert not Direction(GRANTED).differs(Direction(PARTLY))
    assert not Direction(None, ("gemeente",)).differs(Direction(None, ("gemeente", "samenwerkingsverband")))
    assert Direction(None, ("zorgkantoor",)).differs(Direction(None, ("gemeente",)))
    assert not Direction().differs(Direction(REFUSED, ("gemeente",)))


def test_flags_on_the_sample_corpus_are_earlier_comparable_and_opposite(sample_kb: KnowledgeBase) -> None:
    result = check(sample_kb, EXAMPLE)
    assert result is not None
    assert result.richting.betalers[0] == "zorgkantoor"
    assert result.afwijkend, "the worked example has earlier Wlz decisions in which the gemeente paid"
    source = sample_kb.case(EXAMPLE)
    for departure in result.afwijkend:
        other = sample_kb.case(departure.id)
        assert other.datum < source.datum
        assert other.soort in ("maatwerkbesluit", "bindend-advies")
        assert other.leeftijdscategorie == source.leeftijdscategorie
        assert "grens.jeugdwet-wlz" in other.blokkades
        assert result.richting.differs(departure.richting) == departure.anders
    assert check(sample_kb, "2019-04-huilbaby-jonge-ouders") is None  # a casusbespreking has no decision to check


def test_case_page_api_and_dossier_show_the_check(sample_kb: KnowledgeBase) -> None:
    with signed_in(create_app(sample_kb.settings, kb=sample_kb)) as client:
        body = client.get(f"/api/cases/{EXAMPLE}/gelijkheid").json()
        assert body["van_toepassing"] is True
        assert body["afwijkend"] and body["afwijkend"][0]["verschillen"] is not None
        first = body["afwijkend"][0]["id"]
        page = client.get(f"/casus/{EXAMPLE}").text
        assert "Vergelijkbaar, andere uitkomst" in page and f'href="/casus/{first}"' in page
        other = client.get("/api/cases/2019-04-huilbaby-jonge-ouders/gelijkheid").json()
        assert other == {"id": "2019-04-huilbaby-jonge-ouders", "van_toepassing": False}
        assert client.get("/api/cases/bestaat-niet/gelijkheid").status_code == 404
        dossier = client.post("/api/dossier", json={"grens": "grens.jeugdwet-wlz"}).json()
        assert all("richting" in row for row in dossier["rijen"])
        assert any(pair["eerder"] == first for pair in dossier["andere_uitkomst"])
