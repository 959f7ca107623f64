"""Heavy text work in a bounded pool with a hard time limit (#17): a request whose gate work runs
past its budget is stopped (the worker is killed, a new one takes its place) and answered with a
Dutch 503; nothing is stored; and while it runs, searches on the same server keep answering.

The server is uvicorn on 127.0.0.1 in this process; the slow gate is the real gate with a sleep for
texts that carry a marker, patched before the pool forks its workers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ingest.doctor import check
from ingest.gate import Gate, get_gate
from ingest.pooled import PooledGate
from ingest.runner import ingest
from ingest.workers import Budget, WorkTimeout, get_pool
from kb.access import ADMIN
from kb.knowledge import KnowledgeBase
from kb.settings import Settings
from tests.test_browser import free_port

MARKER = "Traagheidsproef"
BUDGET = 2.0
AUTH: dict[str, str] = {}


@pytest.fixture
def slow_gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The gate sleeps a minute on any text with :data:`MARKER`; workers are forked afresh so they
    carry the patch, and again afterwards so later tests get the real gate."""
    real = Gate.check

    def check(self: Gate, text: str, marked: Any = ()) -> Any:
        if MARKER in text:
            time.sleep(60)
        return real(self, text, marked)

    get_gate().load()  # workers inherit a loaded gate
    monkeypatch.setattr(Gate, "check", check)
    get_pool(2).reset()
    yield
    monkeypatch.undo()
    get_pool(2).reset()


@pytest.fixture
def server(make_settings: Callable[..., Settings]) -> Iterator[tuple[str, KnowledgeBase]]:
    """The app under uvicorn; requests sign in with an administrator's API token (:data:`AUTH`)."""
    import uvicorn

    from api.app import create_app

    kb = KnowledgeBase(make_settings(work_timeout=BUDGET))
    assert ingest(kb).ok
    kb.accounts.add("beheer-werkpool", ADMIN)
    token, _ = kb.accounts.new_token("beheer-werkpool", "tests")
    AUTH["Authorization"] = f"Bearer {token}"
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(kb.settings, kb=kb), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", kb
    server.should_exit = True
    thread.join(10)
    kb.close()


def _files(kb: KnowledgeBase) -> list[str]:
    return sorted(p.name for p in Path(kb.settings.content_dir).rglob("*"))


NEW_CASE = {
    "titel": "Wachtlijst jeugd-ggz",
    "soort": "casusbespreking",
    "datum": "2024-05",
    "tekst": f"{MARKER}: een wachtlijst.",
}


@pytest.mark.parametrize(
    ("route", "send"),
    [
        ("/nieuw", lambda base: httpx.post(f"{base}/nieuw", data=NEW_CASE, headers=AUTH, timeout=30)),
        ("/api/cases", lambda base: httpx.post(f"{base}/api/cases", json=NEW_CASE, headers=AUTH, timeout=30)),
        (
            "/api/precedents",
            lambda base: httpx.post(f"{base}/api/precedents", json={"text": MARKER}, headers=AUTH, timeout=30),
        ),
    ],
)
def test_a_slow_request_stops_at_its_budget_and_never_blocks_a_search(
    server: tuple[str, KnowledgeBase], slow_gate: None, route: str, send: Callable[[str], httpx.Response]
) -> None:
    base, kb = server
    files_before = _files(kb)
    slow: dict[str, Any] = {}

    def run_slow() -> None:
        started = time.perf_counter()
        response = send(base)
        slow.update(status=response.status_code, text=response.text, seconds=time.perf_counter() - started)

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.3)  # the slow request now waits on its worker
    searches = []
    while thread.is_alive() and len(searches) < 20:
        started = time.perf_counter()
        answer = httpx.get(f"{base}/api/search", params={"q": "thuiszitter"}, headers=AUTH, timeout=10)
        searches.append((answer.status_code, time.perf_counter() - started))
    thread.join(20)
    assert not thread.is_alive(), "the slow request did not end"
    assert searches and all(status == 200 for status, _ in searches)
    assert max(seconds for _, seconds in searches) < 1.5, searches
    assert slow["status"] == 503, slow
    assert "duurde langer dan 2 seconden en is afgebroken" in slow["text"] and "niets" in slow["text"]
    assert BUDGET <= slow["seconds"] < BUDGET + 4
    assert _files(kb) == files_before
    assert check(kb) == []
    # the pool replaced the killed worker: the next request is checked as usual
    assert (
        httpx.post(
            f"{base}/api/analyze", json={"text": "Het CIZ wees de Wlz-aanvraag af."}, headers=AUTH, timeout=30
        ).status_code
        == 200
    )


def test_the_pooled_gate_answers_like_the_gate_and_checks_a_text_once() -> None:
    text = "Moeder Sandra Jansen belde op 06-12345678 over haar zoon."
    pooled = PooledGate(Settings(), Budget(20))
    assert pooled.check(text) == get_gate().check(text)
    assert pooled.check(text) is pooled.check(text)


def test_a_budget_covers_all_work_of_a_request(slow_gate: None) -> None:
    pooled = PooledGate(Settings(), Budget(1.0))
    started = time.perf_counter()
    with pytest.raises(WorkTimeout) as stopped:
        pooled.check(f"{MARKER} een")
    assert stopped.value.status == 503 and stopped.value.code == "rekentijd-op"
    with pytest.raises(WorkTimeout):
        pooled.check("een gewone tekst")  # the budget is spent: no second second
    assert time.perf_counter() - started < 4
