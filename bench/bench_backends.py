"""Benchmark of the two search backends at scale, next to SQLite FTS5, in one run.

N synthetic cases (``bench/synthetic.py``) are ingested into each backend, each in a fresh process:
Whoosh with SQLite (the embedded default) and PostgreSQL full-text search with PostgreSQL as the
SQL store (a deployment). Then another fresh process per backend opens the knowledge base as a
node would and measures, for the fixed query mix of ``bench/bench_search.py``:

- search p50/p95 with facets and highlights (every search counts all facets), and without
  highlights; the first search of a fresh process; the first search right after a write;
- memory of that process (resident now and at its peak) and the size on disk (SQL + index);
- ingest cases/s of the ingest process (end to end: gate, parse, analysis, SQL and index).

SQLite FTS5 (unicode61, bm25, snippets, facet counts from a tag table) runs the same queries over
the same texts in the same run. With ``--alleen-opslag`` the gate is skipped and the analysis is
done once up front and shared (both are the same for either backend and are measured by
``bench/bench_search.py``): ingest then measures reading, parsing, SQL and index only, which makes
100,000 cases feasible. Without ``--database-url`` a private PostgreSQL server runs in a temporary
folder, durable (``fsync`` on), as in production. Usage:

    python bench/bench_backends.py [--cases 10000] [--repeat 5] [--alleen-opslag] [--database-url URL]
                                   [--backends whoosh,postgresql] [--keep DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import pickle
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_search import QUERIES, build_fts, fts_search, percentile  # noqa: E402
from bench.synthetic import case_text, write_corpus  # noqa: E402
from ingest import runner  # noqa: E402
from ingest.parse import parse_case  # noqa: E402
from ingest.runner import case_files, ingest  # noqa: E402
from kb.knowledge import KnowledgeBase  # noqa: E402
from kb.search import make_request  # noqa: E402
from kb.settings import Settings  # noqa: E402
from kb.taxonomy import load_taxonomy  # noqa: E402

AFTER_WRITE_ROUNDS = 3


def memory_mb() -> dict[str, float]:
    """Resident memory of this process now (VmRSS) and at its peak (VmHWM), in MB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return {"rss_mb": fields.get("VmRSS", 0.0), "peak_mb": fields.get("VmHWM", 0.0)}


def settings_for(backend: str, root: Path, url: str | None) -> Settings:
    if backend == "postgresql":
        return Settings(
            data_dir=root / "data-postgresql", content_dir=root / "content", database_url=url,
            search_backend="postgresql",
        )  # fmt: skip
    return Settings(data_dir=root / "data-whoosh", content_dir=root / "content")


# -- the two child roles -----------------------------------------------------------------------


def role_ingest(backend: str, root: Path, url: str | None, prepared: Path | None) -> dict[str, Any]:
    """Ingest the corpus into a fresh knowledge base; with ``prepared``, without gate and analysis."""
    if prepared is not None:
        with prepared.open("rb") as stream:
            cache: dict[str, dict[str, Any]] = pickle.load(stream)
        runner.gate_refusal = lambda *_args, **_kwargs: []  # type: ignore[assignment]
        runner.get_pipeline = lambda *_args, **_kwargs: None  # type: ignore[assignment]
        runner.enrich = lambda records, _pipeline: [dataclasses.replace(r, **cache[r.id]) for r in records]  # type: ignore[assignment]
    kb = KnowledgeBase(settings_for(backend, root, url))
    started = time.perf_counter()
    report = ingest(kb)
    seconds = time.perf_counter() - started
    kb.close()
    cases = sum(1 for _ in case_files(root / "content"))
    assert report.ok and len(report.added) == cases, report.summary()
    return {"cases": cases, "seconds": seconds, "cases_per_s": cases / seconds, **memory_mb()}


