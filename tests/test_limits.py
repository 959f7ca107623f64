"""Limits before work (#17): a file, a request body, a front matter or a search that is too large,
too deep or too long is refused or bounded before any work starts, with a Dutch message, and one
bad file never stops an ingest run."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ingest.frontmatter import read_case_file
from ingest.parse import parse_case
from ingest.runner import ingest
from kb.knowledge import KnowledgeBase
from kb.limits import MAX_BODY_BYTES, MAX_QUERY_CHARS, MAX_TEXT_CHARS, MAX_WORD_CHARS, bound_query
from kb.search import make_request
from kb.taxonomy import load_taxonomy

TAX = load_taxonomy()
FRONT = "---\ntitel: Casus\nsoort: casusbespreking\ndatum: 2024-03\n"
# Nine levels of anchors, each a list of nine aliases to the level below: 9^9 strings when expanded.
ALIAS_BOMB = (
    FRONT
    + 'lol1: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"lol{n}: &{chr(96 + n)} [{','.join('*' + chr(95 + n) for _ in range(9))}]\n" for n in range(2, 10)
    )
    + "---\nTekst.\n"
)


def parse(text: str) -> list[str]:
    result = parse_case(text.encode(), path="content/x.md", rel_path="x.md", taxonomy=TAX)
    assert result.record is None
    return [str(i) for i in result.errors]


def test_alias_bomb_is_one_dutch_error_in_no_time() -> None:
    assert len(ALIAS_BOMB.encode()) < 700
    started = time.perf_counter()
    errors = parse(ALIAS_BOMB)
    assert time.perf_counter() - started < 1
    assert errors == [
        "content/x.md:6: verwijzingen in YAML ('*anker') zijn niet toegestaan in de front matter; schrijf de waarde uit"
    ]


def test_deep_front_matter_is_refused() -> None:
    deep = FRONT + "extra:\n" + "".join("  " * n + f"- k{n}:\n" for n in range(1, 40)) + "---\nTekst\n"
    assert any("te diep genest (meer dan 20 niveaus)" in e for e in parse(deep))


def test_null_byte_and_too_long_text_are_refused() -> None:
    assert parse(FRONT + "---\nTekst\x00met nul\n") == [
        "content/x.md:6: bestand bevat een nul-byte (is het wel tekst?)"
    ]
    text = FRONT + "---\n" + "woord " * (MAX_TEXT_CHARS // 6 + 10)
    assert parse(text) == [f"content/x.md: tekst is te lang ({len(text):,} tekens); de grens is 100.000 tekens".replace(",", ".")]


def test_size_is_checked_before_reading(tmp_path: Path) -> None:
    huge = tmp_path / "groot.md"
    with huge.open("wb") as handle:  # a sparse gigabyte: reading it would take seconds and memory
        handle.truncate(1_000_000_000)
    started = time.perf_counter()
    raw, issues = read_case_file(huge, root=tmp_path, shown="groot.md", max_bytes=1_000_000)
    assert time.perf_counter() - started < 0.5
    assert raw is None and [str(i) for i in issues] == ["groot.md: bestand is te groot (1000.0 MB); de grens is 1 MB"]


def test_symlink_out_of_the_content_dir_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "geheim.md"
    outside.write_text(FRONT + "---\nGeheim.\n", encoding="utf-8")
    content = tmp_path / "content"
    content.mkdir()
    (content / "link.md").symlink_to(outside)
    raw, issues = read_case_file(content / "link.md", root=content, shown="link.md", max_bytes=1_000_000)
    assert raw is None
    assert [str(i) for i in issues] == [
        "link.md: bestand ligt buiten de casusmap (een symbolische link naar elders) en wordt niet gelezen"
    ]
    inside = content / "echt.md"
    inside.write_text(FRONT + "---\nTekst.\n", encoding="utf-8")
    (content / "ook.md").symlink_to(inside)
    assert read_case_file(content / "ook.md", root=content, shown="ook.md", max_bytes=1_000_000)[0]


def test_bad_files_never_stop_an_ingest_run(ingested: KnowledgeBase, tmp_path: Path) -> None:
    content = ingested.settings.content_dir
    (content / "bom.md").write_text(ALIAS_BOMB, encoding="utf-8")
    (content / "nul.md").write_bytes((FRONT + "---\nTekst\x00\n").encode())
    with (content / "groot.md").open("wb") as handle:
        handle.truncate(50_000_000)
    outside = tmp_path / "buiten.md"
    outside.write_text(FRONT + "---\nBuiten.\n", encoding="utf-8")
    (content / "link.md").symlink_to(outside)
    (content / "goed.md").write_text(FRONT + "---\nEen wachtlijst voor jeugdhulp.\n", encoding="utf-8")
    report = ingest(ingested)
    assert report.added == ["goed"]
    assert sorted(Path(p).name for p in report.failed) == ["bom.md", "groot.md", "link.md", "nul.md"]
    messages = " ".join(str(i) for i in report.issues)
    assert "niet toegestaan in de front matter" in messages and "buiten de casusmap" in messages


def test_queries_are_bounded_before_parsing() -> None:
    assert len(bound_query("woord " * 5000)) == MAX_QUERY_CHARS
    assert bound_query("x" * 10_000) == "x" * MAX_WORD_CHARS
    assert bound_query("jeugd\x00hulp") == "jeugd hulp"
    assert make_request(query="x" * 10_000).query == "x" * MAX_WORD_CHARS


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/search", {"q": "x" * 10_000}),
        ("/api/search", {"q": " ".join(f"zorgwoord{n}xq" for n in range(500))}),
        ("/zoeken", {"q": "a" * 20_000}),
        ("/zoeken", {"q": " ".join(["thuiszittersproblematiekx" * 3] * 300)}),
    ],
)
def test_long_queries_answer_fast(client: TestClient, url: str, params: dict[str, str]) -> None:
    started = time.perf_counter()
    response = client.get(url, params=params)
    assert response.status_code == 200
    assert time.perf_counter() - started < 3


def test_request_body_is_capped_before_parsing(client: TestClient) -> None:
    big = "a" * (MAX_BODY_BYTES + 1)
    refused = client.post("/api/analyze", json={"text": big})
    assert refused.status_code == 413
    assert refused.json() == {
        "code": "verzoek-te-groot",
        "detail": "het verzoek is te groot: hoogstens 1.000.000 bytes, en een tekst hoogstens 100.000 tekens",
    }

    def chunks():  # no Content-Length: counted while read
        for _ in range(20):
            yield b"x" * 100_000

    streamed = client.post("/api/analyze", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413 and streamed.json()["code"] == "verzoek-te-groot"
    page = client.post("/zoekopdrachten", data={"naam": "x", "params": "q=" + "a" * MAX_BODY_BYTES})
    assert page.status_code == 413 and "Het verzoek is te groot" in page.text and "<html" in page.text.lower()


def test_one_text_maximum_for_api(client: TestClient) -> None:
    too_long = client.post("/api/analyze", json={"text": "woord " * (MAX_TEXT_CHARS // 6 + 1)})
    assert too_long.status_code == 422
    assert too_long.json()["detail"] == "tekst mag hoogstens 100000 tekens lang zijn"
