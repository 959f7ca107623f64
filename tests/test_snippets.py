"""Search snippets keep case links (issue #18): a bare ``[[id]]`` is no word of the case, but a
snippet shows which case it linked instead of leaving "thuiszitters (, ): ook daar"."""

from __future__ import annotations

import re

import pytest

from ingest.render import render
from kb.knowledge import KnowledgeBase
from kb.search import make_request
from kb.snippets import link_marker, plain_text, show_links
from tests.conftest import signed_in

GAPS = re.compile(r"\(\s*[,)]|,\s*\)|\s[.,;:]|\bin ,")


def test_a_bare_link_is_a_marker_without_words() -> None:
    text = render("Zie ook [[2020-02-thuiszitter-swv]] en [[2021-01-x|de casus uit 2021]].").text
    assert link_marker("2020-02-thuiszitter-swv") in text
    assert "de casus uit 2021" in text
    assert re.findall(r"\w+", text) == ["Zie", "ook", "en", "de", "casus", "uit", "2021"]
    assert plain_text(text) == "Zie ook 2020-02-thuiszitter-swv en de casus uit 2021."


def test_show_links_uses_the_title_when_known_and_drops_a_cut_marker() -> None:
    marker = link_marker("a-1")
    assert show_links(f"zie {marker}.", {"a-1": "Titel <één>"}.get) == "zie Titel &lt;één&gt;."
    assert show_links(f"zie {marker}.") == "zie a-1."
    assert show_links(f"{marker[3:]} verder") == " verder"  # cut at the snippet's start


@pytest.mark.parametrize("query", ["thuiszitter", "schulden huisuitzetting", "zie ook"])
def test_snippets_on_the_sample_corpus_have_no_gaps(sample_kb: KnowledgeBase, query: str) -> None:
    result = sample_kb.search(make_request(query=query, limit=50))
    snippets = [s for hit in result.hits for s in hit.snippets]
    assert snippets
    for snippet in snippets:
        assert not GAPS.search(re.sub(r"</?mark[^>]*>", "", snippet)), snippet
        assert not re.search("[\ue000-\uf8ff]", snippet), snippet


def test_a_linked_id_shows_in_the_snippet_on_page_and_in_json(sample_kb: KnowledgeBase) -> None:
    from api.app import create_app

    result = sample_kb.search(make_request(query="thuiszitter", limit=50))
    linked = [s for hit in result.hits for s in hit.snippets if re.search(r"\d{4}-\d{2}-[a-z]", s)]
    assert linked, "no snippet of 'thuiszitter' shows a linked case"
    with signed_in(create_app(sample_kb.settings, kb=sample_kb)) as client:
        page = client.get("/zoeken", params={"q": "thuiszitter", "page": "1"}).text
        api = client.get("/api/search", params={"q": "thuiszitter"}).json()
    assert "(, )" not in page and "zie ook ." not in page.lower()
    for hit in api["hits"]:
        for snippet in hit["snippets"]:
            assert "(, )" not in snippet


def test_a_block_without_punctuation_does_not_run_into_the_next() -> None:
    """A heading ("Advies") is followed by " ·" in a snippet, not glued to the next sentence."""
    text = render("## Advies\n\nDe gemeente betaalt.\n\n- Jeugdwet\n- Wlz\n\nZie [[2020-02-x]]\n").text
    assert re.findall(r"\w+", text) == ["Advies", "De", "gemeente", "betaalt", "Jeugdwet", "Wlz", "Zie"]
    assert " ".join(plain_text(text).split()) == "Advies · De gemeente betaalt. Jeugdwet · Wlz · Zie 2020-02-x"


def test_snippets_on_the_sample_corpus_keep_headings_apart(sample_kb: KnowledgeBase) -> None:
    snippets = " ".join(s for hit in sample_kb.search(make_request(query="thuiszitter", limit=50)).hits for s in hit.snippets)
    for heading in ("Advies", "Vervolg", "Feiten", "Overwegingen"):
        assert not re.search(rf"\b{heading} [A-Z]", snippets), heading
    assert "Advies · De" in snippets


def test_evidence_reads_as_text_without_markdown_or_links(sample_kb: KnowledgeBase) -> None:
    """The evidence of a recognised blocker is shown on the case page, in Te beoordelen, in the
    brief and by the CLI: it must read as text, not as Markdown."""
    ids = [case.id for case in sample_kb.cases(limit=500).data]
    evidence = [f.evidence for case_id in ids for f in sample_kb.case(case_id).bevindingen if f.evidence]
    evidence += [e for item in sample_kb.review_queue().items for e in item.evidence]
    assert len(evidence) > 100
    assert [e for e in evidence if "[[" in e or "**" in e or "\n" in e or e.startswith(("- ", "#"))] == []
    assert any("2019-02-schulden-beslag-gezin-regie" in e for e in evidence)  # a bare link shows its id


def test_readable_shows_a_piece_of_markdown_as_text() -> None:
    from kb.snippets import readable

    assert readable("Zie [[2020-02-x]] en [[2021-01-y|de casus uit 2021]].") == "Zie 2020-02-x en de casus uit 2021."
    assert readable("Waar het vastloopt\n\n- **Participatiewet.\nInkomen.** Op zijn 18e.") == (
        "Waar het vastloopt · Participatiewet. Inkomen. Op zijn 18e."
    )
    assert readable("## Advies\nDe gemeente *betaalt* de helft.") == "Advies · De gemeente betaalt de helft."
    assert readable("Aan:** wethouder jeugd") == "Aan: wethouder jeugd"
    assert readable("3 * 4 is 12") == "3 * 4 is 12"
