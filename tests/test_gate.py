"""The anonymisation gate: planted personal data is found, bait passes, placeholders are consistent,
and quality on the development and held-out sets stays above a floor."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.eval_privacy import DEFAULT_SET, evaluate
from ingest.gate import Gate, get_gate, redact
from ingest.privacy_rules import elfproef, iban_valid

HELD_OUT = Path(__file__).parent / "data" / "privacy_toets.yaml"


@pytest.fixture(scope="session")
def gate() -> Gate:
    loaded = get_gate()
    loaded.load()
    return loaded


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("Moeder (Annelies Verbeek) belde het wijkteam.", "persoonsnaam", "Annelies Verbeek"),
        ("Gesprek met mevrouw Bakker over de opvoeding.", "persoonsnaam", "Bakker"),
        ("Kind: Yonas Tekle, sinds de zomer in een gezinshuis.", "persoonsnaam", "Yonas Tekle"),
        ("Haar broer Mehmet woont nog thuis.", "persoonsnaam", "Mehmet"),
        ("BSN 111222333 staat in het dossier.", "bsn", "111222333"),
        ("Burgerservicenummer: 123.456.782.", "bsn", "123.456.782"),
        ("De jongen is geboren op 3 april 2011 in Zwolle.", "geboortedatum", "3 april 2011"),
        ("Geb. 03-04-2011, groep 7.", "geboortedatum", "03-04-2011"),
        ("Het gezin woont aan de Kerkstraat 12a.", "adres", "Kerkstraat 12a"),
        ("Postcode 3511 AB 14, derde verdieping.", "adres", "3511 AB 14"),
        ("Bel moeder op 06-12345678.", "telefoonnummer", "06-12345678"),
        ("Het nummer is +31 6 1234 5678.", "telefoonnummer", "+31 6 1234 5678"),
        ("Mail naar m.jansen+jeugd@voorbeeld.nl voor afspraken.", "e-mailadres", "m.jansen+jeugd@voorbeeld.nl"),
        ("Toeslag gestort op NL91 ABNA 0417 1643 00.", "iban", "NL91 ABNA 0417 1643 00"),
    ],
)
def test_planted_personal_data_blocks(gate: Gate, text: str, kind: str, found: str) -> None:
    result = gate.check(text)
    assert not result.ok
    hits = [f for f in result.blocking if found in f.text or f.text in found]
    assert hits and hits[0].kind == kind, result.findings
    for finding in result.findings:
        assert text[finding.start : finding.end] == finding.text
    assert found not in result.redacted


@pytest.mark.parametrize(
    "text",
    [
        "In maart 2023 besprak het buurtteam in Utrecht de casus van een jongen van 14.",
        "Moeder, oma en de jeugdarts spraken met de casusregisseur en de leerplichtambtenaar.",
        "Veilig Thuis en de Raad voor de Kinderbescherming deden onderzoek; de GI nam de OTS over.",
        "Het zorgkantoor verwees naar de Wlz; de Jeugdwet en de Wmo 2015 boden geen uitweg.",
        "De jongere (16) uit Den Bosch krijgt 15 uur per week begeleiding à 75 euro.",
        "Zie casus 2023-05-wlz-indicatie; om 14.30 uur belde het samenwerkingsverband.",
        "Zaaknummer 123456789 is bij de gemeente Zeist bekend.",
        "Rond Sinterklaas en Koningsdag ging het beter in Zuid-Limburg.",
        "Pak werk, inkomen en schulden samen op. Wijs één regisseur aan.",
    ],
)
def test_clean_text_passes(gate: Gate, text: str) -> None:
    result = gate.check(text)
    assert result.ok, result.findings
    assert result.redacted == text


def test_meeting_date_is_a_warning_not_a_block(gate: Gate) -> None:
    result = gate.check("Het overleg van 12 maart 2024 verliep goed.")
    assert result.ok
    assert [(f.kind, f.blocking) for f in result.findings] == [("datum", False)]


def test_the_case_date_field_is_not_flagged_but_dates_in_text_are(gate: Gate) -> None:
    text = "---\ntitel: Overleg\ndatum: 2024-10-22\n---\nHet vervolggesprek was op 2024-11-05.\n"
    found = [(f.kind, f.line, f.text) for f in gate.check(text).findings]
    assert found == [("datum", 5, "2024-11-05")]


def test_same_person_same_placeholder(gate: Gate) -> None:
    text = "Fatima el Amrani belde. Later belde Fatima opnieuw. Daarna kwam Jan de Vries, en BSN 111222333."
    redacted = gate.check(text).redacted
    assert redacted.count("[PERSOON-1]") == 2
    assert "[PERSOON-2]" in redacted and "[BSN-1]" in redacted
    assert "Fatima" not in redacted and "Vries" not in redacted


def test_line_numbers(gate: Gate) -> None:
    text = "Regel een.\nRegel twee.\nBel 06-12345678."
    assert gate.check(text).blocking[0].line == 3


def test_deny_list_and_sample_corpus_allowed(gate: Gate, tmp_path: Path) -> None:
    (tmp_path / "privacy.yaml").write_text(
        "toegestaan: {rollen: [moeder]}\nverboden:\n  - {tekst: Zonnebloemhuis, soort: adres}\n", encoding="utf-8"
    )
    from kb.taxonomy import load_taxonomy

    custom = Gate(load_taxonomy(tmp_path))
    custom._deduce = gate._deduce  # share the loaded deduce; the lists are what differ
    result = custom.check("Moeder woont in het Zonnebloemhuis.")
    assert [(f.kind, f.text) for f in result.blocking] == [("adres", "Zonnebloemhuis")]


def test_sample_corpus_passes_the_gate(gate: Gate) -> None:
    for path in sorted(Path("content").glob("*.md")):
        result = gate.check(path.read_text(encoding="utf-8"))
        assert result.ok, (path.name, [(f.kind, f.text) for f in result.blocking])


def test_quality_on_the_development_set(gate: Gate) -> None:
    report = evaluate(gate, DEFAULT_SET)
    assert report.recall() >= 0.95
    for kind in ("bsn", "geboortedatum", "adres", "telefoonnummer", "e-mailadres", "iban"):
        assert report.recall(kind) == 1.0, kind
    assert report.recall("persoonsnaam") >= 0.9
    assert report.false_alarm_rate <= 0.05


@pytest.mark.parametrize("name", ["privacy_toets", "privacy_toets2", "privacy_toets3", "privacy_toets4"])
def test_quality_on_sets_written_apart(gate: Gate, name: str) -> None:
    """Texts written apart from the rules. Each was measured once untouched, after which its misses
    informed general rules (README gives both figures): floors, not targets."""
    report = evaluate(gate, HELD_OUT.parent / f"{name}.yaml")
    assert report.recall() >= 0.9
    assert report.recall("persoonsnaam") >= 0.88
    assert report.false_alarm_rate <= 0.05


# -- properties ----------------------------------------------------------------------------------

eight_digits = st.text(alphabet=string.digits, min_size=8, max_size=8)


def with_check_digit(prefix: str) -> str | None:
    total = sum(int(d) * w for d, w in zip(prefix, (9, 8, 7, 6, 5, 4, 3, 2), strict=True))
    check = total % 11
    return None if check == 10 else prefix + str(check)


@given(eight_digits)
def test_elfproef_accepts_numbers_with_the_right_check_digit(prefix: str) -> None:
    number = with_check_digit(prefix)
    if number is not None and number != "000000000":
        assert elfproef(number)


@given(eight_digits, st.integers(min_value=0, max_value=8), st.integers(min_value=1, max_value=9))
def test_elfproef_rejects_any_single_digit_change(prefix: str, position: int, delta: int) -> None:
    number = with_check_digit(prefix)
    if number is None or number == "000000000":
        return
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    assert not elfproef(changed)


@given(
    st.text(alphabet=string.ascii_uppercase, min_size=4, max_size=4),
    st.text(alphabet=string.digits, min_size=10, max_size=10),
)
def test_iban_check(bank: str, number: str) -> None:
    account = bank + number
    body = account + "NL00"
    numeric = int("".join(str(int(c, 36)) for c in body))
    valid = f"NL{98 - numeric % 97:02d}{account}"
    assert iban_valid(valid)
    assert not iban_valid(valid[:2] + f"{(int(valid[2:4]) + 1) % 100:02d}" + valid[4:])


NAMES = ["Fatima el Amrani", "Jan de Vries", "Sevda Yilmaz", "Piotr Nowak", "Abena Mensah"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(range(len(NAMES))), min_size=1, max_size=8))
def test_placeholders_are_consistent(order: list[int]) -> None:
    from ingest.gate import Finding

    parts, findings, position = [], [], 0
    for i in order:
        sentence = f"Gesprek met {NAMES[i]} over de school. "
        start = position + len("Gesprek met ")
        findings.append(Finding("persoonsnaam", NAMES[i], start, start + len(NAMES[i]), 1, True))
        parts.append(sentence)
        position += len(sentence)
    text = "".join(parts)
    redacted = redact(text, findings)
    placeholders = [p.split(" over")[0].removeprefix("Gesprek met ") for p in redacted.split(". ") if p]
    first_seen: dict[int, str] = {}
    for i, placeholder in zip(order, placeholders, strict=True):
        first_seen.setdefault(i, placeholder)
        assert placeholder == first_seen[i]  # the same person, the same placeholder
    assert len(set(first_seen.values())) == len(first_seen)  # different people, different ones
    assert not any(name in redacted for name in NAMES)
    assert redacted.count("over de school") == len(order)  # the rest of the text is untouched


def test_trained_model_persons_are_blocked(gate: Gate, tmp_path: Path) -> None:
    """With a trained pipeline that recognises persons, its PER entities block too."""
    import spacy

    trained = spacy.blank("nl")
    ruler = trained.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([{"label": "PER", "pattern": [{"LOWER": "zorrovleer"}]}])
    trained.meta["name"] = "met_personen"
    trained.to_disk(tmp_path / "model")
    text = "vandaag sprak zorrovleer met het wijkteam."
    assert gate.check(text).ok  # our own rules do not know this word
    from ingest.gate import _person_recogniser

    with_model = Gate(person_model=_person_recogniser(str(tmp_path / "model"), None))
    with_model._deduce = gate._deduce  # share deduce; the model is what differs
    result = with_model.check(text)
    assert [(f.kind, f.text) for f in result.blocking] == [("persoonsnaam", "zorrovleer")]


# -- redaction that keeps the text, and findings with strength (#13) -----------------------------

GOLDEN = Path(__file__).parent / "golden" / "redactie"


@pytest.mark.parametrize("name", sorted(p.stem for p in GOLDEN.glob("*.md") if not p.stem.endswith(".verwacht")))
def test_golden_redaction(gate: Gate, name: str) -> None:
    """Input and expected redaction side by side: only the personal data changes; headings, lines,
    common nouns before a name, front matter and the final newline stay; one person, one number."""
    text = (GOLDEN / f"{name}.md").read_text(encoding="utf-8")
    expected = (GOLDEN / f"{name}.verwacht.md").read_text(encoding="utf-8")
    result = gate.check(text)
    assert result.redacted == expected
    assert result.redacted.count("\n") == text.count("\n") and result.redacted.endswith("\n")
    for finding in result.findings:
        assert "\n" not in finding.text and text[finding.start : finding.end] == finding.text
    if result.redacted.startswith("---\n"):
        import yaml

        front = yaml.safe_load(result.redacted.split("---\n")[1])
        assert all(isinstance(v, (str, int, list)) for v in front.values())  # still valid, still text


def test_the_issue_example_keeps_heading_noun_and_one_number(gate: Gate) -> None:
    redacted = gate.check((GOLDEN / "thuiszitter.md").read_text(encoding="utf-8")).redacted
    assert redacted.startswith("# Thuiszitter [PERSOON-1] (15)\n")
    assert "\n## Afspraken\n\n[PERSOON-1] start na de kerstvakantie" in redacted
    assert "Moeder [PERSOON-2] woont" in redacted and "[PERSOON-3]" not in redacted


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Gesprek met mevrouw Bakker over de opvoeding.", "Bakker"),  # title
        ("Moeder Sandra wil meer hulp.", "Sandra"),  # relation word
        ("Moeder yasmina wilde liever niet bellen.", "yasmina"),  # relation word, lower case
        ("Jan Bakker belde het wijkteam.", "Jan Bakker"),  # first name and a surname-like word
        ("Het gesprek met J.P. de Wit liep goed.", "J.P. de Wit"),  # initials and surname
        ("Sem zit sinds een jaar thuis.", "Sem"),  # a first name that is no Dutch word
        ("Roos (11) vertelde over de ruzies.", "Roos"),  # a name with an age
        ("Storm weigert de medicatie.", "Storm"),  # a first name as the subject of a verb
        ("De buurvrouw sprak met Roos over school.", "Roos"),  # a capitalised name mid-sentence
    ],
)
def test_strong_evidence_refuses(gate: Gate, text: str, found: str) -> None:
    result = gate.check(text)
    assert [f.text for f in result.blocking] == [found], result.findings


@pytest.mark.parametrize(
    "text",
    [
        "Daarna volgde een lange periode zonder aanbod. Verder was er geen regie.",
        "Ouders hadden al drie scholen benaderd. Samen met school is een plan gemaakt.",
        "Gevraagd werd om een arrangement op grond van art. 2.3 Jeugdwet (Stb. 2014, 105).",
        "De Rb. Den Haag en het Hof Arnhem-Leeuwarden oordeelden anders; de CRvB volgde.",
        "De GI (William Schrikker Stichting) vroeg een machtiging; Karakter had een wachtlijst.",
        "Het Leo Kannerhuis en de Willem van Oranjeschool werkten samen met Stichting Jan Pieter Heije.",
        "# Wat liep vast\n\nKarakter had een wachttijd. Inmiddels woont de jongen in Noord-Limburg.",
        "Het wijkteam Utrecht Overvecht en de jeugdregio Zuidoost-Drenthe bespraken de casus.",
    ],
)
def test_weak_or_no_evidence_never_refuses(gate: Gate, text: str) -> None:
    result = gate.check(text)
    assert result.ok, result.blocking
    assert result.redacted == text


def test_weak_evidence_is_a_warning_with_a_reason(gate: Gate) -> None:
    result = gate.check("Roos en de wijkcoach spraken af dat school start.")
    assert result.ok
    [warning] = result.findings
    assert (warning.kind, warning.text, warning.blocking) == ("persoonsnaam", "Roos", False)
    assert warning.reason.startswith("controleer")


def test_a_name_that_recurs_is_strong_everywhere(gate: Gate) -> None:
    text = "Roos de Vries is twaalf. Roos en haar moeder kwamen samen. Later belde Kacper Nowak; Kacper wil hulp."
    result = gate.check(text)
    assert [f.text for f in result.blocking] == ["Roos de Vries", "Roos", "Kacper Nowak", "Kacper"]
    assert result.redacted == (
        "[PERSOON-1] is twaalf. [PERSOON-1] en haar moeder kwamen samen. Later belde [PERSOON-2]; [PERSOON-2] wil hulp."
    )


def test_a_first_name_before_the_full_name_gets_its_number(gate: Gate) -> None:
    redacted = gate.check("Sem belde. Daarna kwam Fatima el Amrani, en toen Sem van Dijk zelf.").redacted
    assert redacted == "[PERSOON-1] belde. Daarna kwam [PERSOON-2], en toen [PERSOON-1] zelf."


def test_marks_set_warnings_aside_but_never_unblock(gate: Gate) -> None:
    text = "---\ntitel: Overleg\ngeen_persoonsgegevens: [Roos]\n---\nRoos en de wijkcoach spraken af. Mevrouw Bakker belde.\n"
    result = gate.check(text)
    assert [f.text for f in result.marked] == ["Roos"]
    assert [f.text for f in result.findings] == ["Bakker"]  # the mark field itself is no finding
    assert not gate.check(text.replace("[Roos]", "[Roos, Bakker]")).ok  # a mark cannot unblock
    smuggled = gate.check("---\ntitel: X\ngeen_persoonsgegevens: [Jeroen de Vries]\n---\nTekst.\n")
    assert [f.text for f in smuggled.blocking] == ["Jeroen de Vries"]


def test_a_mark_given_by_flag_is_written_into_the_redacted_copy(gate: Gate) -> None:
    text = "---\ntitel: Overleg\n---\nRoos en de wijkcoach spraken af.\n"
    result = gate.check(text, marked=["Roos"])
    assert result.findings == () and [f.text for f in result.marked] == ["Roos"]
    assert (
        result.redacted == "---\ntitel: Overleg\ngeen_persoonsgegevens: [Roos]\n---\nRoos en de wijkcoach spraken af.\n"
    )


@pytest.mark.parametrize("name", ["privacy_toets5"])
def test_quality_on_a_set_of_whole_case_texts(gate: Gate, name: str) -> None:
    """Whole case texts written apart from the gate (measured once untouched, then spent; README):
    both sides, as floors."""
    report = evaluate(gate, HELD_OUT.parent / f"{name}.yaml")
    assert report.recall() >= 0.98
    assert report.false_alarm_rate <= 0.02
    assert report.lure_rate <= 0.02


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("Afspraak: haar broer Storm (8) gaat mee naar de logeeropvang.", "persoonsnaam", "Storm"),
        ("Kind: tien jaar. Moeder: Fatma, 41 jaar, spreekt Turks.", "persoonsnaam", "Fatma"),
        ("Terugbellen op +31 (0)6 4412 7083 na vijf uur.", "telefoonnummer", "+31 (0)6 4412 7083"),
    ],
)
def test_names_and_numbers_found_in_their_context(gate: Gate, text: str, kind: str, found: str) -> None:
    """A capital after a relation is a name even when the word means something; a label after a
    full stop still labels; the written (0) of an international number is not dialled."""
    blocking = [(f.kind, f.text) for f in gate.check(text).findings if f.blocking]
    assert (kind, found) in blocking


@pytest.mark.parametrize(
    "text",
    [
        "## Overleg over het gezin\n\nGezin met vier kinderen in een flat in Lelystad.",
        "## Intervisie over de moeder\n\nCasus ingebracht door de jeugdconsulent.",
        "Vader werkt als chauffeur bij Jansen Transport in Veghel.",
        "De behandeling loopt via Verhoeven GGZ; de wachttijd is zes weken.",
        "We bespraken de behoeften aan de hand van de piramide van Maslow.",
        "Het kind heeft het syndroom van Down en gaat naar een mytylschool.",
        "Hij heeft een bijbaan bij Albert Heijn en spaart voor een scooter.",
        "Ze leest elke avond in Harry Potter en kijkt graag Peppa Pig met haar zusje.",
        "Moeder is lid van de Jehova's Getuigen; dat speelt mee bij de behandeling.",
    ],
)
def test_organisations_concepts_and_characters_are_no_persons(gate: Gate, text: str) -> None:
    """A heading word never makes the next line's first word a name; businesses named after a
    person, eponyms and well-known characters are not persons in the case."""
    assert [f.text for f in gate.check(text).findings if f.blocking] == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Het gezin Van der Linde woont sinds kort in Emmen.", "Van der Linde"),
        ("Namens de moeder, mevrouw J.P. Okafor, wordt verweer gevoerd.", "J.P. Okafor"),
    ],
)
def test_titled_surnames_with_particles_and_initials(gate: Gate, text: str, found: str) -> None:
    blocking = [f.text for f in gate.check(text).findings if f.blocking]
    assert any(found in b or b in found for b in blocking), blocking


@pytest.mark.parametrize(
    "text",
    [
        "Met vriendelijke groet,\nGedragswetenschapper Jeugd\n",
        "Het uitgangspunt blijft 'Eén Gezin Eén Plan', maar niemand voert de regie.",
        "Hij traint twee keer per week bij Voetbalvereniging Sparta Nijkerk.",
        "De jongen is een grote fan van Memphis Depay en wil profvoetballer worden.",
        "Zij werkt met het boek van Marianne Roelofs over hechting.",
    ],
)
def test_roles_slogans_clubs_and_public_figures_do_not_block(gate: Gate, text: str) -> None:
    """A role under a greeting, a slogan after 'gezin', a club and a public figure after 'fan van'
    block nothing (a public figure gets a 'controleer' warning at most)."""
    assert [f.text for f in gate.check(text).findings if f.blocking] == []
