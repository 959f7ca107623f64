"""Relevance of Leerlus search on the judged query set, next to a plain BM25 baseline.

For every query in ``tests/data/relevantie.yaml`` (keywords, questions, abbreviations, spelling
variants, paraphrases) both systems return their top 10 over the same cases: Leerlus, and SQLite
FTS5 with the ``unicode61`` tokenizer and bm25 (no Dutch analysis, query words OR-ed). Prints
nDCG@10, recall@10, MRR (first case graded 2 or 3) and the share of queries with a grade-3 case in
the top 5, per kind of query and overall.

A ruler can also be a folder with its own corpus (``casussen/*.md``) and ``oordelen.yaml`` holding
``vragen`` and ``zaden``: seed cases with graded similar cases. Similar cases are then measured too,
Leerlus's "vergelijkbare casussen" against a BM25 more-like-this over the same corpus (the seed's
25 most distinctive words by tf-idf, OR-ed, in FTS5). Usage:

    python bench/eval_relevance.py [--set tests/data/relevantie.yaml | --set tests/data/precedenten_a]
                                   [--backend whoosh|postgresql|beide] [--database-url URL]

``--backend`` picks the search backend (see ``LEERLUS_SEARCH_BACKEND``); ``beide`` measures Whoosh and
PostgreSQL side by side in one run, next to FTS5, with the median time per search of each. Without
``--database-url`` the PostgreSQL backend runs on a private server started in a temporary directory
(``tests/pgserver.py``), like the tests.
"""

from __future__ import annotations

import argparse
import math
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest import runner  # noqa: E402
from ingest.parse import parse_case  # noqa: E402
from ingest.runner import case_files, ingest  # noqa: E402
from kb.knowledge import KnowledgeBase  # noqa: E402
from kb.search import make_request  # noqa: E402
from kb.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SET = ROOT / "tests" / "data" / "relevantie.yaml"
CONTENT = ROOT / "content"
K = 10


@dataclass
class Scores:
    ndcg: float
    recall: float
    rr: float
    top5: float


def score(ranking: list[str], judged: dict[str, int]) -> Scores:
    gains = [judged.get(doc, 0) for doc in ranking[:K]]
    dcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted(judged.values(), reverse=True)[:K]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    relevant = [d for d, g in judged.items() if g >= 1]
    recall = len(set(ranking[:K]) & set(relevant)) / len(relevant) if relevant else 1.0
    rr = next((1 / (i + 1) for i, d in enumerate(ranking) if judged.get(d, 0) >= 2), 0.0)
    best = [d for d, g in judged.items() if g == 3]
    top5 = 1.0 if not best or set(ranking[:5]) & set(best) else 0.0
    return Scores(dcg / idcg if idcg else 1.0, recall, rr, top5)


class Fts5Baseline:
    """The same case texts in SQLite FTS5 (unicode61, bm25), queried with OR-ed words."""

    def __init__(self, content: Path, kb: KnowledgeBase) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, titel, body, besluit, lessen, tokenize='unicode61')"
        )
        self.words: dict[str, Counter[str]] = {}
        stored = {case_id for case_id, _ in kb.stored_files().values()}
        for path in case_files(content):
            record = parse_case(path.read_bytes(), path=str(path), rel_path=path.name, taxonomy=kb.taxonomy).record
            if record is not None and record.id in stored:  # the same documents: what Leerlus let in
                row = (record.id, record.titel, record.body_text, record.besluit or "", record.lessen_text)
                self.db.execute("INSERT INTO docs VALUES (?,?,?,?,?)", row)
                self.words[record.id] = Counter(re.findall(r"\w+", " ".join(row[1:]).lower()))
        self.df: Counter[str] = Counter(w for counts in self.words.values() for w in counts)

    def search(self, query: str, limit: int = K) -> list[str]:
        words = list(dict.fromkeys(re.findall(r"\w+", query.lower())))
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        rows = self.db.execute("SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (match, limit))
        return [r[0] for r in rows]

    def more_like_this(self, case_id: str, terms: int = 25) -> list[str]:
        """BM25 over the seed's most distinctive words (tf-idf, words of 3+ letters), seed left out."""
        n = len(self.words)
        counts = self.words[case_id]
        weight = {w: tf * math.log(n / self.df[w]) for w, tf in counts.items() if len(w) >= 3 and not w.isdigit()}
        top = [w for w, _ in sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))[:terms]]
        return [d for d in self.search(" ".join(top), limit=K + 1) if d != case_id][:K]


def ruler(path: Path) -> tuple[dict[str, Any], Path]:
    """The judgments and the corpus they were made on: a YAML file over ``content/``, or a folder
    with ``oordelen.yaml`` and its own ``casussen/``."""
    if path.is_dir():
        return yaml.safe_load((path / "oordelen.yaml").read_text(encoding="utf-8")), path / "casussen"
    return yaml.safe_load(path.read_text(encoding="utf-8")), CONTENT


