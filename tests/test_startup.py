"""Start-up: one state, reported alike by every page and by ``/api/status``, with progress.

While the server loads the gate and reads the case folder in the background, no page may claim
the knowledge base is empty ("Nog geen casussen", "Geen casussen gevonden").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ingest.startup import Startup
from kb.knowledge import KnowledgeBase
from tests.conftest import signed_in


@pytest.fixture
def starting(kb: KnowledgeBase) -> Iterator[tuple[TestClient, Startup]]:
    """An app on an empty knowledge base whose start-up is reading case 3 of 66."""
    with signed_in(create_app(kb.settings, kb=kb), raise_server_exceptions=False) as client:
        startup: Startup = client.app.state.startup  # type: ignore[attr-defined]
        startup.progress("lezen", 3, 66)
        yield client, startup


def test_home_and_search_say_reading_instead_of_empty(starting: tuple[TestClient, Startup]) -> None:
    client, _ = starting
    home = client.get("/").text
    assert "bezig met inlezen (3 van 66)" in home
    assert "Nog geen casussen" not in home
    assert 'http-equiv="refresh"' in home  # the home page follows the progress without JavaScript
    results = client.get("/zoeken?q=thuiszitter").text
    assert "bezig met inlezen (3 van 66)" in results
    assert "Geen casussen gevonden" not in results


@pytest.mark.parametrize("page", ["/patronen", "/signalen", "/analyseren", "/precedenten", "/beoordelen"])
def test_every_page_shows_the_same_start_up_state(starting: tuple[TestClient, Startup], page: str) -> None:
    client, _ = starting
    response = client.get(page)
    assert response.status_code == 200
    assert "Leerlus is bezig met inlezen (3 van 66)" in response.text


def test_status_reports_the_same_state(starting: tuple[TestClient, Startup]) -> None:
    client, startup = starting
    status = client.get("/api/status").json()
    assert status["opwarmen"] == "bezig"
    assert status["opstart"] == {"fase": "inlezen", "stap": "lezen", "gelezen": 3, "totaal": 66, "fout": None}
    assert status["melding"].startswith("Leerlus is bezig met inlezen (3 van 66)")
    startup.phase = "klaar"
    status = client.get("/api/status").json()
    assert status["opwarmen"] == "klaar" and status["melding"] is None
    assert "bezig met inlezen" not in client.get("/").text
    assert "Nog geen casussen" in client.get("/").text


def test_runner_reports_every_stage(kb: KnowledgeBase) -> None:
    from ingest.runner import case_files, ingest

    seen: list[tuple[str, int, int]] = []
    report = ingest(kb, progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert report.ok
    files = len(list(case_files(kb.settings.content_dir)))
    stages = [stage for stage, _, _ in seen]
    assert stages.index("lezen") < stages.index("analyseren") < stages.index("opslaan")
    assert ("lezen", 0, files) in seen and ("lezen", files, files) in seen
    assert [done for stage, done, _ in seen if stage == "analyseren"] == list(range(0, len(report.added), 8))
    assert seen[-1] == ("opslaan", len(report.added), len(report.added))


def test_background_start_up_ends_ready(kb: KnowledgeBase) -> None:
    startup = Startup()
    startup.start(kb)
    assert startup.busy and startup.total == 4
    startup.wait(300)
    assert not startup.busy and startup.failed is None
    assert startup.report is not None and startup.report.ok
    assert startup.to_dict()["gelezen"] == startup.to_dict()["totaal"]


# Sentences that say the knowledge base has nothing, which no page may say while cases are read.
EMPTY_CLAIMS = (
    "Nog geen casussen", "Geen casussen", "0 geanonimiseerde", "alles is beoordeeld", "Niets te beoordelen",
    "Geen gegevens voor deze selectie", "Nog geen bindende adviezen", "Nog geen eerdere", "Geen gevonden",
    "Geen vergelijkbare casussen", "Geen blokkades in deze periode", "0 casussen", "0 van 0 open suggesties",
)  # fmt: skip


@pytest.mark.parametrize(
    ("method", "page", "form"),
    [
        ("GET", "/", None),
        ("GET", "/zoeken?q=thuiszitter", None),
        ("GET", "/patronen", None),
        ("GET", "/patronen?per=jaar&van=2020-01&tot=2024-12", None),
        ("GET", "/patronen/casussen?blokkade=grens.jeugdwet-wlz", None),
        ("GET", "/rapport", None),
        ("GET", "/beoordelen", None),
        ("GET", "/naleving", None),
        ("POST", "/precedenten", {"tekst": "Het CIZ wees de Wlz-aanvraag af; de gemeente betaalt niet."}),
        ("POST", "/dossier", {"feiten": "", "grens": "grens.jeugdwet-wlz"}),
    ],
)
def test_no_page_claims_emptiness_while_cases_are_read(
    starting: tuple[TestClient, Startup], method: str, page: str, form: dict[str, str] | None
) -> None:
    """Every "geen ..." that depends on the cases says "nog niets gevonden" while the one start-up
    state says the cases are still being read."""
    client, _ = starting
    response = client.request(method, page, data=form)
    assert response.status_code == 200
    main = response.text.split("<main", 1)[1].split("</main>", 1)[0]
    if page == "/rapport":  # the whole report is marked incomplete; its charts may show what is read so far
        assert "Deze rapportage is nog niet volledig" in main
        main = re.sub(r"<svg.*?</svg>", "", main, flags=re.S)
    assert [claim for claim in EMPTY_CLAIMS if claim in main] == []
    assert "1999" not in main  # an empty report used to fall back to 1999-02 – 2000-01


def test_a_case_not_read_yet_says_so(starting: tuple[TestClient, Startup]) -> None:
    client, startup = starting
    response = client.get("/casus/2020-02-thuiszitter-autisme-swv")
    assert response.status_code == 404
    assert "Leerlus leest de casussen nog in" in response.text
    startup.phase = "klaar"
    assert "Leerlus leest de casussen nog in" not in client.get("/casus/bestaat-niet").text


def test_the_message_names_the_step_so_a_count_that_restarts_makes_sense() -> None:
    startup = Startup()
    startup.phase, startup.stage, startup.total = "opstarten", "poort", 66
    assert startup.message() == (
        "Leerlus start op: de anonimiseringspoort en de taalpijplijn worden geladen; daarna worden 66 casussen ingelezen."
    )
    startup.progress("lezen", 54, 66)
    assert startup.message() == (
        "Leerlus is bezig met inlezen (54 van 66), stap 1 van 3: casussen controleren op persoonsgegevens en lezen."
    )
    startup.progress("analyseren", 8, 66)
    assert "(8 van 66), stap 2 van 3: begrippen en blokkades herkennen." in str(startup.message())
    startup.progress("opslaan", 0, 66)
    assert "stap 3 van 3: opslaan in database en zoekindex." in str(startup.message())
