"""Address findings that are not addresses: a law with its year, a numbered region."""

from __future__ import annotations

import pytest

from ingest.gate import Gate, get_gate


@pytest.fixture(scope="module")
def gate() -> Gate:
    loaded = get_gate()  # one gate per process: deduce loads once
    loaded.load()
    return loaded


@pytest.mark.parametrize(
    "text",
    ["Sinds de Wet inburgering 2021 gaat het anders.", "In Noord-Holland Noord 1 casus, in Twente 2."],
)
def test_not_an_address(gate: Gate, text: str) -> None:
    assert not [f for f in gate.check(text).findings if f.kind == "adres"]


@pytest.mark.parametrize(
    ("text", "address"),
    [("Zij woont op Molenstraat 7a in Naarden.", "Molenstraat 7a"), ("Hij woont aan de Lindenlaan 12.", "Lindenlaan 12")],
)
def test_real_addresses_still_block(gate: Gate, text: str, address: str) -> None:
    found = [f for f in gate.check(text).findings if f.kind == "adres"]
    assert found and found[0].text == address and found[0].blocking
