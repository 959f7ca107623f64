"""PostgreSQL search backend, vocabulary: term statistics kept up to date by every write.

:class:`Vocabulary` holds what Whoosh keeps in its lexicon: how many cases hold each stem (of
``tsv``) and each surface word (of ``words``), the number of cases and their mean length. It feeds
inverse document frequencies, "Bedoelde u" suggestions, fuzzy retries and compounds typed apart.

The numbers live in the table ``search_vocabulary`` (one row per stem or word, with the generation
that last changed it) and two totals in ``search_state``. Every write of the index changes them in
its own transaction (:func:`count`): the touched cases' old words are counted out before the write,
their new words counted in after it. So nothing ever rescans all cases with ``ts_stat`` (which grew
with the corpus and cost every node a full scan after every write), and a process that cached the
vocabulary at generation G refreshes it by reading only the rows changed since G
(:meth:`Vocabulary.refreshed`). Index writes take a transaction-level advisory lock, so two nodes
writing at once count one after the other and the numbers stay exact. A word no case holds any more
keeps its row with ``ndoc = 0``, so a cached copy learns that it went.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.engine import Connection

TABLE = "search_vocabulary"
DOCUMENTS = "search_document"
# Serialises index writes between processes and nodes, so counting out and in never interleaves.
WRITE_LOCK = 0x1EE2_0020
STEM, WORD = "s", "w"


def create(connection: Connection, generation: int) -> None:
    """(Re)build the vocabulary table from the cases in the index, once; stamped ``generation``."""
    connection.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))
    connection.execute(
        text(
            f"""CREATE TABLE {TABLE} (
                kind text NOT NULL, word text NOT NULL, ndoc integer NOT NULL, generation bigint NOT NULL,
                PRIMARY KEY (kind, word))"""
        )
    )
    connection.execute(text(f"CREATE INDEX {TABLE}_generation ON {TABLE} (generation)"))
    for kind, column in ((STEM, "tsv"), (WORD, "words")):
        connection.execute(
            text(
                f"INSERT INTO {TABLE} (kind, word, ndoc, generation) "
                f"SELECT :kind, word, ndoc, :g FROM ts_stat('SELECT {column} FROM {DOCUMENTS}')"
            ),
            {"kind": kind, "g": generation},
        )
    documents, length = connection.execute(
        text(f"SELECT count(*), coalesce(sum(length(tsv)), 0) FROM {DOCUMENTS}")
    ).one()
    _set_state(connection, documenten=int(documents), lengte=int(length), vocabulaire_sinds=generation)


def _set_state(connection: Connection, **values: int) -> None:
    connection.execute(
        text(
            "INSERT INTO search_state (name, value) "
            "SELECT * FROM unnest(CAST(:names AS text[]), CAST(:values AS text[])) "
            "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value"
        ),
        {"names": list(values), "values": [str(v) for v in values.values()]},
    )


def begin_write(connection: Connection) -> int:
    """Take the write lock for this transaction and bump the generation; the new generation."""
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})
    value = connection.execute(
        text(
            "UPDATE search_state SET value = (value::bigint + 1)::text WHERE name = 'generatie' RETURNING value::bigint"
        )
    ).scalar_one()
    return int(value)


def count(connection: Connection, ids: Iterable[str], sign: int, generation: int) -> None:
    """Count the words of cases ``ids`` as they are now into (``sign`` 1) or out of (-1) the vocabulary."""
    wanted = sorted(set(ids))
    if not wanted:
        return
    params = {"ids": wanted, "sign": sign, "g": generation}
    connection.execute(
        text(
            f"""WITH d AS (SELECT tsv, words FROM {DOCUMENTS} WHERE id = ANY(:ids)),
                c AS (
                    SELECT '{STEM}' AS kind, x AS word, count(*) AS n FROM d, unnest(tsvector_to_array(d.tsv)) x
                    GROUP BY x
                    UNION ALL
                    SELECT '{WORD}', x, count(*) FROM d, unnest(tsvector_to_array(d.words)) x GROUP BY x
                )
                INSERT INTO {TABLE} (kind, word, ndoc, generation)
                SELECT kind, word, :sign * n, :g FROM c
                ON CONFLICT (kind, word) DO UPDATE
                SET ndoc = {TABLE}.ndoc + EXCLUDED.ndoc, generation = EXCLUDED.generation"""
        ),
        params,
    )
    connection.execute(
        text(
            f"""WITH d AS (SELECT count(*) AS n, coalesce(sum(length(tsv)), 0) AS l FROM {DOCUMENTS}
                           WHERE id = ANY(:ids))
                UPDATE search_state s
                SET value = (s.value::bigint + :sign * CASE s.name WHEN 'documenten' THEN d.n ELSE d.l END)::text
                FROM d WHERE s.name IN ('documenten', 'lengte')"""
        ),
        params,
    )


def forget_all(connection: Connection, generation: int) -> None:
    """Every word counted out at once: the index was emptied."""
    connection.execute(text(f"UPDATE {TABLE} SET ndoc = 0, generation = :g WHERE ndoc <> 0"), {"g": generation})
    _set_state(connection, documenten=0, lengte=0)


@dataclass
class Vocabulary:
    """Term statistics of the whole index at one generation. Never changed once built: a refresh
    makes a new one, so searches running on another thread keep a consistent copy."""

    docs: int = 0
    mean_length: float = 1.0
    stems: dict[str, int] = field(default_factory=dict)  # stem -> number of cases
    words: dict[str, int] = field(default_factory=dict)  # surface word -> number of cases
    generation: int = -1
    _by_initial: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, connection: Connection) -> Vocabulary:
        """The whole vocabulary as of the connection's snapshot."""
        return cls().refreshed(connection)

    def refreshed(self, connection: Connection) -> Vocabulary:
        """This vocabulary brought to the generation in the connection's snapshot: only the rows
        changed since, or all rows when the table was rebuilt after this copy was made."""
        state = {
            name: int(value)
            for name, value in connection.execute(
                text(
                    "SELECT name, value FROM search_state "
                    "WHERE name IN ('generatie', 'documenten', 'lengte', 'vocabulaire_sinds')"
                )
            ).all()
        }
        current = state.get("generatie", 0)
        whole = self.generation < state.get("vocabulaire_sinds", 0) or current < self.generation
        since = -1 if whole else self.generation
        rows = connection.execute(
            text(f"SELECT kind, word, ndoc FROM {TABLE} WHERE generation > :since"), {"since": since}
        ).all()
        stems = {} if whole else dict(self.stems)
        words = {} if whole else dict(self.words)
        by_initial = {} if whole else dict(self._by_initial)
        changed: dict[str, tuple[set[str], set[str]]] = {}
        for kind, word, ndoc in rows:
            target = stems if kind == STEM else words
            if ndoc > 0:
                target[word] = int(ndoc)
            else:
                target.pop(word, None)
            if kind == WORD:
                added, gone = changed.setdefault(word[:1], (set(), set()))
                (added if ndoc > 0 else gone).add(word)
        for initial, (added, gone) in changed.items():
            by_initial[initial] = frozenset((by_initial.get(initial, frozenset()) | added) - gone)
        documents = state.get("documenten", 0)
        mean = state.get("lengte", 0) / documents if documents else 1.0
        return Vocabulary(documents, mean or 1.0, stems, words, current, by_initial)

    def known(self, word: str) -> bool:
        return word in self.words

    def idf(self, stem: str) -> float:
        """BM25's inverse document frequency; an unknown stem weighs like the rarest."""
        df = self.stems.get(stem, 0)
        return math.log(1 + (self.docs - df + 0.5) / (df + 0.5))

    def close_words(self, word: str, maxdist: int) -> list[tuple[int, int, str]]:
        """Words of the cases within ``maxdist`` edits sharing the first letter: (distance, -cases, word)."""
        found = []
        for candidate in self._by_initial.get(word[:1], ()):
            if candidate != word and abs(len(candidate) - len(word)) <= maxdist:
                distance = edit_distance(word, candidate, maxdist)
                if distance <= maxdist:
                    found.append((distance, -self.words[candidate], candidate))
        return sorted(found)


def edit_distance(a: str, b: str, cap: int) -> int:
    """Levenshtein distance, or ``cap + 1`` as soon as it must exceed ``cap``."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > cap:
            return cap + 1
        previous = current
    return previous[-1]
