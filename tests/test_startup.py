"""Start-up: one state, reported alike by every page and by ``/api/status``, with progress.

While the server loads the gate and reads the case folder in the background, no page may claim
the knowledge base is empty ("Nog geen casussen", "Geen casussen gevonden").
"""

from __future__ import annotations

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
