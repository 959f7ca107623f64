"""Load test of the HTTP API with locust, on one node and on two nodes sharing one PostgreSQL.

Starts a private PostgreSQL server (or uses ``--database-url``), one or two ``leerlus serve``
processes on 127.0.0.1 with the PostgreSQL search backend, each with its own data folder and one
shared case folder (as ``tests/test_two_nodes.py`` does), makes an administrator and an API token
with the CLI, and runs locust headless (``bench/locustfile.py``) against them: bounded in users and
in time, with the users spread over the nodes (no load balancer in between). Prints throughput and
p50/p95 per route, in Dutch, and the numbers as JSON on the last line. Only 127.0.0.1 is ever
addressed; every wait is bounded; servers and PostgreSQL are stopped at the end, also on failure.

    python bench/load.py [--knooppunten 1,2] [--gebruikers 10] [--seconden 30] [--denktijd 0]
                         [--casussen DIR] [--database-url URL] [--rookproef]

``--rookproef`` is the smoke run of the test suite: one node, two users, three seconds, the small
fixture corpus.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

START_SECONDS = 300.0  # gate, pipeline and the start-up ingest, on a busy machine
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def leerlus_env(url: str, data: Path, content: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEERLUS_")}
    env.update(LEERLUS_DATABASE_URL=url, LEERLUS_SEARCH_BACKEND="postgresql", LEERLUS_DATA_DIR=str(data),
               LEERLUS_CONTENT_DIR=str(content), LEERLUS_INGEST_WAIT_SECONDS=str(int(START_SECONDS)))  # fmt: skip
    return env


class Node:
    """One ``leerlus serve`` process on its own port on 127.0.0.1."""

    def __init__(self, name: str, url: str, work: Path, content: Path) -> None:
        self.name, self.port = name, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = work / f"{name}.log"
        command = [sys.executable, "-m", "leerlus", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("w", encoding="utf-8") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=leerlus_env(url, work / f"data-{name}", content),
                                            stdout=log, stderr=subprocess.STDOUT)  # fmt: skip

    def wait_ready(self, deadline: float) -> None:
        """Until the gate is loaded and the start-up ingest is done, or fail at the deadline."""
        import httpx

        while True:
            if self.process.poll() is not None:
                sys.exit(f"{self.name} stopte:\n{self.log.read_text(encoding='utf-8')[-3000:]}")
            if time.monotonic() > deadline:
                sys.exit(f"{self.name} werd niet op tijd klaar:\n{self.log.read_text(encoding='utf-8')[-3000:]}")
            try:
                status = httpx.get(f"{self.base}/api/status", timeout=5.0, trust_env=False).json()
            except (httpx.HTTPError, ValueError):
                status = {}
            if status.get("poort") == "geladen" and status.get("opstart", {}).get("fase") == "klaar":
                return
            time.sleep(0.5)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)


def api_token(url: str, work: Path, content: Path) -> str:
    """An administrator without a password and an API token for it, made with the CLI."""
    env = leerlus_env(url, work / "data-cli", content)
    cli = [sys.executable, "-m", "leerlus", "gebruikers"]
    for args in (["toevoegen", "belasting", "--rol", "admin", "--zonder-wachtwoord"], ["token", "belasting"]):
        done = subprocess.run([*cli, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            sys.exit(f"leerlus gebruikers {args[0]} mislukte:\n{done.stderr}")
    return done.stdout.strip()


def run_locust(
    nodes: list[Node], token: str, users: int, seconds: int, think: float, work: Path, label: str
) -> dict[str, Any]:
    """locust headless against ``nodes``; per route: requests, failures, requests/s, p50 and p95 (ms)."""
    prefix = work / f"locust-{label}"
    env = {**os.environ, "LEERLUS_LAST_NODES": ",".join(n.base for n in nodes), "LEERLUS_LAST_TOKEN": token,
           "LEERLUS_LAST_DENKTIJD": str(think)}  # fmt: skip
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--users", str(users),
        "--spawn-rate", str(users), "--run-time", f"{seconds}s", "--stop-timeout", "10", "--csv", str(prefix),
        "--only-summary", "--host", nodes[0].base, "--loglevel", "WARNING",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=seconds + 120)
    stats_file = Path(f"{prefix}_stats.csv")
    if not stats_file.exists():
        sys.exit(f"locust gaf geen cijfers (exitcode {done.returncode}):\n{done.stderr[-3000:]}")
    routes: dict[str, dict[str, float]] = {}
    with stats_file.open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            name = row["Name"] if row["Name"] != "Aggregated" else "totaal"
            routes[name] = {
                "verzoeken": int(row["Request Count"]),
                "fouten": int(row["Failure Count"]),
                "per_s": float(row["Requests/s"]),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
            }
    failures = work / f"locust-{label}_failures.csv"
    errors = [dict(row) for row in csv.DictReader(failures.open(encoding="utf-8"))] if failures.exists() else []
    return {"knooppunten": len(nodes), "gebruikers": users, "seconden": seconds, "denktijd": think, "routes": routes,
            "fouten": errors}  # fmt: skip


def report(runs: list[dict[str, Any]]) -> None:
    for run in runs:
        total = run["routes"].get("totaal", {})
        print(f"\n{run['knooppunten']} knooppunt(en), {run['gebruikers']} gebruikers, {run['seconden']} s, "
              f"denktijd {run['denktijd']:g} s: "
              f"{total.get('per_s', 0):.1f} verzoeken/s, {total.get('fouten', 0)} fouten")  # fmt: skip
        print(f"{'route':<34} {'verzoeken':>9} {'fouten':>7} {'per s':>7} {'p50 ms':>8} {'p95 ms':>8}")
        for name, row in sorted(run["routes"].items(), key=lambda kv: (kv[0] == "totaal", kv[0])):
            print(f"{name:<34} {row['verzoeken']:9d} {row['fouten']:7d} {row['per_s']:7.1f} "
                  f"{row['p50_ms']:8.0f} {row['p95_ms']:8.0f}")  # fmt: skip
        for error in run["fouten"][:5]:
            print(f"  fout: {error.get('Method', '')} {error.get('Name', '')}: {error.get('Error', '')[:200]}")
    print(json.dumps(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knooppunten", default="1,2", help="aantallen servers, bijvoorbeeld 1,2")
    parser.add_argument("--gebruikers", type=int, default=10)
    parser.add_argument("--seconden", type=int, default=30)
    parser.add_argument("--denktijd", type=float, default=0.0, help="seconden tussen twee verzoeken van een gebruiker")
    parser.add_argument("--casussen", type=Path, default=ROOT / "content", help="casusmap (wordt gekopieerd)")
    parser.add_argument("--database-url", help="PostgreSQL-URL; anders een eigen server in een tijdelijke map")
    parser.add_argument("--rookproef", action="store_true", help="1 server, 2 gebruikers, 3 s, klein corpus")
    args = parser.parse_args()
    if args.rookproef:
        args.knooppunten, args.gebruikers, args.seconden = "1", 2, 3
        args.casussen = ROOT / "tests" / "fixtures" / "corpus"
    counts = [int(n) for n in args.knooppunten.split(",") if n]
    bounded = 1 <= args.gebruikers <= 100 and 1 <= args.seconden <= 600 and 0 <= args.denktijd <= 60
    if not counts or min(counts) < 1 or max(counts) > 2 or not bounded:
        sys.exit("knooppunten 1 of 2, gebruikers 1 tot 100, seconden 1 tot 600, denktijd 0 tot 60")
    work = Path(tempfile.mkdtemp(prefix="leerlus-last-"))
    server, runs = None, []
    try:
        url = args.database_url
        if url is None:
            from tests.pgserver import PostgresServer, find_bindir

            bindir = find_bindir()
            if bindir is None:
                sys.exit("PostgreSQL-serverbestanden niet gevonden; geef --database-url")
            server = PostgresServer(bindir, durable=True)
            server.start()
        for count in counts:
            if server is not None:
                url = server.create_database(f"last_{count}")
            assert url is not None
            run_work = work / f"{count}-knooppunten"
            content = run_work / "content"
            shutil.copytree(args.casussen, content)
            nodes = [Node(f"knooppunt-{chr(97 + i)}", url, run_work, content) for i in range(count)]
            try:
                deadline = time.monotonic() + START_SECONDS
                for node in nodes:
                    node.wait_ready(deadline)
                token = api_token(url, run_work, content)
                load = (args.gebruikers, args.seconden, args.denktijd)
                runs.append(run_locust(nodes, token, *load, run_work, str(count)))
            finally:
                for node in nodes:
                    node.stop()
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    report(runs)


if __name__ == "__main__":
    main()
