"""Writing a review decision into a case file keeps every other byte (ingest.casefile)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import yaml

from ingest.casefile import EditRefused, add_to_list, write_atomically

CASES = [
    (
        "---\ntitel: x\nblokkades: [a.b, c.d]  # mijn commentaar\nsoort: y\n---\n\nTekst.\n",
        "---\ntitel: x\nblokkades: [a.b, c.d, n.w]  # mijn commentaar\nsoort: y\n---\n\nTekst.\n",
    ),
    (
        "---\ntitel: x\nblokkades:\n  - a.b\n  # tussen\n  - 'c.d'\nsoort: y\n---\nTekst zonder regeleinde",
        "---\ntitel: x\nblokkades:\n  - a.b\n  # tussen\n  - 'c.d'\n  - n.w\nsoort: y\n---\nTekst zonder regeleinde",
    ),
    ("---\ntitel: x\nblokkades:\n- a.b\nsoort: y\n---\n", "---\ntitel: x\nblokkades:\n- a.b\n- n.w\nsoort: y\n---\n"),
    ("---\ntitel: x\nblokkades: []\n---\nT\n", "---\ntitel: x\nblokkades: [n.w]\n---\nT\n"),
    ("---\ntitel: x\nblokkades:\n---\nT\n", "---\ntitel: x\nblokkades: [n.w]\n---\nT\n"),
    ("---\ntitel: x   # titel\n---\nT\n", "---\ntitel: x   # titel\nblokkades: [n.w]\n---\nT\n"),
    ("---\r\ntitel: x\r\nblokkades:\r\n  - a.b\r\n---\r\nT\r\n", "---\r\ntitel: x\r\nblokkades:\r\n  - a.b\r\n  - n.w\r\n---\r\nT\r\n"),
    ("---\ntitel: x\nblokkades: a.b\n---\nT\n", "---\ntitel: x\nblokkades: [a.b, n.w]\n---\nT\n"),
]


@pytest.mark.parametrize(("before", "after"), CASES)
def test_adds_one_value_and_keeps_every_other_byte(before: str, after: str) -> None:
    assert add_to_list(before, "blokkades", "n.w") == after


def test_a_value_already_there_changes_nothing() -> None:
    text = "---\ntitel: x\nblokkades: [n.w]\n---\nT\n"
    assert add_to_list(text, "blokkades", "n.w") == text


def test_other_list_is_created_without_touching_the_first() -> None:
    text = "---\ntitel: x\nblokkades: [a.b]\n---\nT\n"
    edited = add_to_list(text, "blokkades_afgewezen", "n.w")
    assert yaml.safe_load(edited.split("---")[1]) == {"titel": "x", "blokkades": ["a.b"], "blokkades_afgewezen": ["n.w"]}
    assert edited.endswith("---\nT\n")


@pytest.mark.parametrize(
    "text",
    [
        "geen front matter\n",
        "---\ntitel: x\n",  # not closed
        "---\ntitel: x\nblokkades: [a.b,\n  c.d]\n---\nT\n",  # a flow list over two lines: refused, not damaged
        "---\ntitel: x\nblokkades: {a: b}\n---\nT\n",
    ],
)
def test_refuses_what_it_cannot_edit_safely(text: str) -> None:
    with pytest.raises(EditRefused):
        add_to_list(text, "blokkades", "n.w")


def test_refuses_a_value_that_is_not_a_code() -> None:
    with pytest.raises(EditRefused):
        add_to_list("---\ntitel: x\n---\n", "blokkades", "a]\nsoort: y")


def test_atomic_write_keeps_the_mode_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "casus.md"
    target.write_text("oud\n", encoding="utf-8")
    os.chmod(target, 0o640)
    write_atomically(target, "nieuw\r\n")
    assert target.read_bytes() == b"nieuw\r\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["casus.md"]
