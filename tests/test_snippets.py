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
