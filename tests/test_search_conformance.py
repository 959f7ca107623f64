"""One conformance suite for both search backends: Whoosh (embedded) and PostgreSQL full-text search.

Every test runs on each backend over the same fixture corpus (and some over the sample corpus):
the search contract (hits, total, facets, filters, van/tot, sort orders, pages, snippets with
``<mark>``, degraded queries that never raise, abbreviations widened both ways), writes and deletes
that stay in step with SQL, and ``leerlus doctor`` agreeing with ingest. The PostgreSQL runs start a
private cluster (``tests/pgserver.py``); they skip locally and fail in CI when it is missing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.doctor import check
from ingest.runner import ingest, reindex
from kb.index.interface import SearchIndex
from kb.knowledge import KnowledgeBase
from kb.search import SearchResult, make_request
from kb.settings import Settings
from tests.conftest import SAMPLE_CORPUS
from tests.test_search import HOSTILE

BACKENDS = ["whoosh", pytest.param("postgresql", marks=pytest.mark.postgres)]
_databases = iter(range(10_000))


def _settings(request: pytest.FixtureRequest, backend: str, **values: object) -> Settings:
    if backend == "postgresql":
        server = request.getfixturevalue("pg_server")
        values["database_url"] = server.create_database(f"zoek_{os.getpid()}_{next(_databases)}")
        values["search_backend"] = "postgresql"
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(params=BACKENDS)
def engine_kb(request: pytest.FixtureRequest, tmp_path: Path, content_dir: Path) -> Iterator[KnowledgeBase]:
    """The fixture corpus ingested, on one backend (Whoosh with SQLite, or PostgreSQL for both)."""
    knowledge = KnowledgeBase(_settings(request, request.param, data_dir=tmp_path / "data", content_dir=content_dir))
    report = ingest(knowledge)
    assert report.ok, [str(i) for i in report.issues]
    yield knowledge
    knowledge.close()


@pytest.fixture(scope="session", params=BACKENDS)
def sample(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    """The sample corpus on one backend, ingested once per session (Whoosh reuses ``sample_kb``)."""
    if request.param == "whoosh":
        yield request.getfixturevalue("sample_kb")
        return
    data = tmp_path_factory.mktemp("sample-pg")
    knowledge = KnowledgeBase(_settings(request, "postgresql", data_dir=data, content_dir=SAMPLE_CORPUS))
    report = ingest(knowledge)
    assert report.ok, [str(i) for i in report.issues if i.is_error]
    yield knowledge
    knowledge.close()


def search(kb: KnowledgeBase, query: str = "", **kwargs: object) -> SearchResult:
    return kb.search(make_request(query=query, **kwargs))  # type: ignore[arg-type]


def ids(result: SearchResult) -> list[str]:
    return [h.id for h in result.hits]


def test_both_backends_satisfy_the_interface(engine_kb: KnowledgeBase) -> None:
    assert isinstance(engine_kb.index, SearchIndex)
    expected = "PostgresIndex" if engine_kb.settings.search_backend == "postgresql" else "WhooshIndex"
    assert type(engine_kb.index).__name__ == expected


# -- the search contract ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("thuiszitters", "2021-05-thuiszitter-swv"),  # plural finds singular
        ("Thuiszitter", "2021-05-thuiszitter-swv"),
        ("uithuiszettingen", "2023-02-schulden-huur"),
        ("wachtlijsten", "2024-11-achttien-plus"),
        ("geindiceerd OR indicatie", "2022-09-wlz-indicatie"),
        ("logeeropvang", "2022-09-wlz-indicatie"),
        ('"zorg in de klas"', "2021-05-thuiszitter-swv"),
        ("swv", "2021-05-thuiszitter-swv"),  # abbreviation widened to samenwerkingsverband
        ("wet langdurige zorg", "2022-09-wlz-indicatie"),  # and the long form to Wlz
        ("thuiszit*", "2021-05-thuiszitter-swv"),
        ("titel:huurachterstand", "2023-02-schulden-huur"),
    ],
)
def test_dutch_analysis_and_language(engine_kb: KnowledgeBase, query: str, expected: str) -> None:
    assert expected in ids(search(engine_kb, query))


def test_a_name_typed_as_a_prefix_is_a_prefix(engine_kb: KnowledgeBase) -> None:
    """``wlz*`` searches words starting with wlz; it is not widened as the name (Whoosh once
    turned it into ``*``, every case)."""
    found = set(ids(search(engine_kb, "wlz*", limit=50)))
    assert "2022-09-wlz-indicatie" in found and "2021-05-thuiszitter-swv" not in found


def test_accents_fold(engine_kb: KnowledgeBase) -> None:
    (engine_kb.settings.content_dir / "2020-01-accent.md").write_text(
        "---\ntitel: Geïndiceerde zorg en coördinatie\nsoort: escalatie\ndatum: 2020-01\n---\nTekst.",
        encoding="utf-8",
    )
    ingest(engine_kb)
    assert ids(search(engine_kb, "geindiceerde coordinatie")) == ["2020-01-accent"]


def test_title_weighs_more_than_body(engine_kb: KnowledgeBase) -> None:
    assert ids(search(engine_kb, "thuiszitter"))[0] == "2021-05-thuiszitter-swv"


def test_boolean_language(engine_kb: KnowledgeBase) -> None:
    assert set(ids(search(engine_kb, "wachtlijst AND wmo"))) == {"2024-11-achttien-plus"}
    assert "2024-11-achttien-plus" not in ids(search(engine_kb, "thuiszitter AND NOT wmo"))


def test_facet_counts_cover_all_matches(engine_kb: KnowledgeBase) -> None:
    result = search(engine_kb, "", limit=1)
    assert result.total == 4 and len(result.hits) == 1
    assert result.facets["regio"] == {"Utrecht": 2, "Rotterdam Rijnmond": 1, "Twente": 1}
    assert result.facets["blokkades"]["grens.jeugdwet-wlz"] == 1
    assert result.facets["wetten"]["Jeugdwet"] == 4
    assert result.facets["wetten"]["Wet langdurige zorg"] == 1
    assert result.facets["jaar"] == {"2021": 1, "2022": 1, "2023": 1, "2024": 1}
    assert list(result.facets["regio"]) == ["Utrecht", "Rotterdam Rijnmond", "Twente"]  # most first, then a-z


def test_facets_of_everything_agree_with_sql(engine_kb: KnowledgeBase) -> None:
    assert search(engine_kb, "", limit=1).facets == engine_kb.facets()


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"regio": ["Utrecht"]}, {"2021-05-thuiszitter-swv", "2024-11-achttien-plus"}),
        ({"regio": ["utrecht"]}, {"2021-05-thuiszitter-swv", "2024-11-achttien-plus"}),
        ({"regio": ["Utrecht", "Twente"]}, {"2021-05-thuiszitter-swv", "2024-11-achttien-plus", "2022-09-wlz-indicatie"}),
        ({"regio": ["Utrecht"], "soort": ["escalatie"]}, {"2024-11-achttien-plus"}),
        ({"blokkades": ["bestaanszekerheid.schulden"]}, {"2023-02-schulden-huur"}),
        ({"wetten": ["wet langdurige zorg"]}, {"2022-09-wlz-indicatie"}),
        ({"hulpvraag": ["levenslange-beperking"]}, {"2021-05-thuiszitter-swv", "2022-09-wlz-indicatie"}),
        ({"leeftijdscategorie": ["0-4"]}, {"2023-02-schulden-huur"}),
        ({"jaar": ["2022"]}, {"2022-09-wlz-indicatie"}),
        ({"team": ["Wijkteam Zuid"]}, {"2023-02-schulden-huur"}),
        ({"regio": ["Nergens"]}, set()),
    ],
)
def test_filters(engine_kb: KnowledgeBase, filters: dict[str, list[str]], expected: set[str]) -> None:
    assert set(ids(search(engine_kb, "", filters=filters, limit=50))) == expected


def test_filters_narrow_a_text_query_and_its_facets(engine_kb: KnowledgeBase) -> None:
    result = search(engine_kb, "wachtlijst OR thuiszitter", filters={"regio": ["Utrecht"]})
    assert set(ids(result)) == {"2021-05-thuiszitter-swv", "2024-11-achttien-plus"}
    assert set(result.facets["regio"]) == {"Utrecht"} and result.total == 2


@pytest.mark.parametrize(
    ("van", "tot", "expected"),
    [
        ("2022", "2023", {"2022-09-wlz-indicatie", "2023-02-schulden-huur"}),
        ("2023-02", None, {"2023-02-schulden-huur", "2024-11-achttien-plus"}),
        (None, "2021-05", {"2021-05-thuiszitter-swv"}),
        ("2023-02-15", "2023-12-31", set()),
        ("2023-02-14", "2023-02-14", {"2023-02-schulden-huur"}),
    ],
)
def test_date_range(engine_kb: KnowledgeBase, van: str | None, tot: str | None, expected: set[str]) -> None:
    assert set(ids(search(engine_kb, "", van=van, tot=tot, limit=50))) == expected


def test_sort_by_date_and_pages(engine_kb: KnowledgeBase) -> None:
    first = search(engine_kb, "", sort="datum", limit=3)
    second = search(engine_kb, "", sort="datum", limit=3, page=2)
    assert ids(first) == ["2024-11-achttien-plus", "2023-02-schulden-huur", "2022-09-wlz-indicatie"]
    assert ids(second) == ["2021-05-thuiszitter-swv"]
    assert first.pages == 2 and second.total == 4
    assert ids(search(engine_kb, "", limit=3, page=3)) == []


def test_sort_by_citations(engine_kb: KnowledgeBase) -> None:
    result = search(engine_kb, "", sort="aangehaald")
    # Cited once each, newest first; then the uncited ones, newest first.
    assert ids(result) == [
        "2022-09-wlz-indicatie",
        "2021-05-thuiszitter-swv",
        "2024-11-achttien-plus",
        "2023-02-schulden-huur",
    ]
    assert [h.aangehaald for h in result.hits] == [1, 1, 0, 0]
    text = search(engine_kb, "jeugdwet OR gemeente", sort="aangehaald")
    assert [h.aangehaald for h in text.hits] == sorted((h.aangehaald for h in text.hits), reverse=True)


def test_snippets_highlight_and_escape(engine_kb: KnowledgeBase) -> None:
    (engine_kb.settings.content_dir / "2020-02-html.md").write_text(
        "---\ntitel: Script\nsoort: escalatie\ndatum: 2020-02\n---\n"
        "De zebra zei `<script>alert(1)</script>` & meer <b>vet</b> tekst.",
        encoding="utf-8",
    )
    ingest(engine_kb)
    hit = search(engine_kb, "zebra").hits[0]
    joined = " ".join(hit.snippets)
    assert '<mark class="match' in joined and ">zebra</mark>" in joined
    # Whoosh shows the tags escaped (&lt;script&gt;); ts_headline leaves tag-like tokens out.
    assert "<script" not in joined and "<b>" not in joined and "alert(1)" in joined


def test_snippets_show_case_links_by_id(engine_kb: KnowledgeBase) -> None:
    joined = " ".join(search(engine_kb, "geschil").hits[0].snippets)
    assert "2021-05-thuiszitter-swv" in joined and "\ue000" not in joined


def test_hit_without_highlight_gets_a_lead(engine_kb: KnowledgeBase) -> None:
    hit = search(engine_kb, "", filters={"regio": ["Twente"]}).hits[0]
    assert hit.snippets and hit.snippets[0].startswith("Het CIZ wees")
    assert search(engine_kb, "thuiszitter", highlight=False).hits[0].snippets == []


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_never_raise(engine_kb: KnowledgeBase, query: str) -> None:
    result = search(engine_kb, query)
    assert result.total >= 0 and isinstance(result.facets, dict)


def test_bad_syntax_degrades_to_words(engine_kb: KnowledgeBase) -> None:
    result = search(engine_kb, "(thuiszitter AND " + "x" * 600)
    assert result.degraded
    assert "2021-05-thuiszitter-swv" in ids(result)
    assert search(engine_kb, "thuiszitter AND (wachtlijst OR").total >= 0  # read leniently or degraded


def test_typo_gets_a_suggestion_and_a_fuzzy_retry(engine_kb: KnowledgeBase) -> None:
    result = search(engine_kb, "huurachterstnd")
    assert result.suggestion == "huurachterstand"
    assert result.fuzzy and ids(result)[0] == "2023-02-schulden-huur"


# -- writes, deletes and doctor --------------------------------------------------------------


def _sql_hashes(kb: KnowledgeBase) -> dict[str, str]:
    return dict(kb.stored_files().values())


def test_writes_and_deletes_stay_in_step_with_sql(engine_kb: KnowledgeBase) -> None:
    content = engine_kb.settings.content_dir
    assert engine_kb.index.hashes() == _sql_hashes(engine_kb) and engine_kb.index.doc_count() == 4
    (content / "2025-01-nieuw.md").write_text(
        "---\ntitel: Kangoeroe op de wachtlijst\nsoort: escalatie\ndatum: 2025-01\n---\nEen kangoeroe.",
        encoding="utf-8",
    )
    ingest(engine_kb)
    assert ids(search(engine_kb, "kangoeroe")) == ["2025-01-nieuw"]
    (content / "2025-01-nieuw.md").write_text(
        "---\ntitel: Koala op de wachtlijst\nsoort: escalatie\ndatum: 2025-01\n---\nEen koala.", encoding="utf-8"
    )
    ingest(engine_kb)
    assert ids(search(engine_kb, "kangoeroe")) == [] and ids(search(engine_kb, "koala")) == ["2025-01-nieuw"]
    assert engine_kb.index.hashes() == _sql_hashes(engine_kb)
    (content / "2023-02-schulden-huur.md").unlink()
    report = ingest(engine_kb)
    assert report.removed == ["2023-02-schulden-huur"]
    assert ids(search(engine_kb, "huurachterstand")) == []
    assert engine_kb.index.hashes() == _sql_hashes(engine_kb) and check(engine_kb) == []
    assert engine_kb.index.size_bytes() > 0


def test_a_failed_batch_writes_nothing(engine_kb: KnowledgeBase) -> None:
    before = engine_kb.index.hashes()
    with pytest.raises(RuntimeError), engine_kb.write() as batch:
        batch.delete(["2021-05-thuiszitter-swv"])
        raise RuntimeError("halverwege afgebroken")
    assert engine_kb.index.hashes() == before == _sql_hashes(engine_kb)
    assert "2021-05-thuiszitter-swv" in ids(search(engine_kb, "thuiszitter"))


def test_doctor_and_reindex_agree(engine_kb: KnowledgeBase) -> None:
    assert check(engine_kb) == []
    with engine_kb.index.writer() as batch:  # the index loses a case behind SQL's back
        batch.delete(["2022-09-wlz-indicatie"])
    assert [d.kind for d in check(engine_kb)] == ["ontbreekt-index"]
    ingest(engine_kb)  # ingest sees the index's hash is missing and writes the case again
    assert check(engine_kb) == []
    report = reindex(engine_kb)
    assert report.ok and check(engine_kb) == [] and engine_kb.index.doc_count() == 4


def test_similar_text_signals(engine_kb: KnowledgeBase) -> None:
    index = engine_kb.index
    found = index.similar_text("2021-05-thuiszitter-swv", ("titel", "body", "besluit", "lessen"))
    assert found and "2021-05-thuiszitter-swv" not in found
    draft = index.similar_to_text("Een thuiszitter zonder school; het samenwerkingsverband wijst naar de gemeente.")
    assert next(iter(draft)) == "2021-05-thuiszitter-swv"
    only = index.similar_to_text("De gemeente betaalt de zorg.", blocker="grens.jeugdwet-wlz")
    assert set(only) <= {"2022-09-wlz-indicatie"}
    assert engine_kb.similar("2022-09-wlz-indicatie")
    assert index.similar_text("bestaat-niet", ("body",)) == {} and index.key_terms("bestaat-niet") == []


# -- the sample corpus -----------------------------------------------------------------------


def test_sample_total_and_facets_agree_with_sql(sample: KnowledgeBase) -> None:
    result = search(sample, "", limit=1)
    assert result.total == len(sample.stored_files()) and result.facets == sample.facets()


@pytest.mark.parametrize(
    ("query", "word"),
    [("swv", "samenwerkingsverband")],
)
def test_sample_abbreviations_widen(sample: KnowledgeBase, query: str, word: str) -> None:
    """Some hit never writes the abbreviation, only the long form: it was found by widening."""
    texts = []
    for hit in search(sample, query, limit=20).hits:
        raw = (SAMPLE_CORPUS / sample.case(hit.id).path).read_text(encoding="utf-8").lower()
        texts.append(re.sub(r"\[\[[^\]]*\]\]|verwijzingen:.*", "", raw))
    assert any(word in t and not re.search(rf"\b{query}\b", t) for t in texts), query


@pytest.mark.parametrize(
    ("typed", "compound"), [("woonplaats beginsel", "woonplaatsbeginsel"), ("logeer opvang", "logeeropvang")]
)
def test_sample_words_typed_apart_find_the_compound(sample: KnowledgeBase, typed: str, compound: str) -> None:
    hits = search(sample, typed, limit=3).hits
    assert hits and all(compound in sample.case(h.id).body_html.lower() for h in hits[:2]), [h.id for h in hits]


def test_sample_facet_boost_and_filters(sample: KnowledgeBase) -> None:
    result = search(sample, "wachtlijst", filters={"regio": ["Utrecht"]}, limit=100)
    assert result.total == len(result.hits) and all(sample.case(h.id).regio == "Utrecht" for h in result.hits)
    top = search(sample, "wachtlijst", limit=3).hits
    assert any("aanbod.wachtlijst" in sample.case(h.id).blokkades for h in top)


def test_sample_key_terms_and_their_words(sample: KnowledgeBase) -> None:
    case_id = sample.search(make_request(query="thuiszitter", limit=1)).hits[0].id
    terms = sample.index.key_terms(case_id)
    forms = sample.index.surface_forms(case_id, terms[:5])
    assert len(terms) >= 5 and forms
    body = sample.case(case_id).body_html.lower()
    assert all(word.lower() in body for word in forms.values())


def test_postgresql_backend_needs_a_postgresql_url(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="LEERLUS_SEARCH_BACKEND=postgresql"):
        Settings(data_dir=tmp_path, search_backend="postgresql")  # type: ignore[arg-type]
    assert Settings(data_dir=tmp_path).search_backend == "whoosh"

