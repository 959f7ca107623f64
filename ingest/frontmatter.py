"""First ingest stage: read bytes safely and split YAML front matter from the Markdown body.

Every top-level key keeps the line it was written on, so later stages can say
``content/x.md:4: ...``. Oversized, empty, non-UTF-8 and malformed files become
:class:`~ingest.issues.Issue` objects, never exceptions that stop a run.

Limits come before work: :func:`read_case_file` checks the size with ``stat`` and reads at most
one byte past the limit, refuses a file that lies outside the content directory (a symlink out),
and :func:`split` refuses YAML aliases and deep nesting before anything is constructed, so a
478-byte alias bomb is one Dutch issue for one file.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ingest.issues import Issue
from kb.limits import MAX_TEXT_CHARS, MAX_YAML_DEPTH, dutch_number

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


def _too_big(path: str, size: int, max_bytes: int) -> Issue:
    return Issue(path, f"bestand is te groot ({size / 1_000_000:.1f} MB); de grens is {max_bytes / 1_000_000:g} MB")


def _too_long(path: str, chars: int) -> Issue:
    return Issue(
        path, f"tekst is te lang ({dutch_number(chars)} tekens); de grens is {dutch_number(MAX_TEXT_CHARS)} tekens"
    )


def read_case_file(path: Path, *, root: Path, shown: str, max_bytes: int) -> tuple[bytes | None, list[Issue]]:
    """The bytes of one case file, or why it is not read: outside ``root`` (a symlink that leads
    out of the content directory), not a regular file, or larger than ``max_bytes``. The size is
    checked before reading and the read itself is bounded, so a file that grows (or a sparse file
    that claims to be small) never costs more than ``max_bytes`` of memory."""
    try:
        real = path.resolve(strict=True)
        if not real.is_relative_to(root.resolve()):
            return None, [
                Issue(shown, "bestand ligt buiten de casusmap (een symbolische link naar elders) en wordt niet gelezen")
            ]
        info = os.stat(real)
        if not stat.S_ISREG(info.st_mode):
            return None, [Issue(shown, "geen gewoon bestand; het wordt niet gelezen")]
        if info.st_size > max_bytes:
            return None, [_too_big(shown, info.st_size, max_bytes)]
        with open(real, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        return None, [Issue(shown, f"bestand is niet te lezen: {exc.strerror or exc}")]
    if len(raw) > max_bytes:
        return None, [_too_big(shown, len(raw), max_bytes)]
    if len(raw) > MAX_TEXT_CHARS and len(raw.decode("utf-8", "replace")) > MAX_TEXT_CHARS:
        return None, [_too_long(shown, len(raw.decode("utf-8", "replace")))]
    return raw, []


def decode(raw: bytes, path: str, max_bytes: int) -> tuple[str | None, list[Issue]]:
    """UTF-8 text of a file, or the reason it cannot be read."""
    if len(raw) > max_bytes:
        return None, [_too_big(path, len(raw), max_bytes)]
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
    if len(text) > MAX_TEXT_CHARS:
        return None, [_too_long(path, len(text))]
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, [Issue(path, "bestand bevat een nul-byte (is het wel tekst?)", line=line)]
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
        refused = _refuse_aliases_and_depth(yaml_text, path)
        if refused is not None:
            return None, [refused]
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


def _refuse_aliases_and_depth(yaml_text: str, path: str) -> Issue | None:
    """Walk the YAML events once, before anything is built: an alias (``*anker``) could expand
    exponentially (the "billion laughs"), and deep nesting could exhaust the stack later on."""
    depth = 0
    for event in yaml.parse(yaml_text, Loader=_COMPOSER):
        line = event.start_mark.line + 2 if event.start_mark is not None else 2
        if isinstance(event, yaml.AliasEvent):
            return Issue(
                path,
                "verwijzingen in YAML ('*anker') zijn niet toegestaan in de front matter; schrijf de waarde uit",
                line=line,
            )
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                return Issue(path, f"de front matter is te diep genest (meer dan {MAX_YAML_DEPTH} niveaus)", line=line)
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
    return None


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
