"""Search: Dutch analysis, facets, filters, order, pages, highlights and hostile input."""

from __future__ import annotations

import pytest

from kb.errors import InvalidInput
from kb.knowledge import KnowledgeBase
from kb.search import make_request, parse_filter_args


def search(kb: KnowledgeBase, query: str = "", **kwargs):  # type: ignore[no-untyped-def]
    return kb.search(make_request(query=query, **kwargs))


def hit_ids(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.id for h in result.hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("thuiszitters", "2021-05-thuiszitter-swv"),  # plural finds singular (stemming)
        ("Thuiszitter", "2021-05-thuiszitter-swv"),
        ("uithuiszettingen", "2023-02-schulden-huur"),  # text says "uithuiszetting"
        ("wachtlijsten", "2024-11-achttien-plus"),
        ("geindiceerd OR indicatie", "2022-09-wlz-indicatie"),
        ("logeeropvang", "2022-09-wlz-indicatie"),
        ('"zorg in de klas"', "2021-05-thuiszitter-swv"),
    ],
)
def test_dutch_analysis_finds(ingested: KnowledgeBase, query: str, expected: str) -> None:
    assert expected in hit_ids(search(ingested, query))


def test_accents_fold(ingested: KnowledgeBase, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ingest.runner import ingest

    (ingested.settings.content_dir / "2020-01-accent.md").write_text(
        "---\ntitel: Geïndiceerde zorg en coördinatie\nsoort: escalatie\ndatum: 2020-01\n---\nTekst.",
        encoding="utf-8",
    )
    ingest(ingested)
    assert hit_ids(search(ingested, "geindiceerde coordinatie")) == ["2020-01-accent"]


def test_title_weighs_more_than_body(ingested: KnowledgeBase) -> None:
    # "thuiszitter" is in the title of one case and only in the body of another.
    assert hit_ids(search(ingested, "thuiszitter"))[0] == "2021-05-thuiszitter-swv"


def test_facet_counts_cover_all_matches(ingested: KnowledgeBase) -> None:
    result = search(ingested, "", limit=1)
    assert result.total == 4 and len(result.hits) == 1
    assert result.facets["regio"] == {"Utrecht": 2, "Rotterdam Rijnmond": 1, "Twente": 1}
    assert result.facets["blokkades"]["grens.jeugdwet-wlz"] == 1
    assert result.facets["wetten"]["Jeugdwet"] == 4
    assert result.facets["wetten"]["Wet langdurige zorg"] == 1  # written as "WLZ"
    assert result.facets["jaar"] == {"2021": 1, "2022": 1, "2023": 1, "2024": 1}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"regio": ["Utrecht"]}, {"2021-05-thuiszitter-swv", "2024-11-achttien-plus"}),
        ({"regio": ["utrecht"]}, {"2021-05-thuiszitter-swv", "2024-11-achttien-plus"}),
        (
            {"regio": ["Utrecht", "Twente"]},
            {"2021-05-thuiszitter-swv", "2024-11-achttien-plus", "2022-09-wlz-indicatie"},
        ),
        ({"regio": ["Utrecht"], "soort": ["escalatie"]}, {"2024-11-achttien-plus"}),
        ({"blokkades": ["bestaanszekerheid.schulden"]}, {"2023-02-schulden-huur"}),
        ({"wetten": ["Wet langdurige zorg"]}, {"2022-09-wlz-indicatie"}),
        (
            {"hulpvraag": ["levenslange-beperking"]},
            {"2021-05-thuiszitter-swv", "2022-09-wlz-indicatie"},
        ),
        ({"leeftijdscategorie": ["0-4"]}, {"2023-02-schulden-huur"}),
        ({"jaar": ["2022"]}, {"2022-09-wlz-indicatie"}),
        ({"team": ["Wijkteam Zuid"]}, {"2023-02-schulden-huur"}),
        ({"regio": ["Nergens"]}, set()),
    ],
)
def test_filters(ingested: KnowledgeBase, filters: dict[str, list[str]], expected: set[str]) -> None:
    assert set(hit_ids(search(ingested, "", filters=filters, limit=50))) == expected


def test_filters_narrow_a_text_query_and_its_facets(ingested: KnowledgeBase) -> None:
    result = search(ingested, "wachtlijst OR thuiszitter", filters={"regio": ["Utrecht"]})
    assert set(hit_ids(result)) == {"2021-05-thuiszitter-swv", "2024-11-achttien-plus"}
    assert set(result.facets["regio"]) == {"Utrecht"}


