"""Relevance of Leerlus search on the judged query set, next to a plain BM25 baseline.

For every query in ``tests/data/relevantie.yaml`` (keywords, questions, abbreviations, spelling
variants, paraphrases) both systems return their top 10 over the same cases: Leerlus, and SQLite
FTS5 with the ``unicode61`` tokenizer and bm25 (no Dutch analysis, query words OR-ed). Prints
nDCG@10, recall@10, MRR (first case graded 2 or 3) and the share of queries with a grade-3 case in
the top 5, per kind of query and overall. Usage:

    python bench/eval_relevance.py [--set tests/data/relevantie.yaml] [--per-vraag]
"""

from __future__ import annotations

import argparse
import math
import re
import sqlite3
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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
        for path in case_files(content):
            record = parse_case(path.read_bytes(), path=str(path), rel_path=path.name, taxonomy=kb.taxonomy).record
            if record is not None:
                row = (record.id, record.titel, record.body_text, record.besluit or "", record.lessen_text)
                self.db.execute("INSERT INTO docs VALUES (?,?,?,?,?)", row)

    def search(self, query: str) -> list[str]:
        words = list(dict.fromkeys(re.findall(r"\w+", query.lower())))
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        rows = self.db.execute("SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (match, K))
        return [r[0] for r in rows]


def evaluate(kb: KnowledgeBase, path: Path = DEFAULT_SET, content: Path = CONTENT) -> dict[str, dict[str, Scores]]:
    """Mean scores per system ("leerlus", "bm25") and per kind of query, plus "alle"."""
    queries = yaml.safe_load(path.read_text(encoding="utf-8"))["vragen"]
    baseline = Fts5Baseline(content, kb)
    per: dict[str, dict[str, list[Scores]]] = {"leerlus": defaultdict(list), "bm25": defaultdict(list)}
    for q in queries:
        judged = {str(k): int(v) for k, v in q["oordelen"].items()}
        ours = [h.id for h in kb.search(make_request(query=q["vraag"], limit=K, highlight=False)).hits]
        for system, ranking in (("leerlus", ours), ("bm25", baseline.search(q["vraag"]))):
            s = score(ranking, judged)
            per[system][q["soort"]].append(s)
            per[system]["alle"].append(s)
    return {system: {kind: _mean(v) for kind, v in kinds.items()} for system, kinds in per.items()}


def _mean(scores: list[Scores]) -> Scores:
    n = len(scores)
    return Scores(*(sum(getattr(s, f) for s in scores) / n for f in ("ndcg", "recall", "rr", "top5")))


def sample_kb(data_dir: Path) -> KnowledgeBase:
    kb = KnowledgeBase(Settings(data_dir=data_dir, content_dir=CONTENT))
    ingest(kb)
    return kb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET)
    args = parser.parse_args()
    kb = sample_kb(Path(tempfile.mkdtemp(prefix="leerlus-relevantie-")))
    results = evaluate(kb, args.set)
    kinds = sorted(k for k in results["leerlus"] if k != "alle") + ["alle"]
    print(f"{'soort':<12} {'systeem':<8} {'nDCG@10':>8} {'recall@10':>10} {'MRR':>6} {'top-5':>6}")
    for kind in kinds:
        for system in ("leerlus", "bm25"):
            s = results[system][kind]
            print(f"{kind:<12} {system:<8} {s.ndcg:8.3f} {s.recall:10.3f} {s.rr:6.3f} {s.top5:6.2f}")
    kb.close()


if __name__ == "__main__":
    main()
