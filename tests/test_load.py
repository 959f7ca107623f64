"""The load test script (``bench/load.py``) works: a smoke run, bounded (one node on a private
PostgreSQL, two users, three seconds of locust), answers every request without failure and prints
throughput and p50/p95 per route. The real runs (10 users, 30 s, one and two nodes) are in the
README; they are not part of the test suite."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, require
from tests.pgserver import find_bindir


@pytest.mark.postgres
def test_the_load_script_runs_locust_against_a_node_and_reports_per_route() -> None:
    require(find_bindir() is not None, "PostgreSQL server binaries not found")
    done = subprocess.run(
        [sys.executable, "bench/load.py", "--rookproef"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "1 knooppunt(en), 2 gebruikers, 3 s, denktijd 0 s:" in done.stdout and "verzoeken/s" in done.stdout
    (run,) = json.loads(done.stdout.strip().splitlines()[-1])
    total = run["routes"]["totaal"]
    assert total["verzoeken"] > 0 and total["fouten"] == 0 and run["fouten"] == []
    assert "GET /api/search" in run["routes"] and run["routes"]["GET /api/search"]["p95_ms"] > 0
    assert all(row["p50_ms"] <= row["p95_ms"] for row in run["routes"].values())