def evaluate(
    kb: KnowledgeBase,
    path: Path = DEFAULT_SET,
    content: Path | None = None,
    timings: dict[str, list[float]] | None = None,
) -> dict[str, dict[str, Scores]]:
    """Mean scores per system ("leerlus", "bm25") and per kind of query, plus "alle"; with seeds
    also the kind "vergelijkbaar" (Leerlus's similar cases against BM25 more-like-this). With
    ``timings``, the seconds of every search are appended per system (Leerlus with highlights)."""
    data, corpus = ruler(path)
    baseline = Fts5Baseline(content or corpus, kb)
    per: dict[str, dict[str, list[Scores]]] = {"leerlus": defaultdict(list), "bm25": defaultdict(list)}
    clock: dict[str, list[float]] = timings if timings is not None else {}
    for q in data.get("vragen") or []:
        judged = {str(k): int(v) for k, v in q["oordelen"].items()}
        if timings is not None:  # timed as people search: with snippets
            started = time.perf_counter()
            kb.search(make_request(query=q["vraag"], limit=K))
            clock.setdefault("leerlus", []).append(time.perf_counter() - started)
        ours = [h.id for h in kb.search(make_request(query=q["vraag"], limit=K, highlight=False)).hits]
        started = time.perf_counter()
        theirs = baseline.search(q["vraag"])
        clock.setdefault("bm25", []).append(time.perf_counter() - started)
        for system, ranking in (("leerlus", ours), ("bm25", theirs)):
            s = score(ranking, judged)
            per[system][q["soort"]].append(s)
            per[system]["alle"].append(s)
    for seed in data.get("zaden") or []:
        judged = {str(k): int(v) for k, v in seed["oordelen"].items()}
        ours = [s.id for s in kb.similar(seed["casus"], K)]
        for system, ranking in (("leerlus", ours), ("bm25", baseline.more_like_this(seed["casus"]))):
            per[system]["vergelijkbaar"].append(score(ranking, judged))
    return {system: {kind: _mean(v) for kind, v in kinds.items()} for system, kinds in per.items()}


def _mean(scores: list[Scores]) -> Scores:
    n = len(scores)
    return Scores(*(sum(getattr(s, f) for s in scores) / n for f in ("ndcg", "recall", "rr", "top5")))


def sample_kb(data_dir: Path, content: Path = CONTENT, **settings: Any) -> KnowledgeBase:
    """The corpus ingested (``settings`` pick the database and search backend). A ruler's own
    corpus is fictional and written without personal data; the gate is measured by
    ``bench/eval_privacy.py``, so here it does not stand between the ruler and the ranking (a
    refused case would count as a miss for the wrong reason)."""
    kb = KnowledgeBase(Settings(data_dir=data_dir, content_dir=content, **settings))
    if content != CONTENT:
        runner.gate_refusal = lambda *_args, **_kwargs: []  # type: ignore[assignment]
    report = ingest(kb)
    refused = [str(i) for i in report.issues if i.is_error]
    if refused:
        print("niet ingelezen:", *refused, sep="\n  ", file=sys.stderr)
    return kb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET)
    parser.add_argument("--backend", choices=("whoosh", "postgresql", "beide"), default="whoosh")
    parser.add_argument("--database-url", help="PostgreSQL-URL voor de PostgreSQL-zoekmachine")
    args = parser.parse_args()
    _, corpus = ruler(args.set)
    backends = ["whoosh", "postgresql"] if args.backend == "beide" else [args.backend]
    server = None
    results: dict[str, dict[str, Scores]] = {}
    timings: dict[str, list[float]] = {}
    try:
        for backend in backends:
            settings: dict[str, Any] = {}
            if backend == "postgresql":
                url = args.database_url
                if url is None:
                    from tests.pgserver import PostgresServer, find_bindir

                    bindir = find_bindir()
                    if bindir is None:
                        sys.exit("PostgreSQL-serverbestanden niet gevonden; geef --database-url")
                    server = PostgresServer(bindir)
                    server.start()
                    url = server.create_database("leerlus_relevantie")
                settings = {"database_url": url, "search_backend": "postgresql"}
            kb = sample_kb(Path(tempfile.mkdtemp(prefix="leerlus-relevantie-")), corpus, **settings)
            clock: dict[str, list[float]] = {}
            measured = evaluate(kb, args.set, timings=clock)
            kb.close()
            results[backend] = measured["leerlus"]
            results.setdefault("bm25", measured["bm25"])
            timings[backend] = clock["leerlus"]
            timings.setdefault("bm25", clock["bm25"])
    finally:
        if server is not None:
            server.stop()
    systems = [*backends, "bm25"]
    first = results[backends[0]]
    kinds = sorted(k for k in first if k not in ("alle", "vergelijkbaar"))
    kinds += [k for k in ("alle", "vergelijkbaar") if k in first]
    print(f"{'soort':<12} {'systeem':<10} {'nDCG@10':>8} {'recall@10':>10} {'MRR':>6} {'top-5':>6}")
    for kind in kinds:
        for system in systems:
            s = results[system][kind]
            print(f"{kind:<12} {system:<10} {s.ndcg:8.3f} {s.recall:10.3f} {s.rr:6.3f} {s.top5:6.2f}")
    print("\nzoektijd per vraag (mediaan / p95, ms; Leerlus met markeringen, FTS5 zonder):")
    for system in systems:
        times = sorted(timings[system])
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        name = "fts5" if system == "bm25" else system
        print(f"  {name:<10} {statistics.median(times) * 1000:7.1f} / {p95 * 1000:7.1f}")


if __name__ == "__main__":
    main()
