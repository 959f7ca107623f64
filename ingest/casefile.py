"""Writing case files (the source of truth): atomic replacement and exact front-matter edits.

A review decision adds one code to a list in a case's front matter (``blokkades`` or
``blokkades_afgewezen``). The edit touches only that list: every other byte of the file (key
order, comments, quoting, line endings, the body) stays as it was. The edited front matter is
parsed again and must equal the old one plus the new value; otherwise the edit is refused rather
than risk damaging the file. Files are replaced atomically: written next to the target, then
renamed over it, so a reader never sees half a file.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import threading
from pathlib import Path
from typing import Any

import yaml

from kb.errors import LeerlusError

PLAIN_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# One writer of case files at a time in this process: a version check and its write are one step.
FILE_LOCK = threading.Lock()


class EditRefused(LeerlusError):
    """The front matter has a shape this edit cannot change safely."""

    status = 422
    code = "bewerking-geweigerd"


def write_atomically(target: Path, text: str) -> None:
    """Replace (or create) ``target`` with ``text`` in one rename; an existing file keeps its mode."""
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
    handle, temporary = tempfile.mkstemp(prefix=".leerlus-", suffix=".md", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def add_to_list(text: str, key: str, value: str) -> str:
    """``text`` with ``value`` appended to the top-level front-matter list ``key`` (created when
    missing). Nothing else changes; a value already present leaves the text as it is."""
    if not PLAIN_VALUE.match(value):
        raise EditRefused(f"'{value}' is geen geldige code")
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    end = _closing(lines)
    before = _front(lines, end)
    current = before.get(key)
    if isinstance(current, list) and value in [str(v) for v in current]:
        return text
    if current is not None and not isinstance(current, (list, str)):
        raise EditRefused(f"veld '{key}' is geen lijst")
    head = re.compile(rf"^{re.escape(key)}[ \t]*:(?P<rest>.*?)(?P<nl>\r?\n)?$")
    index = next((i for i in range(1, end) if head.match(lines[i])), None)
    if index is None:
        lines.insert(end, f"{key}: [{value}]{newline}")
    else:
        _edit(lines, index, end, head, value, newline)
    result = "".join(lines)
    after_lines = result.splitlines(keepends=True)
    old = [] if current is None else ([current] if isinstance(current, str) else list(current))
    try:
        same = _front(after_lines, _closing(after_lines)) == {**before, key: [*old, value]}
    except EditRefused:
        same = False
    if not same:
        raise EditRefused(f"veld '{key}' kon niet veilig worden aangepast; pas het bestand met de hand aan")
    return result


def _closing(lines: list[str]) -> int:
    """The index of the line that closes the front matter."""
    if not lines or lines[0].lstrip("\ufeff").rstrip("\r\n") != "---":
        raise EditRefused("het bestand heeft geen front matter")
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip("\r\n") in ("---", "...")), None)
    if end is None:
        raise EditRefused("de front matter is niet afgesloten met ---")
    return end


def _edit(lines: list[str], index: int, end: int, head: re.Pattern[str], value: str, newline: str) -> None:
    match = head.match(lines[index])
    assert match is not None
    rest, nl = match.group("rest"), match.group("nl") or ""
    body, comment = _split_comment(rest)
    stripped = body.strip()
    prefix = lines[index][: len(lines[index]) - len(rest) - len(nl)]
    if stripped.startswith("[") and stripped.endswith("]"):
        inner = stripped[1:-1].strip()
        items = f"{inner}, {value}" if inner else value
        lead = body[: len(body) - len(body.lstrip())]
        lines[index] = f"{prefix}{lead}[{items}]{comment}{nl}"
        return
    if stripped in ("", "~", "null"):
        items_at = [i for i in range(index + 1, end) if re.match(r"^[ \t]*-[ \t]", lines[i])]
        if not items_at or stripped:
            lines[index] = f"{prefix} [{value}]{comment}{nl or newline}"
            return
        last = _last_item(lines, index, end)
        dash = re.match(r"^([ \t]*-[ \t]+)", lines[last])
        assert dash is not None
        ending = lines[last][len(lines[last].rstrip("\r\n")) :] or newline
        if not lines[last].endswith(("\n", "\r")):
            lines[last] += newline
        lines.insert(last + 1, f"{dash.group(1)}{value}{ending}")
        return
    # A single value written as a scalar becomes a list of both.
    lines[index] = f"{prefix} [{stripped}, {value}]{comment}{nl}"


def _last_item(lines: list[str], index: int, end: int) -> int:
    """The last line that belongs to the block list under ``lines[index]``."""
    last = index
    for i in range(index + 1, end):
        line = lines[i]
        if re.match(r"^[ \t]*-[ \t]", line) or (line[:1] in (" ", "\t") and line.strip()):
            last = i
        elif line.strip() and not line.lstrip().startswith("#"):
            break
    return last


def _split_comment(rest: str) -> tuple[str, str]:
    """A value and its trailing ``# comment`` (a ``#`` after whitespace, outside quotes)."""
    quote = ""
    for i, char in enumerate(rest):
        if char in "'\"" and not quote:
            quote = char
        elif char == quote:
            quote = ""
        elif char == "#" and not quote and (i == 0 or rest[i - 1] in " \t"):
            j = i
            while j > 0 and rest[j - 1] in " \t":
                j -= 1
            return rest[:j], rest[j:]
    return rest, ""


def _front(lines: list[str], end: int) -> dict[str, Any]:
    raw = "".join(lines[1:end])
    try:
        data = yaml.safe_load(raw) or {}
    except yaml.YAMLError as exc:
        raise EditRefused(f"de front matter is geen geldige YAML: {exc.__class__.__name__}") from None
    if not isinstance(data, dict):
        raise EditRefused("de front matter is geen lijst van velden")
    return data
