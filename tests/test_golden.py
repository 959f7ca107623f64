"""Golden files: a case file beside its expected parse result (JSON) and rendered HTML.

Set ``LEERLUS_UPDATE_GOLDEN=1`` to rewrite the expected files after a deliberate change, then
read the diff before committing it.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from ingest.parse import parse_case
from kb.taxonomy import load_taxonomy

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("LEERLUS_UPDATE_GOLDEN") == "1"
CASES = sorted(p.stem for p in GOLDEN.glob("*.md"))


def actual(name: str) -> tuple[dict[str, object], str]:
    path = GOLDEN / f"{name}.md"
    result = parse_case(
        path.read_bytes(),
        path=f"content/{name}.md",
        rel_path=f"{name}.md",
        taxonomy=load_taxonomy(),
    )
    record = dataclasses.asdict(result.record) if result.record else None
    html = ""
    if record:
        html = str(record.pop("body_html"))
        record.pop("body_markdown")
    return {"record": record, "issues": [str(i) for i in result.issues]}, html


@pytest.mark.parametrize("name", CASES)
def test_golden(name: str) -> None:
    data, html = actual(name)
    json_path, html_path = GOLDEN / f"{name}.json", GOLDEN / f"{name}.html"
    text = json.dumps(data, ensure_ascii=False, indent=2, default=list) + "\n"
    if UPDATE:
        json_path.write_text(text, encoding="utf-8")
        if html:
            html_path.write_text(html + "\n", encoding="utf-8")
    assert text == json_path.read_text(encoding="utf-8")
    if html or html_path.exists():
        assert html + "\n" == html_path.read_text(encoding="utf-8")