def role_search(backend: str, root: Path, url: str | None, repeat: int) -> dict[str, Any]:
    """Open the knowledge base as a fresh node would, and time the query mix."""
    started = time.perf_counter()
    kb = KnowledgeBase(settings_for(backend, root, url))
    opened = time.perf_counter() - started

    def run(query: tuple[Any, ...], highlight: bool = True) -> float:
        begin = time.perf_counter()
        result = kb.search(make_request(query=query[1], filters=query[3], highlight=highlight))
        assert result.facets and (result.total == 0 or result.hits)
        return (time.perf_counter() - begin) * 1000

    first_ms = run(QUERIES[0])
    for query in QUERIES:  # one warm-up round
        run(query)
    timings: dict[str, list[float]] = {"markering": [], "zonder": []}
    for _ in range(repeat):
        for query in QUERIES:
            timings["markering"].append(run(query))
            timings["zonder"].append(run(query, highlight=False))
    after_write = []
    rng = random.Random(11)
    for n in range(AFTER_WRITE_ROUNDS):
        raw = case_text(10_000_000 + n, rng).encode()
        record = parse_case(raw, path=f"na-{n}.md", rel_path=f"na-{n}.md", taxonomy=kb.taxonomy).record
        assert record is not None
        with kb.write() as batch:
            batch.put(record)
        after_write.append(run(QUERIES[n % len(QUERIES)]))
    out: dict[str, Any] = {"open_s": opened, "first_search_ms": first_ms, "after_write_ms": after_write}
    for name, values in timings.items():
        out[name] = {"p50_ms": statistics.median(values), "p95_ms": percentile(values, 0.95)}
    out["index_mb"] = kb.index.size_bytes() / 1e6
    out["disk_mb"] = disk_mb(kb, backend)
    out.update(memory_mb())
    kb.close()
    return out


def disk_mb(kb: KnowledgeBase, backend: str) -> float:
    """SQL store and index together: the SQLite files and the Whoosh folder, or the database."""
    if backend == "postgresql":
        with kb.engine.connect() as connection:
            return int(connection.exec_driver_sql("SELECT pg_database_size(current_database())").scalar() or 0) / 1e6
    files = [*kb.settings.data_dir.glob("leerlus.sqlite3*"), *kb.settings.index_dir.iterdir()]
    return sum(p.stat().st_size for p in files if p.is_file()) / 1e6


# -- the parent --------------------------------------------------------------------------------


def prepare(content: Path, target: Path) -> float:
    """Analyse every case once (what ingest adds to a parsed case) and keep it for the ingest
    processes; returns cases per second of parse + analysis."""
    from ingest.enrich import enrich
    from ingest.pipeline import get_pipeline

    taxonomy = load_taxonomy()
    pipeline = get_pipeline()
    started = time.perf_counter()
    records = []
    for path in case_files(content):
        parsed = parse_case(path.read_bytes(), path=str(path), rel_path=path.name, taxonomy=taxonomy, render_body=False)
        assert parsed.record is not None
        records.append(parsed.record)
    cache = {}
    for start in range(0, len(records), 2000):
        for record in enrich(records[start : start + 2000], pipeline):
            cache[record.id] = {
                "mentions": record.mentions,
                "findings": record.findings,
                "body_html": record.body_html,
                "body_text": record.body_text,
            }
    seconds = time.perf_counter() - started
    with target.open("wb") as stream:
        pickle.dump(cache, stream, protocol=pickle.HIGHEST_PROTOCOL)
    return len(records) / seconds


def child(role: str, backend: str, root: Path, url: str | None, extra: list[str]) -> dict[str, Any]:
    command = [sys.executable, __file__, "--rol", role, "--backends", backend, "--keep", str(root), *extra]
    if url:
        command += ["--database-url", url]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{role} op {backend} mislukte:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def fts5(root: Path, repeat: int) -> dict[str, Any]:
    """SQLite FTS5 over the same texts, the same queries, with snippets and facet counts."""
    path = root / "fts.sqlite3"
    path.unlink(missing_ok=True)
    build = build_fts(SimpleNamespace(taxonomy=load_taxonomy()), root / "content", path)  # type: ignore[arg-type]
    conn = sqlite3.connect(path)
    for query in QUERIES:
        fts_search(conn, query[2], query[3], True)
    timings: dict[str, list[float]] = {"markering": [], "zonder": []}
    for _ in range(repeat):
        for query in QUERIES:
            for name, highlight in (("markering", True), ("zonder", False)):
                begin = time.perf_counter()
                fts_search(conn, query[2], query[3], highlight)
                timings[name].append((time.perf_counter() - begin) * 1000)
    conn.close()
    cases = sum(1 for _ in case_files(root / "content"))
    out: dict[str, Any] = {"build_cases_per_s": cases / build, "disk_mb": path.stat().st_size / 1e6}
    for name, values in timings.items():
        out[name] = {"p50_ms": statistics.median(values), "p95_ms": percentile(values, 0.95)}
    return out


