"""Benchmark: ingest and search N synthetic cases with Leerlus, and the same with SQLite FTS5.

Prints ingest cases/s (end to end: gate, parse, render, extraction, SQL, index), index size,
extraction and gate words/s (next to bare tokenization and deduce alone), and search p50/p95 for a
fixed query mix with and without highlights, next to SQLite FTS5 (unicode61 tokenizer, bm25) over
the same documents and queries in the same run, with the ratio. Usage:

    python bench/bench_search.py [--cases 10000] [--repeat 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import write_corpus  # noqa: E402
from ingest.parse import parse_case  # noqa: E402
from ingest.runner import case_files, ingest  # noqa: E402
from kb.knowledge import KnowledgeBase  # noqa: E402
from kb.search import make_request  # noqa: E402
from kb.settings import Settings  # noqa: E402

# (label, Leerlus query, FTS5 query, filters)
QUERIES = [
    ("1 term", "thuiszitter", "thuiszitter", {}),
    ("1 term", "wachtlijst", "wachtlijst", {}),
    ("1 term", "zorgkantoor", "zorgkantoor", {}),
    ("2 termen", "schulden huurachterstand", "schulden OR huurachterstand", {}),
    ("2 termen", "pleegzorg gezinshuis", "pleegzorg OR gezinshuis", {}),
    ("3 termen", "wlz indicatie ciz", "wlz OR indicatie OR ciz", {}),
    ("frase", '"verlengde jeugdhulp"', '"verlengde jeugdhulp"', {}),
    ("frase", '"zorg in de klas"', '"zorg in de klas"', {}),
    ("facet", "wachtlijst", "wachtlijst", {"blokkades": ["aanbod.wachtlijst"]}),
    ("facet", "pleegzorg", "pleegzorg", {"regio": ["Utrecht"], "soort": ["escalatie"]}),
]
FACETS = ("soort", "regio", "team", "jaar", "leeftijdscategorie", "hulpvraag", "wetten", "blokkades")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def time_queries(run, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    timings = []
    for _ in range(repeat):
        for query in QUERIES:
            start = time.perf_counter()
            run(query)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def build_fts(kb: KnowledgeBase, content: Path, db_path: Path) -> float:
    """FTS5 table over the same text fields, plus a tag table for filters and facet counts."""
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE VIRTUAL TABLE docs USING fts5(titel, body, besluit, lessen, tokenize='unicode61')")
    conn.execute("CREATE TABLE tags (doc INTEGER, veld TEXT, waarde TEXT)")
    conn.execute("CREATE INDEX tags_doc ON tags(doc)")
    conn.execute("CREATE INDEX tags_val ON tags(veld, waarde)")
    records = []
    for path in case_files(content):
        result = parse_case(path.read_bytes(), path=str(path), rel_path=path.name, taxonomy=kb.taxonomy)
        assert result.record is not None
        records.append(result.record)
    start = time.perf_counter()
    for rowid, r in enumerate(records, 1):
        conn.execute(
            "INSERT INTO docs(rowid, titel, body, besluit, lessen) VALUES (?,?,?,?,?)",
            (rowid, r.titel, r.body_text, r.besluit or "", r.lessen_text),
        )
        for name in FACETS:
            for value in r.facet_values(name):
                conn.execute("INSERT INTO tags VALUES (?,?,?)", (rowid, name, value))
    conn.commit()
    conn.close()
    return time.perf_counter() - start


def fts_search(conn: sqlite3.Connection, query: str, filters: dict[str, list[str]], highlight: bool) -> None:
    where = "docs MATCH ?"
    args: list[object] = [query]
    for name, values in filters.items():
        where += f" AND rowid IN (SELECT doc FROM tags WHERE veld = ? AND waarde IN ({','.join('?' * len(values))}))"
        args += [name, *values]
    snippet = ", snippet(docs, 1, '<mark>', '</mark>', '…', 24)" if highlight else ""
    conn.execute(
        f"SELECT rowid, bm25(docs, 3, 1, 2, 1.5){snippet} FROM docs WHERE {where} ORDER BY 2 LIMIT 10", args
    ).fetchall()
    conn.execute(f"SELECT count(*) FROM docs WHERE {where}", args).fetchone()
    conn.execute(
        "SELECT veld, waarde, count(*) FROM tags"
        f" WHERE doc IN (SELECT rowid FROM docs WHERE {where}) GROUP BY veld, waarde",
        args,
    ).fetchall()


def bench_analysis(content: Path, sample: int) -> dict[str, float]:
    """Words/s of the extraction pipeline (one and two processes) next to bare tokenization."""
    from ingest.draft import draft_body
    from ingest.pipeline import get_pipeline

    bodies = [draft_body(p.read_text(encoding="utf-8")) for p in sorted(content.glob("*.md"))[:sample]]
    words = sum(len(b.split()) for b in bodies)
    pipeline = get_pipeline()
    pipeline.analyze_many(bodies[:50])  # warm-up
    out = {}
    start = time.perf_counter()
    for _ in pipeline.nlp.tokenizer.pipe(bodies):
        pass
    out["tokenizer_words_per_s"] = words / (time.perf_counter() - start)
    for n in (1, 2):
        start = time.perf_counter()
        pipeline.analyze_many(bodies, batch_size=64, n_process=n)
        out[f"analyse_{n}proc_words_per_s"] = words / (time.perf_counter() - start)
    return out


def bench_gate(content: Path, sample: int) -> dict[str, float]:
    """Words/s of the anonymisation gate next to deduce alone, over the same texts."""
    from ingest.gate import get_gate

    texts = [p.read_text(encoding="utf-8") for p in sorted(content.glob("*.md"))[:sample]]
    words = sum(len(t.split()) for t in texts)
    gate = get_gate()
    gate.load()
    gate.check(texts[0])  # warm-up: word lists
    start = time.perf_counter()
    for text in texts:
        gate.check(text)
    gate_rate = words / (time.perf_counter() - start)
    start = time.perf_counter()
    for text in texts:
        gate._deduce.deidentify(text)
    return {"gate_words_per_s": gate_rate, "deduce_words_per_s": words / (time.perf_counter() - start)}


def bench_patterns(kb: KnowledgeBase, repeat: int) -> dict[str, float]:
    """The Patronen dashboard's numbers (all tables, per quarter) and its HTML page, next to one
    SQL GROUP BY that counts only blockers per quarter over the same store."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from kb.patterns import Selection

    def numbers() -> None:
        kb.analyst().patterns(Selection(), "kwartaal")

    sql = (
        "SELECT t.waarde, substr(c.datum, 1, 4) || '-K' || ((CAST(substr(c.datum, 6, 2) AS INTEGER) + 2) / 3), "
        "count(*) FROM casetag t JOIN \"case\" c ON c.id = t.case_id WHERE t.veld = 'blokkades' GROUP BY 1, 2"
    )
    conn = sqlite3.connect(kb.settings.data_dir / "leerlus.sqlite3")
    client = TestClient(create_app(kb.settings, kb=kb))
    runs = {
        "patronen": numbers,
        "sql_group_by": lambda: conn.execute(sql).fetchall(),
        "pagina": lambda: client.get("/patronen"),
    }
    out = {}
    for name, run in runs.items():
        run()
        timings = []
        for _ in range(repeat):
            start = time.perf_counter()
            run()
            timings.append((time.perf_counter() - start) * 1000)
        out[f"{name}_p50_ms"] = statistics.median(timings)
    conn.close()
    return out


