"""Facet counts for the search stage, computed with bitmasks instead of Whoosh's grouping collector.

For every facet value the documents holding it are kept as one Python integer used as a bitmask,
built once per searcher. Counting a facet over a result set is then ``(value & matched).bit_count()``
per value: no per-document work in the scoring loop, which Whoosh's ``groupedby`` would add.
"""

from __future__ import annotations

from collections.abc import Iterable

from whoosh.searching import Searcher

Tables = dict[str, dict[str, int]]


def bitmask(docnums: Iterable[int], size: int) -> int:
    """An integer with bit ``n`` set for every document number ``n``."""
    bits = bytearray((size + 8) // 8)
    for docnum in docnums:
        bits[docnum >> 3] |= 1 << (docnum & 7)
    return int.from_bytes(bits, "little")


def build_tables(searcher: Searcher, fields: Iterable[str]) -> Tables:
    """Per facet field, per indexed value, the bitmask of live documents holding it."""
    reader = searcher.reader()
    size = reader.doc_count_all()
    tables: Tables = {}
    for name in fields:
        values: dict[str, int] = {}
        for raw in reader.lexicon(name):
            docs = reader.postings(name, raw).all_ids()
            if reader.has_deletions():
                docs = (d for d in docs if not reader.is_deleted(d))
            mask = bitmask(docs, size)
            if mask:
                values[raw.decode("utf-8")] = mask
        tables[name] = values
    return tables


def count(tables: Tables, matched: int) -> dict[str, dict[str, int]]:
    """Counts per value over the documents in ``matched``, zeros left out (ordered by
    :func:`kb.index.results.ordered_facets`)."""
    out: dict[str, dict[str, int]] = {}
    for name, values in tables.items():
        counts = {value: (mask & matched).bit_count() for value, mask in values.items()}
        out[name] = {value: n for value, n in counts.items() if n}
    return out