@pytest.mark.parametrize(
    ("van", "tot", "expected"),
    [
        ("2022", "2023", {"2022-09-wlz-indicatie", "2023-02-schulden-huur"}),
        ("2023-02", None, {"2023-02-schulden-huur", "2024-11-achttien-plus"}),
        (None, "2021-05", {"2021-05-thuiszitter-swv"}),
        ("2023-02-15", "2023-12-31", set()),  # the case is dated 2023-02-14
        ("2023-02-14", "2023-02-14", {"2023-02-schulden-huur"}),
    ],
)
def test_date_range(ingested: KnowledgeBase, van: str | None, tot: str | None, expected: set[str]) -> None:
    assert set(hit_ids(search(ingested, "", van=van, tot=tot, limit=50))) == expected


def test_sort_by_date_and_pages(ingested: KnowledgeBase) -> None:
    first = search(ingested, "", sort="datum", limit=3)
    second = search(ingested, "", sort="datum", limit=3, page=2)
    assert hit_ids(first) == [
        "2024-11-achttien-plus",
        "2023-02-schulden-huur",
        "2022-09-wlz-indicatie",
    ]
    assert hit_ids(second) == ["2021-05-thuiszitter-swv"]
    assert first.pages == 2 and second.total == 4


def test_snippets_highlight_and_escape(ingested: KnowledgeBase) -> None:
    from ingest.runner import ingest

    (ingested.settings.content_dir / "2020-02-html.md").write_text(
        "---\ntitel: Script\nsoort: escalatie\ndatum: 2020-02\n---\n"
        "De zebra zei `<script>alert(1)</script>` & meer <b>vet</b> tekst.",
        encoding="utf-8",
    )
    ingest(ingested)
    hit = search(ingested, "zebra").hits[0]
    joined = " ".join(hit.snippets)
    assert "<mark" in joined and ">zebra</mark>" in joined
    assert "<script" not in joined and "&lt;script&gt;" in joined


def test_hit_without_highlight_gets_a_lead(ingested: KnowledgeBase) -> None:
    hit = search(ingested, "", filters={"regio": ["Twente"]}).hits[0]
    assert hit.snippets and hit.snippets[0].startswith("Het CIZ wees")


HOSTILE = [
    '"unbalanced quote', "AND", "OR", "NOT", "AND OR NOT", "(", ")", "((((", "veld:", "foo:bar",
    "titel:", "regio:", "*", "?", "a*", "\\", "'", "~", "^", "[a TO", "{", "}", "<>", "%%%",
    "titel:(thuiszitter", "\"\"", "NOT NOT NOT", "datum:[2020 TO", "x" * 10_000,
    " ".join(["woord"] * 3000), "💥🔥", "\x00\x01", "wachtlijst^^^5", "zorg~~2", "a AND (b OR",
]  # fmt: skip


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_never_raise(ingested: KnowledgeBase, query: str) -> None:
    result = search(ingested, query)
    assert result.total >= 0
    assert isinstance(result.facets, dict)


def test_bad_syntax_degrades_to_words(ingested: KnowledgeBase) -> None:
    result = search(ingested, "(thuiszitter AND " + "x" * 600)
    assert result.degraded
    assert "2021-05-thuiszitter-swv" in hit_ids(result)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"filters": {"kleur": ["rood"]}}, "onbekend filterveld 'kleur'"),
        ({"van": "gisteren"}, "van 'gisteren' is geen datum"),
        ({"tot": "2024-13"}, "tot '2024-13' is geen datum"),
        ({"van": "2024", "tot": "2023"}, "van (2024) ligt na tot (2023)"),
        ({"sort": "titel"}, "sortering 'titel' is onbekend"),
        ({"page": "twee"}, "paginanummer 'twee' is geen geheel getal"),
        ({"page": 0}, "paginanummer moet tussen 1 en 1000 liggen"),
        ({"limit": 500}, "aantal per pagina moet tussen 1 en 100 liggen"),
    ],
)
def test_bad_parameters_are_refused_in_dutch(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput) as info:
        make_request(**kwargs)  # type: ignore[arg-type]
    assert message in info.value.detail


def test_filter_args() -> None:
    assert parse_filter_args(["regio=Utrecht", "regio=Twente", "soort = escalatie"]) == {
        "regio": ["Utrecht", "Twente"],
        "soort": ["escalatie"],
    }
    with pytest.raises(InvalidInput, match="veld=waarde"):
        parse_filter_args(["regio"])


@pytest.mark.parametrize(
    ("typed", "compound"), [("woonplaats beginsel", "woonplaatsbeginsel"), ("logeer opvang", "logeeropvang")]
)
def test_words_typed_apart_find_the_compound(sample_kb: KnowledgeBase, typed: str, compound: str) -> None:
    hits = sample_kb.search(make_request(query=typed, limit=3)).hits
    assert hits and all(compound in sample_kb.case(h.id).body_html.lower() for h in hits[:2]), [h.id for h in hits]
