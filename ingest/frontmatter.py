"""First ingest stage: read bytes safely and split YAML front matter from the Markdown body.

Every top-level key keeps the line it was written on, so later stages can say
``content/x.md:4: ...``. Oversized, empty, non-UTF-8 and malformed files become
:class:`~ingest.issues.Issue` objects, never exceptions that stop a run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ingest.issues import Issue

# libyaml's parser when PyYAML was built with it (ten times faster); the pure-Python one otherwise.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$")


@dataclass
class FrontMatter:
    """Parsed front matter: values by key, the line of each key, and where the body starts."""

    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1


def decode(raw: bytes, path: str, max_bytes: int) -> tuple[str | None, list[Issue]]:
    """UTF-8 text of a file, or the reason it cannot be read."""
    if len(raw) > max_bytes:
        size = len(raw) / 1_000_000
        limit = max_bytes / 1_000_000
        return None, [Issue(path, f"bestand is te groot ({size:.1f} MB); de grens is {limit:g} MB")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [
            Issue(
                path,
                f"bestand is geen geldige UTF-8 (byte 0x{raw[exc.start]:02x}); sla het op als UTF-8",
                line=line,
            )
        ]
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return None, [Issue(path, "bestand is leeg")]
    return text, []


def split(text: str, path: str) -> tuple[FrontMatter | None, list[Issue]]:
    """Split ``text`` into front matter and body; report missing fences and bad YAML."""
    lines = text.split("\n")
    if not FENCE.match(lines[0]) or lines[0].startswith("..."):
        return None, [Issue(path, "front matter ontbreekt: begin het bestand met een regel '---'", line=1)]
    end = next((i for i in range(1, len(lines)) if FENCE.match(lines[i])), None)
    if end is None:
        return None, [Issue(path, "front matter wordt niet afgesloten met een regel '---'", line=1)]
    yaml_text = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1 :])
    try:
        node = yaml.compose(yaml_text, Loader=_COMPOSER)
    except yaml.YAMLError as exc:
        return None, [_yaml_issue(exc, path, yaml_lines=end - 1)]
    front = FrontMatter(body=body, body_line=end + 2)
    if node is None:
        return front, []
    if not isinstance(node, yaml.MappingNode):
        return None, [Issue(path, "front matter moet bestaan uit regels 'veld: waarde'", line=2)]
    issues: list[Issue] = []
    loader = yaml.SafeLoader("")
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 2
        key = str(key_node.value)
        if key in front.values:
            issues.append(Issue(path, f"veld '{key}' staat meer dan eens in de front matter", line, key))
            continue
        try:
            value = loader.construct_object(value_node, deep=True)
        except yaml.YAMLError as exc:
            issues.append(_yaml_issue(exc, path, default_line=line))
            continue
        front.values[key] = value
        front.lines[key] = line
    loader.dispose()
    return front, issues


def _yaml_issue(exc: yaml.YAMLError, path: str, default_line: int = 2, yaml_lines: int | None = None) -> Issue:
    mark = getattr(exc, "problem_mark", None)
    line = default_line
    if mark is not None:
        # An error found only at the end of the front matter belongs to its last line, not the fence.
        last = yaml_lines - 1 if yaml_lines else mark.line
        line = min(mark.line, max(last, 0)) + 2
    problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
    return Issue(path, f"ongeldige YAML in de front matter: {_dutch(problem)}", line=line)


_COLON = "een ':' waar dat niet mag; zet de waarde tussen aanhalingstekens"
_YAML_PROBLEMS = {
    "mapping values are not allowed": _COLON,
    "found a tab character": "tab gevonden; gebruik spaties om in te springen",
    "could not find expected ':'": "verwachtte 'veld: waarde'",
    "found character '\\t' that cannot start any token": "tab gevonden; gebruik spaties om in te springen",
    "found unexpected end of stream": "bestand houdt onverwacht op (een aanhalingsteken niet gesloten?)",
    "did not find expected key": "verwachtte een veldnaam; klopt het inspringen?",
    "did not find expected node content": "waarde ontbreekt of is niet afgesloten (een '[' zonder ']'?)",
    "expected <block end>, but found '<block mapping start>'": "inspringen klopt niet",
}


def _dutch(problem: str) -> str:
    for english, dutch in _YAML_PROBLEMS.items():
        if problem.startswith(english):
            return dutch
    return problem
