"""Search stage, more-like-this: the cases whose text resembles one case, over several fields.

Whoosh's own ``more_like`` takes the key terms of one field and searches that field only. A case's
situation, decision and lessons all say what it is about, so here the case's words in every field
are analysed as the index analyses them (Dutch stems) and weighted by tf-idf over the index; the
strongest 60 become one query, ranked by BM25F. Measured on graded similar-case judgments
(``bench/fit_similar.py``): many terms beat few (25 terms: 0.79 nDCG@10, 60: 0.89 on the
development ruler), and unweighted terms beat tf-idf-boosted ones. From 200 cases on, words in a
quarter of all cases or more are left out: they cost most of the postings (4x faster at 3,000
synthetic cases); on the 70-case rulers, with the cap forced on, quality was the same on average
(0.843 against 0.846 nDCG@10), but at scale it is not measured yet.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

from whoosh.query import Or, Term

MIN_LENGTH = 3
MAX_SHARE = 0.25  # a word in a quarter of all cases or more says little and costs the most postings
MIN_TERMS = 5
CAP_FROM = 200  # cases; below this the cap would leave too few shared words


def key_terms(searcher: Any, docnum: int, fields: Sequence[str], numterms: int = 25) -> list[tuple[str, float]]:
    """The case's most distinctive stems over ``fields``: term frequency times log(N / df)."""
    stored = searcher.stored_fields(docnum)
    counts: Counter[str] = Counter()
    for name in fields:
        text = stored.get(name)
        if text:
            analyzer = searcher.schema[name].analyzer
            counts.update(t.text for t in analyzer(text) if len(t.text) >= MIN_LENGTH and not t.text.isdigit())
    total = max(searcher.doc_count(), 1)
    capped = total >= CAP_FROM  # in a small corpus every shared word is "common"; it is cheap anyway
    weights: dict[str, float] = {}
    common: dict[str, float] = {}
    for term, tf in counts.items():
        df = max((searcher.doc_frequency(name, term) for name in fields), default=0)
        if df:
            (common if capped and df / total >= MAX_SHARE else weights)[term] = tf * math.log(total / df)
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:numterms]
    if len(ranked) < MIN_TERMS:  # a uniform corpus: top up with the strongest common words
        ranked += sorted(common.items(), key=lambda kv: (-kv[1], kv[0]))[: MIN_TERMS - len(ranked)]
    return ranked


def more_like_case(
    searcher: Any, docnum: int, fields: Sequence[str], *, numterms: int = 60, top: int = 40
) -> dict[str, float]:
    """Other cases like document ``docnum``, id -> BM25F score, best ``top``. The terms are chosen
    over every field in ``fields``; the title (whose field boost would let a few words decide) is
    not searched, the others are, each term once per field, unweighted: BM25 weighs them itself."""
    strongest = [term for term, weight in key_terms(searcher, docnum, fields, numterms) if weight > 0]
    searched = [name for name in fields if name != "titel"] or list(fields)
    if not strongest:
        return {}
    query = Or([Term(name, term) for term in strongest for name in searched])
    results = searcher.search(query, limit=top + 1)
    return {hit["id"]: float(hit.score) for hit in results if hit.docnum != docnum}

