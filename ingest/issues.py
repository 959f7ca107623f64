"""Problems found while reading case files, reported as ``file:line: message`` in Dutch.

Shared by every ingest stage so that the CLI, the API and the web UI report problems the same
way. An ``error`` stops the file from being stored; a ``waarschuwing`` does not.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem in one file, with the line and field it concerns when known."""

    path: str
    message: str
    line: int | None = None
    field: str | None = None
    severity: str = "fout"  # "fout" or "waarschuwing"

    @property
    def is_error(self) -> bool:
        return self.severity == "fout"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        prefix = "" if self.is_error else "waarschuwing: "
        return f"{where}: {prefix}{self.message}"

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "field": self.field,
            "severity": self.severity,
            "message": self.message,
        }


class CaseFileError(Exception):
    """A file that cannot be read as a case; carries every error found in it."""

    def __init__(self, issues: list[Issue]):
        super().__init__("; ".join(str(i) for i in issues))
        self.issues = issues
