"""The one error type of Leerlus, shared by every stage and rendered by ``api`` and ``web``.

Each error has a stable machine ``code``, a Dutch ``detail`` for the user and an HTTP status,
so the API can answer JSON and the web UI an error page from the same object. A message names a
parameter in Dutch (:func:`parameter_name`), also where the address or the JSON body calls it
``page``, ``limit`` or ``text``.
"""

from __future__ import annotations

# Parameters whose name in an address or a JSON body is English (kept for existing clients), as a
# message names them. Every other parameter is named as it is written (van, tot, drempel, ...).
PARAMETER_NAMES = {
    "page": "paginanummer",
    "pagina": "paginanummer",
    "limit": "aantal per pagina",
    "q": "zoekvraag",
    "query": "zoekvraag",
    "sort": "sortering",
    "text": "tekst",
    "case_id": "casus-id",
    "signal_id": "signaalnummer",
}


def parameter_name(name: str) -> str:
    """How an error message names the parameter ``name``: in Dutch."""
    return PARAMETER_NAMES.get(name, name)


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
