"""PostgreSQL search backend, similar cases: more-like-this over the index.

The term statistics it weighs with (:class:`~kb.index.pg_vocabulary.Vocabulary`: how many cases hold
each stem, the number of cases and their mean length) are kept up to date by every write, see
:mod:`kb.index.pg_vocabulary`.

Similar cases are ranked like :mod:`kb.index.similarity` ranks them for Whoosh: the strongest
stems of a case by tf-idf become one OR query, and candidates are scored with BM25 written in SQL
over ``unnest(tsv)`` (``ts_rank_cd`` knows no document frequencies). Differences from Whoosh: a
stem's document frequency counts cases holding it in any field (Whoosh: the highest per field), a
case's length is its number of distinct stems, and :meth:`key_terms` is tf-idf (Whoosh: Bo1).
"""

from __future__ import annotations

import math

from sqlalchemy import text
from sqlalchemy.engine import Connection

from kb.index.pg_schema import CONFIG, FIELD_WEIGHTS, TABLE
from kb.index.pg_vocabulary import Vocabulary

K1, B = 1.2, 0.75
MIN_LENGTH = 3


def tsquery_literal(stem: str, weights: str = "") -> str:
    """A stem as a ``tsquery`` operand, quoted and escaped (no normalisation happens on a cast)."""
    escaped = stem.replace("\\", "\\\\").replace("'", "''")
    return f"'{escaped}'" + (f":{weights}" if weights else "")


def case_terms(connection: Connection, case_id: str, letters: str) -> dict[str, int]:
    """Term frequencies of one case's stems in the fields with weight ``letters``."""
    rows = connection.execute(
        text(f"SELECT x.lexeme, x.weights FROM {TABLE} d, unnest(d.tsv) x WHERE d.id = :id"), {"id": case_id}
    ).all()
    counts = {lexeme: sum(1 for w in weights if w in letters) for lexeme, weights in rows}
    return {lexeme: tf for lexeme, tf in counts.items() if tf}


def text_terms(connection: Connection, body: str) -> dict[str, int]:
    """Term frequencies of a text that is not in the index, analysed as the index analyses."""
    rows = connection.execute(
        text(f"SELECT x.lexeme, cardinality(x.positions) FROM unnest(to_tsvector('{CONFIG}', :t)) x"), {"t": body}
    ).all()
    return {lexeme: int(tf) for lexeme, tf in rows}


def strongest(terms: dict[str, int], vocabulary: Vocabulary, count: int) -> list[tuple[str, float]]:
    """The most distinctive stems: term frequency times log(N / df), longer than two letters."""
    total = max(vocabulary.docs, 1)
    weights = {}
    for stem, tf in terms.items():
        df = vocabulary.stems.get(stem, 0)
        if df and len(stem) >= MIN_LENGTH and not stem.isdigit():
            weights[stem] = tf * math.log(total / df)
    return sorted(((s, w) for s, w in weights.items() if w > 0), key=lambda kv: (-kv[1], kv[0]))[:count]


def bm25(
    connection: Connection,
    weighted: dict[str, float],
    letters: str,
    vocabulary: Vocabulary,
    *,
    top: int,
    without: str | None = None,
    blocker: str | None = None,
) -> dict[str, float]:
    """Cases holding any of the stems in fields ``letters``, scored with BM25 (term weight times
    idf times saturated term frequency over the case's length); id -> score, best ``top``."""
    if not weighted:
        return {}
    stems = list(weighted)
    query = " | ".join(tsquery_literal(s, letters) for s in stems)
    conditions = ["d.tsv @@ CAST(:q AS tsquery)"]
    params: dict[str, object] = {
        "q": query,
        "stems": stems,
        "weights": [weighted[s] * vocabulary.idf(s) for s in stems],
        "letters": list(letters.lower()),
        "mean": max(vocabulary.mean_length, 1.0),
        "top": top,
    }
    if without is not None:
        conditions.append("d.id <> :without")
        params["without"] = without
    if blocker is not None:
        conditions.append(":blocker = ANY(d.blokkades)")
        params["blocker"] = blocker
    sql = f"""
        WITH t AS (SELECT * FROM unnest(CAST(:stems AS text[]), CAST(:weights AS float8[])) AS t(stem, w))
        SELECT d.id, sum(t.w * u.tf * {K1 + 1} / (u.tf + {K1} * ({1 - B} + {B} * length(d.tsv) / :mean))) AS score
        FROM {TABLE} d
        CROSS JOIN LATERAL (
            SELECT x.lexeme, cardinality(x.positions) AS tf
            FROM unnest(ts_filter(d.tsv, CAST(:letters AS "char"[]))) x
        ) u
        JOIN t ON t.stem = u.lexeme
        WHERE {" AND ".join(conditions)}
        GROUP BY d.id ORDER BY score DESC, d.id LIMIT :top"""
    return {case_id: float(score) for case_id, score in connection.execute(text(sql), params).all()}


def letters_of(fields: tuple[str, ...]) -> str:
    return "".join(FIELD_WEIGHTS[name] for name in fields if name in FIELD_WEIGHTS)


def surface_forms(connection: Connection, case_id: str, stems: list[str]) -> dict[str, str]:
    """For stems, the first word in the case's body that stems to each."""
    rows = connection.execute(
        text(f"SELECT token, lexemes FROM ts_debug('{CONFIG}', (SELECT body FROM {TABLE} WHERE id = :id))"),
        {"id": case_id},
    ).all()
    wanted, found = set(stems), {}
    for token, lexemes in rows:
        for stem in lexemes or ():
            if stem in wanted and stem not in found:
                found[stem] = token
    return found
