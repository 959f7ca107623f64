"""Web pages: they render, link their JSON twin, and work as plain links and forms."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.alternate: str | None = None
        self.labels: set[str] = set()
        self.inputs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"] or "")
        if tag == "link" and a.get("rel") == "alternate":
            self.alternate = a.get("href")
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"] or "")
        if tag in ("input", "select") and a.get("type") != "hidden" and a.get("id"):
            self.inputs.append(a["id"] or "")


def parse(html: str) -> Links:
    links = Links()
    links.feed(html)
    return links


@pytest.mark.parametrize(
    ("page", "twin"),
    [
        ("/", "/api/cases"),
        ("/zoeken?q=thuiszitter", "/api/search?q=thuiszitter"),
        ("/zoeken?q=wachtlijst&regio=Utrecht", "/api/search?q=wachtlijst&regio=Utrecht"),
        ("/casus/2022-09-wlz-indicatie", "/api/cases/2022-09-wlz-indicatie"),
    ],
)
def test_pages_link_their_json_twin(client: TestClient, page: str, twin: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    links = parse(response.text)
    assert links.alternate == twin
    assert twin in links.hrefs
    assert client.get(twin).status_code == 200
    # Every visible form control has a label.
    assert set(links.inputs) <= links.labels
    assert '<html lang="nl">' in response.text


def test_results_page_has_hits_facets_and_marks(client: TestClient) -> None:
    html = client.get("/zoeken?q=thuiszitter").text
    assert "2 casussen" in html
    assert "<mark" in html
    links = parse(html).hrefs
    assert "/casus/2021-05-thuiszitter-swv" in links
    assert "/zoeken?q=thuiszitter&blokkades=grens.jeugdwet-onderwijs" in links


def test_facet_link_toggles_filter(client: TestClient) -> None:
    html = client.get("/zoeken?q=thuiszitter&blokkades=grens.jeugdwet-onderwijs").text
    narrowed = client.get("/api/search?q=thuiszitter&blokkades=grens.jeugdwet-onderwijs").json()["total"]
    everything = client.get("/api/search?q=thuiszitter&sort=datum").json()["total"]
    assert 0 < narrowed <= everything
    assert f"{narrowed} casus" in html
    assert 'aria-current="true"' in html
    # The active facet links back to the search without it.
    assert "/zoeken?q=thuiszitter" in parse(html).hrefs


def test_pagination_links(client: TestClient) -> None:
    html = client.get("/zoeken?limit=1&sort=datum").text
    hrefs = parse(html).hrefs
    assert "/zoeken?limit=1&sort=datum&page=2" in hrefs
    assert "pagina 1 van 4" in html


def test_no_results_gives_help(client: TestClient) -> None:
    html = client.get("/zoeken?q=olifantenpaadje&regio=Utrecht").text
    assert "Geen casussen gevonden" in html
    assert "/zoeken?q=olifantenpaadje" in parse(html).hrefs  # search without filters


def test_case_page_shows_links_both_ways(client: TestClient) -> None:
    html = client.get("/casus/2022-09-wlz-indicatie").text
    assert "Verwijst naar" in html and "Wordt aangehaald door" in html
    hrefs = parse(html).hrefs
    assert "/casus/2021-05-thuiszitter-swv" in hrefs and "/casus/2024-11-achttien-plus" in hrefs
    assert "Expertteam passende hulp (bindend)" in html


def test_unknown_link_target_is_marked(client: TestClient) -> None:
    html = client.get("/casus/2024-11-achttien-plus").text
    assert "2019-01-bestaat-niet (onbekende casus)" in html


@pytest.mark.parametrize(
    ("url", "status", "text"),
    [
        ("/casus/bestaat-niet", 404, "<p>Casus &#39;bestaat-niet&#39; bestaat niet.</p>"),
        ("/nergens", 404, "<p>Deze pagina bestaat niet.</p>"),
        ("/zoeken?van=gisteren", 422, "<p>Van &#39;gisteren&#39; is geen datum"),
        ("/zoeken?page=x", 422, "<p>Paginanummer &#39;x&#39; is geen geheel getal.</p>"),
    ],
)
def test_errors_render_as_pages(client: TestClient, url: str, status: int, text: str) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert text in response.text


def test_user_text_is_escaped(client: TestClient) -> None:
    html = client.get("/zoeken", params={"q": "<script>alert(1)</script>"}).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_static_css(client: TestClient) -> None:
    response = client.get("/static/style.css")
    assert response.status_code == 200 and ":focus-visible" in response.text
    assert not re.search(r"https?://", response.text)  # no external resources
