"""The sample corpus in ``content/``: complete, valid, varied, linked, and free of personal data
patterns a reviewer would catch at a glance."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from ingest.parse import parse_case
from ingest.runner import case_files
from kb.records import CaseRecord
from kb.taxonomy import load_taxonomy
from tests.conftest import SAMPLE_CORPUS

TAX = load_taxonomy()


@pytest.fixture(scope="module")
def records() -> list[CaseRecord]:
    out = []
    for path in case_files(SAMPLE_CORPUS):
        result = parse_case(path.read_bytes(), path=str(path), rel_path=path.name, taxonomy=TAX)
        assert result.record is not None, [str(i) for i in result.issues]
        assert not result.issues, [str(i) for i in result.issues]
        out.append(result.record)
    return out


def test_size_and_coverage(records: list[CaseRecord]) -> None:
    assert len(records) >= 60
    assert {r.soort for r in records} == set(TAX.codes("soorten"))
    assert {h for r in records for h in r.hulpvraag} == set(TAX.codes("hulpvraag"))
    assert {b for r in records for b in r.blokkades} == set(TAX.codes("blokkades"))
    assert {r.jaar for r in records} >= {str(y) for y in range(2019, 2026)}
    assert len({r.regio for r in records}) >= 8
    assert min(Counter(r.soort for r in records).values()) >= 8


def test_lengths_are_varied(records: list[CaseRecord]) -> None:
    words = [len(r.body_text.split()) for r in records]
    assert min(words) >= 150 and max(words) <= 900
    assert max(words) - min(words) >= 400


def test_links_resolve_and_point_back_in_time(records: list[CaseRecord]) -> None:
    by_id = {r.id: r for r in records}
    linked = [r for r in records if r.links()]
    assert len(linked) >= 20
    for record in linked:
        for target in record.links():
            assert target in by_id, f"{record.id} -> {target}"
            assert by_id[target].datum <= record.datum, f"{record.id} cites a later case {target}"


def test_ids_match_dates(records: list[CaseRecord]) -> None:
    for record in records:
        assert record.id.startswith(record.datum[:7]), record.id


PERSONAL = [
    re.compile(r"\b\d{9}\b"),  # BSN-like
    re.compile(r"\b\d{4} ?[A-Z]{2}\b"),  # postcode
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),  # e-mail
    re.compile(r"\b(0|\+31)[ -]?6[ -]?\d{8}\b"),  # mobile
    re.compile(
        r"\b\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december) \d{4}\b"
    ),
]


def test_no_obvious_personal_data(records: list[CaseRecord]) -> None:
    for record in records:
        text = record.body_markdown + record.titel
        for pattern in PERSONAL:
            assert not pattern.search(text), f"{record.id}: {pattern.pattern}"
