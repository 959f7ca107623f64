"""The one error type of Leerlus, shared by every stage and rendered by ``api`` and ``web``.

Each error has a stable machine ``code``, a Dutch ``detail`` for the user and an HTTP status,
so the API can answer JSON and the web UI an error page from the same object.
"""

from __future__ import annotations


class LeerlusError(Exception):
    """A failure the user can understand: stable code, Dutch message, HTTP status."""

    status = 400
    code = "fout"

    def __init__(self, detail: str, *, code: str | None = None, status: int | None = None):
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "detail": self.detail}


class NotFound(LeerlusError):
    """A case, page or resource that does not exist."""

    status = 404
    code = "niet-gevonden"


class InvalidInput(LeerlusError):
    """A parameter or value that cannot be used as given."""

    status = 422
    code = "ongeldige-invoer"