def bench_similar(kb: KnowledgeBase, content: Path, sample: int = 20) -> dict[str, float]:
    """Similar cases for ``sample`` cases, next to a BM25 more-like-this in FTS5 over the same texts."""
    from bench.eval_relevance import Fts5Baseline

    ids = sorted(case_id for case_id, _ in kb.stored_files().values())[:: max(1, len(kb.stored_files()) // sample)][
        :sample
    ]
    peer = Fts5Baseline(content, kb)
    out = {}
    for name, run in (("leerlus", lambda i: kb.similar(i, 8)), ("fts5_mlt", peer.more_like_this)):
        run(ids[0])  # warm-up
        timings = []
        for case_id in ids:
            start = time.perf_counter()
            run(case_id)
            timings.append((time.perf_counter() - start) * 1000)
        out[f"{name}_p50_ms"] = statistics.median(timings)
        out[f"{name}_p95_ms"] = percentile(timings, 0.95)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, default=None, help="map om de gegevens te bewaren")
    parser.add_argument("--analyse", type=int, default=2000, help="aantal casussen voor de analysemeting")
    args = parser.parse_args()

    root = args.keep or Path(tempfile.mkdtemp(prefix="leerlus-bench-"))
    content = root / "content"
    write_corpus(content, args.cases)
    kb = KnowledgeBase(Settings(data_dir=root / "data", content_dir=content))

    start = time.perf_counter()
    report = ingest(kb)
    ingest_seconds = time.perf_counter() - start
    assert report.ok and len(report.added) == args.cases, report.summary()
    fts_seconds = build_fts(kb, content, root / "fts.sqlite3")

    def leerlus(highlight: bool):  # type: ignore[no-untyped-def]
        def run(q):  # type: ignore[no-untyped-def]
            kb.search(make_request(query=q[1], filters=q[3], highlight=highlight))

        return run

    conn = sqlite3.connect(root / "fts.sqlite3")

    def fts(highlight: bool):  # type: ignore[no-untyped-def]
        return lambda q: fts_search(conn, q[2], q[3], highlight)

    for warm in (leerlus(True), fts(True)):  # one warm-up round each
        time_queries(warm, 1)
    results = {}
    for name, runner in [
        ("leerlus", leerlus(False)),
        ("leerlus+markering", leerlus(True)),
        ("fts5", fts(False)),
        ("fts5+markering", fts(True)),
    ]:
        timings = time_queries(runner, args.repeat)
        results[name] = {"p50_ms": statistics.median(timings), "p95_ms": percentile(timings, 0.95)}

    index_mb = kb.index.size_bytes() / 1e6
    fts_mb = (root / "fts.sqlite3").stat().st_size / 1e6
    analysis = bench_analysis(content, min(args.analyse, args.cases))
    gate = bench_gate(content, min(args.analyse, args.cases))
    patterns = bench_patterns(kb, args.repeat)
    similar = bench_similar(kb, content)
    out = {
        "cases": args.cases,
        "analysis": analysis,
        "gate": gate,
        "ingest_cases_per_s": args.cases / ingest_seconds,
        "fts5_build_cases_per_s": args.cases / fts_seconds,
        "index_mb": index_mb,
        "fts5_mb": fts_mb,
        "search": results,
        "patterns": patterns,
        "similar": similar,
    }
    print(f"{args.cases} synthetische casussen in {root}")
    print(
        f"inlezen (poort+parse+analyse+SQL+index): {out['ingest_cases_per_s']:.0f} casussen/s  ({ingest_seconds:.1f} s)"
    )
    print(f"FTS5 opbouwen (alleen index):     {out['fts5_build_cases_per_s']:.0f} casussen/s  ({fts_seconds:.1f} s)")
    print(f"indexgrootte: Whoosh {index_mb:.1f} MB, FTS5 {fts_mb:.1f} MB")
    tok = analysis["tokenizer_words_per_s"]
    for n in (1, 2):
        rate = analysis[f"analyse_{n}proc_words_per_s"]
        print(
            f"analyse ({n} proces): {rate:,.0f} woorden/s  ({rate / tok:.2f}x van alleen tokeniseren, {tok:,.0f} w/s)"
        )
    g, d = gate["gate_words_per_s"], gate["deduce_words_per_s"]
    print(f"anonimiseringspoort: {g:,.0f} woorden/s  ({g / d:.2f}x van deduce alleen, {d:,.0f} w/s)")
    print("zoeken (ms)            p50      p95   p50 t.o.v. FTS5")
    for name in ("leerlus", "leerlus+markering"):
        peer = results["fts5+markering" if "markering" in name else "fts5"]
        mine = results[name]
        ratio = mine["p50_ms"] / peer["p50_ms"]
        print(f"  {name:<18} {mine['p50_ms']:7.2f}  {mine['p95_ms']:7.2f}   {ratio:.1f}x")
    for name in ("fts5", "fts5+markering"):
        print(f"  {name:<18} {results[name]['p50_ms']:7.2f}  {results[name]['p95_ms']:7.2f}")
    p, q = patterns["patronen_p50_ms"], patterns["sql_group_by_p50_ms"]
    page = patterns["pagina_p50_ms"]
    print(f"patronen (alle tabellen): {p:.0f} ms p50 ({p / q:.1f}x van één SQL GROUP BY, {q:.0f} ms)")
    print(f"pagina /patronen: {page:.0f} ms p50")
    a, b = similar["leerlus_p50_ms"], similar["fts5_mlt_p50_ms"]
    print(
        f"vergelijkbare casussen: {a:.0f} ms p50, {similar['leerlus_p95_ms']:.0f} ms p95 "
        f"({a / b:.1f}x van BM25 more-like-this in FTS5, {b:.0f} ms)"
    )
    print(json.dumps(out))
    kb.close()


if __name__ == "__main__":
    main()
