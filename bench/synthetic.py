"""Synthetic case files for benchmarks: valid front matter and Dutch-looking case text.

Deterministic for a given seed. The text is assembled from sentence templates with field
vocabulary, so term statistics resemble real casuïstiek without copying the sample corpus.
"""

from __future__ import annotations

import random
from pathlib import Path

from kb.taxonomy import load_taxonomy

REGIONS = [
    "Utrecht", "Amsterdam-Amstelland", "Rotterdam Rijnmond", "Haaglanden", "Twente", "Groningen",
    "Zuid-Limburg", "Midden-Brabant", "Friesland", "Zaanstreek-Waterland", "Holland Rijnland",
    "Noord-Veluwe", "Food Valley", "West-Brabant", "Drechtsteden", "Gooi en Vechtstreek", "IJsselland",
]  # fmt: skip
TEAMS = ["Buurtteam Noord", "Wijkteam Centrum", "Jeugdteam Oost", "Gebiedsteam Zuid", "Sociaal team Dorpen"]
SUBJECTS = ["de jongen", "het meisje", "de jongere", "moeder", "vader", "het gezin", "de pleegouders", "oma"]
ACTORS = [
    "het zorgkantoor", "het CIZ", "de zorgverzekeraar", "het samenwerkingsverband", "de leerplichtambtenaar",
    "het wijkteam", "de GI", "Veilig Thuis", "de Raad voor de Kinderbescherming", "de huisarts",
    "de school", "de woningcorporatie", "schuldhulpverlening", "het UWV", "het expertteam passende hulp",
]  # fmt: skip
ACTIONS = [
    "wees de aanvraag af", "verwees terug naar de gemeente", "stelde een wachttijd van maanden",
    "weigerde te betalen", "vroeg om een nieuwe indicatie", "had geen plek beschikbaar",
    "wilde de gegevens niet delen", "zag het als jeugdhulp", "stelde voor de zorg te verlengen",
    "bood een tijdelijke oplossing", "kwam niet op het overleg",
]  # fmt: skip
THEMES = [
    "thuiszitter", "wachtlijst", "verlengde jeugdhulp", "begeleid wonen", "huurachterstand", "schulden",
    "logeeropvang", "pleegzorg", "gezinshuis", "jeugd-ggz", "Wlz-indicatie", "zorg in de klas",
    "onderwijs-zorgarrangement", "uithuiszetting", "woonplaatsbeginsel", "hardheidsclausule", "pgb",
    "dagbehandeling", "crisisopvang", "casusregie", "productcode", "vrijstelling leerplicht",
]  # fmt: skip
CONNECT = ["Daarna", "Ondertussen", "Uiteindelijk", "Na overleg", "Volgens de casusregisseur", "Intussen"]


def sentence(rng: random.Random) -> str:
    pattern = rng.randrange(4)
    if pattern == 0:
        return f"{rng.choice(ACTORS).capitalize()} {rng.choice(ACTIONS)}."
    if pattern == 1:
        return f"{rng.choice(CONNECT)} ging het over {rng.choice(THEMES)} en {rng.choice(THEMES)}."
    if pattern == 2:
        return f"{rng.choice(SUBJECTS).capitalize()} had last van de {rng.choice(THEMES)}, zei {rng.choice(ACTORS)}."
    return f"Het knelpunt was {rng.choice(THEMES)}: {rng.choice(ACTORS)} {rng.choice(ACTIONS)}."


def case_text(i: int, rng: random.Random) -> str:
    tax = load_taxonomy()
    year = rng.randrange(2015, 2026)
    month = rng.randrange(1, 13)
    theme = rng.choice(THEMES)
    blockers = rng.sample(tax.codes("blokkades"), rng.randrange(0, 4))
    laws = rng.sample([t.code for t in tax.wetten], rng.randrange(1, 4))
    paragraphs = []
    for _ in range(rng.randrange(3, 8)):
        paragraphs.append(" ".join(sentence(rng) for _ in range(rng.randrange(3, 7))))
    body = "\n\n".join(f"## Deel {n + 1}\n\n{p}" for n, p in enumerate(paragraphs))
    return (
        "---\n"
        f'titel: "Casus {i}: {theme} bij {rng.choice(SUBJECTS)}"\n'
        f"soort: {rng.choice(tax.codes('soorten'))}\n"
        f"datum: {year}-{month:02d}\n"
        f"regio: {rng.choice(REGIONS)}\n"
        f"team: {rng.choice(TEAMS)}\n"
        f"leeftijdscategorie: {rng.choice(tax.codes('leeftijdscategorieen'))}\n"
        f"hulpvraag: {rng.choice(tax.codes('hulpvraag'))}\n"
        f"wetten: [{', '.join(laws)}]\n"
        f"blokkades: [{', '.join(blockers)}]\n"
        f'besluit: "{sentence(rng)}"\n'
        f'lessen:\n  casus:\n    - "{sentence(rng)}"\n  systeem:\n    - "{sentence(rng)}"\n'
        "---\n\n" + body + "\n"
    )


def write_corpus(target: Path, count: int, seed: int = 7) -> list[Path]:
    """Write ``count`` case files into ``target``; returns their paths."""
    rng = random.Random(seed)
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = target / f"synth-{i:06d}.md"
        path.write_text(case_text(i, rng), encoding="utf-8")
        paths.append(path)
    return paths