def report(out: dict[str, Any]) -> None:
    peer = out["fts5"]
    mode = "zonder poort en analyse" if out["alleen_opslag"] else "poort + parse + analyse + SQL + index"
    print(f"{out['cases']} synthetische casussen; inlezen: {mode}")
    if out.get("prepare_cases_per_s"):
        print(f"  parse + analyse vooraf (eenmalig, gedeeld): {out['prepare_cases_per_s']:.0f} casussen/s")
    print(f"{'':<12} {'inlezen/s':>10} {'p50':>8} {'p95':>8} {'p50 t.o.v. FTS5':>16} {'eerste':>8} "
          f"{'na schrijven':>13} {'geheugen':>9} {'piek':>7} {'schijf':>8}")  # fmt: skip
    for backend in out["backends"]:
        mine, ingest_ = out[backend]["zoeken"], out[backend]["inlezen"]
        marked = mine["markering"]
        print(
            f"{backend:<12} {ingest_['cases_per_s']:10.0f} {marked['p50_ms']:8.1f} {marked['p95_ms']:8.1f} "
            f"{marked['p50_ms'] / peer['markering']['p50_ms']:15.1f}x {mine['first_search_ms']:8.0f} "
            f"{statistics.median(mine['after_write_ms']):13.0f} {mine['rss_mb']:8.0f}M {mine['peak_mb']:6.0f}M "
            f"{mine['disk_mb']:7.0f}M"
        )
        plain = mine["zonder"]
        print(f"{'':<12} {'zonder markering:':>19} {plain['p50_ms']:8.1f} {plain['p95_ms']:8.1f}")
    print(
        f"{'fts5':<12} {peer['build_cases_per_s']:10.0f} {peer['markering']['p50_ms']:8.1f} "
        f"{peer['markering']['p95_ms']:8.1f} {'':>16} {'':>8} {'':>13} {'':>9} {'':>7} {peer['disk_mb']:7.0f}M"
    )
    print("(ms; zoeken met facetten, markering = met gemarkeerde fragmenten; FTS5 inlezen = alleen de index)")
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--backends", default="whoosh,postgresql")
    parser.add_argument("--alleen-opslag", action="store_true", help="poort overslaan, analyse eenmalig vooraf")
    parser.add_argument("--database-url", help="PostgreSQL-URL; anders een eigen server in een tijdelijke map")
    parser.add_argument("--keep", type=Path, default=None, help="map voor de gegevens (blijft staan)")
    parser.add_argument("--rol", choices=("inlezen", "zoeken"), help=argparse.SUPPRESS)
    parser.add_argument("--prepared", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    backends = [b for b in args.backends.split(",") if b]
    if args.rol is not None:
        root, backend = args.keep, backends[0]
        result = (
            role_ingest(backend, root, args.database_url, args.prepared)
            if args.rol == "inlezen"
            else role_search(backend, root, args.database_url, args.repeat)
        )
        print(json.dumps(result))
        return

    root = args.keep or Path(tempfile.mkdtemp(prefix="leerlus-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    write_corpus(root / "content", args.cases)
    out: dict[str, Any] = {"cases": args.cases, "backends": backends, "alleen_opslag": args.alleen_opslag}
    extra: list[str] = []
    if args.alleen_opslag:
        out["prepare_cases_per_s"] = prepare(root / "content", root / "analyse.pickle")
        extra = ["--prepared", str(root / "analyse.pickle")]
    server, url = None, args.database_url
    try:
        if "postgresql" in backends and url is None:
            from tests.pgserver import PostgresServer, find_bindir

            bindir = find_bindir()
            if bindir is None:
                sys.exit("PostgreSQL-serverbestanden niet gevonden; geef --database-url")
            server = PostgresServer(bindir, durable=True)
            server.start()
            url = server.create_database("leerlus_bench")
        for backend in backends:
            out[backend] = {"inlezen": child("inlezen", backend, root, url, extra)}
            out[backend]["zoeken"] = child("zoeken", backend, root, url, ["--repeat", str(args.repeat)])
    finally:
        if server is not None:
            server.stop()
    out["fts5"] = fts5(root, args.repeat)
    report(out)


if __name__ == "__main__":
    main()
