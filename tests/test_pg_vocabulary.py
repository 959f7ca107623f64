"""The PostgreSQL search vocabulary (kb.index.pg_vocabulary), kept up to date by every write.

After every kind of write (new cases, changed cases, deleted cases, the same case twice in one
batch, an emptied index) the table holds exactly what ``ts_stat`` over all cases says, and a
process that had cached the vocabulary before the write, refreshed with only the changed rows,
equals one that loads it whole. A search table made before the vocabulary table existed gets it
filled at start.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import pytest
from sqlalchemy import text

from ingest.parse import parse_case
from ingest.runner import ingest
from kb.index.pg_vocabulary import Vocabulary
from kb.knowledge import KnowledgeBase
from kb.records import CaseRecord
from tests.pgserver import PostgresServer

pytestmark = pytest.mark.postgres
_databases = itertools.count()


def truth(kb: KnowledgeBase) -> tuple[dict[str, int], dict[str, int], int, float]:
    """Stems and words with their case counts, the number of cases and their mean length, as a
    full scan finds them."""
    with kb.engine.connect() as connection:
        stat = "SELECT word, ndoc FROM ts_stat('SELECT {} FROM search_document')"
        stems = {w: int(n) for w, n in connection.execute(text(stat.format("tsv"))).all()}
        words = {w: int(n) for w, n in connection.execute(text(stat.format("words"))).all()}
        docs, mean = connection.execute(text("SELECT count(*), avg(length(tsv)) FROM search_document")).one()
    return stems, words, int(docs), float(mean or 1.0)


def loaded(kb: KnowledgeBase) -> Vocabulary:
    with kb.engine.connect() as connection:
        return Vocabulary.load(connection)


def assert_exact(vocabulary: Vocabulary, kb: KnowledgeBase) -> None:
    stems, words, docs, mean = truth(kb)
    assert vocabulary.stems == stems
    assert vocabulary.words == words
    assert vocabulary.docs == docs
    assert vocabulary.mean_length == pytest.approx(mean)
    assert sorted(w for group in vocabulary._by_initial.values() for w in group) == sorted(words)


def record(case_id: str, body: str, kb: KnowledgeBase) -> CaseRecord:
    raw = f"---\ntitel: {case_id.title()}\nsoort: escalatie\ndatum: 2025-04\n---\n{body}\n"
    parsed = parse_case(raw.encode(), path=f"{case_id}.md", rel_path=f"{case_id}.md", taxonomy=kb.taxonomy).record
    assert parsed is not None
    return parsed


@pytest.fixture
def two(make_settings: Any, pg_server: PostgresServer) -> Any:
    url = pg_server.create_database(f"vocabulaire_{os.getpid()}_{next(_databases)}")
    settings = make_settings(database_url=url, search_backend="postgresql")
    here, there = KnowledgeBase(settings), KnowledgeBase(settings)
    assert ingest(here).ok
    yield here, there
    here.close()
    there.close()


def test_every_kind_of_write_keeps_the_vocabulary_exact(two: Any) -> None:
    here, there = two
    assert_exact(loaded(here), here)
    cached = there.index.vocabulary()  # the other node caches it before the writes
    existing = sorted(here.index.hashes())
    with here.index.writer() as batch:  # new cases; one of them put twice in one batch
        batch.put(record("kangoeroe", "Kangoeroezorg in een logeerhuis, kangoeroezorg voor het gezin.", here))
        batch.put(record("logeer", "Een logeerhuis zonder budget.", here))
        batch.put(record("logeer", "Een logeerhuis zonder budget, nu met een wachtlijst.", here))
    refreshed = there.index.vocabulary()
    assert refreshed is not cached and refreshed.generation > cached.generation
    assert_exact(refreshed, here)
    assert refreshed.known("kangoeroezorg") and cached.known("kangoeroezorg") is False  # the old copy stays as it was

    changed = here.case(existing[0])
    with here.index.writer() as batch:  # a changed case, a deleted one, and put-delete-put of another
        batch.put(record(changed.id, "Alleen nog dit: een zebrapad.", here))
        batch.delete([existing[1]])
        batch.put(record("heen-en-weer", "Eenmalig: tussenstap.", here))
        batch.delete(["heen-en-weer"])
        batch.put(record("heen-en-weer", "Weer terug, anders.", here))
    assert_exact(there.index.vocabulary(), here)
    assert_exact(loaded(here), here)
    assert not there.index.vocabulary().known("tussenstap") and there.index.vocabulary().known("terug")

    with pytest.raises(RuntimeError), here.index.writer() as batch:  # a failed batch counts nothing
        batch.put(record("mislukt", "Dit woord blijft weg: pindakaas.", here))
        raise RuntimeError("halverwege")
    assert not there.index.vocabulary().known("pindakaas")
    assert_exact(loaded(here), here)

    here.reset()  # SQL and index emptied, as `leerlus reindex` does first
    emptied = there.index.vocabulary()
    assert emptied.stems == {} and emptied.words == {} and emptied.docs == 0
    assert_exact(emptied, here)
    assert ingest(here).ok  # the files are still there: the ingest fills it again
    assert_exact(there.index.vocabulary(), here)


def test_a_search_table_from_before_the_vocabulary_table_gets_it_filled(two: Any) -> None:
    here, _there = two
    with here.engine.begin() as connection:
        connection.execute(text("DROP TABLE search_vocabulary"))
        connection.execute(text("DELETE FROM search_state WHERE name IN ('documenten', 'lengte', 'vocabulaire_sinds')"))
    from kb.index.postgres import PostgresIndex

    index = PostgresIndex(here.engine)
    assert index.vocabulary().docs == 4
    assert_exact(index.vocabulary(), here)
    assert_exact(loaded(here), here)
