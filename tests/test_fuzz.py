"""Fuzzing in the suite (#17): schemathesis drives every operation of the app's own OpenAPI
document with generated requests (fixed seed, bounded examples), and hypothesis throws generated
front matter and queries at the parser and the search. Nothing may answer 5xx, no answer may
contradict the document, and no input may raise instead of becoming a Dutch issue."""

from __future__ import annotations

import string

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ingest.parse import parse_case
from kb.knowledge import KnowledgeBase
from kb.search import make_request
from kb.taxonomy import load_taxonomy

TAX = load_taxonomy()
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
BOUNDED = settings(
    max_examples=8,
    derandomize=True,  # a fixed seed: the same requests on every run
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def test_every_operation_holds_its_contract(client: TestClient) -> None:
    token = {"Authorization": client.headers["authorization"]}  # an administrator's API token
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app, headers=token)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:

        @given(case=st.one_of(operation.as_strategy(), operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)))
        @settings(parent=BOUNDED, max_examples=25)
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=token, checks=CHECKS)

        try:
            run()
        except Exception as failure:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(failure)[:1500]}")
    assert not failures, "\n\n".join(failures)


YAML_TEXT = st.text(alphabet=string.printable + "éëï€—&*!|>-:[]{}#\x00\u2028", max_size=200)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30) | st.dates().map(str),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
KEYS = st.sampled_from(["titel", "soort", "datum", "id", "regio", "hulpvraag", "wetten", "blokkades", "lessen", "x"])


def _front(values: dict[str, object]) -> str:
    import yaml

    return yaml.safe_dump(values, allow_unicode=True, default_flow_style=None)


@given(front=st.dictionaries(KEYS, VALUES, max_size=8), body=st.text(max_size=200))
@BOUNDED
def test_generated_front_matter_becomes_a_record_or_issues(front: dict[str, object], body: str) -> None:
    raw = f"---\n{_front(front)}---\n{body}".encode()
    result = parse_case(raw, path="content/x.md", rel_path="x.md", taxonomy=TAX)
    assert (result.record is None) == bool(result.errors)
    assert all(str(issue).startswith("content/x.md") for issue in result.issues)


@given(yaml_text=YAML_TEXT)
@settings(parent=BOUNDED, max_examples=60)
def test_raw_yaml_never_raises(yaml_text: str) -> None:
    raw = f"---\n{yaml_text}\n---\nTekst".encode("utf-8", "surrogatepass")
    result = parse_case(raw, path="content/x.md", rel_path="x.md", taxonomy=TAX)
    assert (result.record is None) == bool(result.errors)


@given(query=st.text(max_size=3000))
@settings(parent=BOUNDED, max_examples=60)
def test_any_query_is_bounded_and_valid(query: str) -> None:
    request = make_request(query=query)
    assert len(request.query) <= 1000
    assert "\x00" not in request.query


@given(query=st.text(max_size=2000))
@settings(parent=BOUNDED, max_examples=40)
def test_any_query_searches_without_raising(sample_kb: KnowledgeBase, query: str) -> None:
    result = sample_kb.search(make_request(query=query))
    assert result.total >= 0
