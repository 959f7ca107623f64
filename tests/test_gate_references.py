"""The gate tells references from people (#13): a method, theory or public office named after a
person gets a warning, not a refusal; a name with an age is a person, in any spelling; a word with a
digit or a common word after "van de" is no surname."""

from __future__ import annotations

import pytest

from ingest.gate import Gate, get_gate


@pytest.fixture(scope="session")
def gate() -> Gate:
    loaded = get_gate()
    loaded.load()
    return loaded


def _names(gate: Gate, text: str) -> dict[str, bool]:
    """Each person finding's text -> whether it refuses the text."""
    return {f.text: f.blocking for f in gate.check(text).findings if f.kind == "persoonsnaam"}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("De collega is getraind in Signs of Safety (Turnell & Edwards). Verder niets.", "Edwards"),
        ("- Theraplay en Kindgesprek (Hanna Verwoerd) zijn beschikbaar in de regio.", "Hanna Verwoerd"),
        ("Een teamtraining Traumasensitief werken (Van der Kolk, Perry) volgt in mei.", "Perry"),
        ("Muziek helpt hem reguleren, dat past bij Joris Andriessen (polyvagaal model).", "Joris Andriessen"),
        ("Met de bril van Nagy (contextuele benadering) gaat het om loyaliteit.", "Nagy"),
        ("Zie wat de vorige Nationale ombudsman, Reinier van Zutphen, schreef over loketten.", "Reinier van Zutphen"),
        ("Moeder reageert goed op de Marte Meo-beelden.\nAfspraken:\n- Marte Meo, 6 sessies", "Marte Meo"),
    ],
)
def test_a_reference_gets_a_warning_not_a_refusal(gate: Gate, text: str, name: str) -> None:
    assert _names(gate, text).get(name) is False, _names(gate, text)
    assert gate.check(text).ok


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Moeder (Sandra Jansen) belde het wijkteam.", "Sandra Jansen"),
        ("Het gesprek met de buurman (Jan Smit) ging goed.", "Jan Smit"),
        ("Thuiszitter Jeroen (15) wil naar school.", "Jeroen"),
        ("Aanwezig: jeugdconsulent, mentor\n\nSenait (16) is een alleenstaande minderjarige.", "Senait"),
        ("Notities\n- dmytro (12, uit Charkiv) zit sinds januari op de ISK.", "dmytro"),
        ("Reflectie: collega joost van der Meer de-escaleerde de situatie.", "joost"),
    ],
)
def test_a_person_in_the_case_is_still_refused(gate: Gate, text: str, name: str) -> None:
    assert _names(gate, text).get(name) is True, _names(gate, text)
    assert not gate.check(text).ok


@pytest.mark.parametrize(
    "text",
    [
        "De jongen (12) en het meisje (9) wonen bij oma.",
        "Onderwerp: kwartaalrapportage Leerlus Q3\n\nIn Q3 zijn 41 casussen ingebracht.",
        "Casus: jongvolwassene, autisme. Bottom line van de aanbieders: geen passend aanbod.",
    ],
)
def test_ordinary_words_with_an_age_digit_or_particle_pass(gate: Gate, text: str) -> None:
    assert gate.check(text).ok, [(f.text, f.reason) for f in gate.check(text).findings if f.blocking]


def test_a_team_mailbox_is_no_person_but_a_private_address_is(gate: Gate) -> None:
    team = gate.check("Mail het expertteam via expertteam@jeugdregio-voorbeeld.nl of secretariaat.jeugd@gemeente.nl.")
    assert team.ok and {f.kind for f in team.findings} == {"e-mailadres"}
    private = gate.check("Moeder mailt vanaf sanne.devries@gmail.com.")
    assert not private.ok


def test_a_date_followed_by_born_is_a_date_of_birth(gate: Gate) -> None:
    found = gate.check("Het meisje werd op 14 februari 2016 met 27 weken geboren in het ziekenhuis.")
    assert [(f.kind, f.blocking) for f in found.findings] == [("geboortedatum", True)]
    meeting = gate.check("Op 14 februari 2024 is de casus besproken; de baby wordt in mei geboren.")
    assert meeting.ok


def test_a_title_in_the_family_language_leads_a_name(gate: Gate) -> None:
    assert not gate.check("Zijn moeder, pani Nowak, werkt via een uitzendbureau.").ok


def test_theorists_and_brands_are_no_people_in_the_case(gate: Gate) -> None:
    text = "Het team leest Bessel van der Kolk en Salvador Minuchin. Hij wil Nike-schoenen en een Mercedes."
    assert gate.check(text).ok
