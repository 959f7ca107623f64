"""Load test of the HTTP API, the users' side: what one simulated user does (run by ``bench/load.py``).

Each user signs in with the API token in ``LEERLUS_LAST_TOKEN`` and talks to one node of
``LEERLUS_LAST_NODES`` (comma-separated base URLs on 127.0.0.1), the users spread over the nodes in
turn, as clients behind a load balancer would be. The mix is read-heavy, as the knowledge base is
used: searches (with facets and highlights, now and then a filter or a typo), case pages, similar
cases, the case list, facets, patterns and signals, and now and then a new signal (a write, through
the anonymisation gate). Between two requests a user waits ``LEERLUS_LAST_DENKTIJD`` seconds (half
to all of it; default 0: each user sends its next request as soon as the last is answered, so the
throughput is what the nodes can serve, not what the users ask). Every request of one route is reported under one name
(``GET /api/cases/{id}``), so percentiles are per route.
"""

from __future__ import annotations

import itertools
import os
import random
from typing import Any

from locust import HttpUser, between, task

NODES = [url for url in os.environ.get("LEERLUS_LAST_NODES", "").split(",") if url]
TOKEN = os.environ.get("LEERLUS_LAST_TOKEN", "")
THINK = float(os.environ.get("LEERLUS_LAST_DENKTIJD", "0"))  # seconds between two requests of one user
QUERIES = ("thuiszitter", "wlz indicatie ciz", "jeugdwet", "wachtlijst", "passend onderwijs", "gesloten jeugdzorg",
           "pgb", "schoolverzuim", "thuiszitterr", "kangoeroezorg")  # fmt: skip
BLOCKERS = ("grens.jeugdwet-onderwijs", "grens.jeugdwet-wlz", "financiering.bekostiging")
_next_node = itertools.count()


class Professional(HttpUser):
    """Someone at the casustafel: searching precedents and reading cases."""

    wait_time = between(THINK / 2, THINK)
    host = NODES[0] if NODES else "http://127.0.0.1:8000"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if NODES:
            self.client.base_url = NODES[next(_next_node) % len(NODES)]
        self.client.headers["Authorization"] = f"Bearer {TOKEN}"
        self.ids: list[str] = []

    def on_start(self) -> None:
        found = self.client.get("/api/cases", params={"limit": 50}, name="GET /api/cases")
        self.ids = [case["id"] for case in found.json().get("data", [])] if found.ok else []

    def _case_id(self) -> str:
        return random.choice(self.ids) if self.ids else "bestaat-niet"

    @task(6)
    def search(self) -> None:
        params: dict[str, Any] = {"q": random.choice(QUERIES)}
        if random.random() < 0.3:
            params["blokkades"] = random.choice(BLOCKERS)
        self.client.get("/api/search", params=params, name="GET /api/search")

    @task(3)
    def case(self) -> None:
        self.client.get(f"/api/cases/{self._case_id()}", name="GET /api/cases/{id}")

    @task(1)
    def similar(self) -> None:
        self.client.get(f"/api/cases/{self._case_id()}/similar", name="GET /api/cases/{id}/similar")

    @task(1)
    def cases(self) -> None:
        self.client.get("/api/cases", params={"page": random.randint(1, 3)}, name="GET /api/cases")

    @task(1)
    def facets(self) -> None:
        self.client.get("/api/facets", name="GET /api/facets")

    @task(1)
    def patterns(self) -> None:
        self.client.get("/api/patterns", name="GET /api/patterns")

    @task(1)
    def signals(self) -> None:
        self.client.get("/api/signals", name="GET /api/signals")

    @task(1)
    def new_signal(self) -> None:
        signal = {
            "titel": f"Wachtlijst logeeropvang {random.randint(1, 10**6)}",
            "adressaat": "gemeente-beleid",
            "blokkades": [random.choice(BLOCKERS)],
            "wie": "Teamleider West",
        }
        self.client.post("/api/signals", json=signal, name="POST /api/signals")
