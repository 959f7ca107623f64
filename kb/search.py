"""Search requests and results (the search stage), independent of the index engine.

:func:`make_request` turns loose user input (web form, query string, CLI flags) into a validated
:class:`SearchRequest`, raising :class:`~kb.errors.InvalidInput` with a Dutch message for values
that cannot be used. Free text is never rejected: bad query syntax degrades to plain words in the
backend, but it is bounded first (:func:`kb.limits.bound_query`): a search costs the same at any
length. Dates are checked as dates (``2024-02-30`` is refused).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from kb.errors import InvalidInput, parameter_name
from kb.limits import bound_query, refuse_control
from kb.records import FACET_FIELDS

SORTS = ("relevantie", "datum", "aangehaald")
MAX_LIMIT = 100
MAX_PAGE = 1000
DATE_PATTERN = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def valid_date(text: str) -> bool:
    """``JJJJ``, ``JJJJ-MM`` or ``JJJJ-MM-DD`` naming a day that exists."""
    if not DATE_PATTERN.match(text):
        return False
    if len(text) < 10:
        return True  # the pattern already checked the month
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class SearchRequest:
    """A validated search: free text, facet filters, date range, order and page."""

    query: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    van: str | None = None
    tot: str | None = None
    sort: str = "relevantie"
    page: int = 1
    limit: int = 10
    highlight: bool = True
    bounded: bool = False  # the query was cut to the limits (see kb.limits.bound_query)


@dataclass
class Hit:
    id: str
    titel: str
    soort: str
    datum: str
    score: float
    snippets: list[str] = field(default_factory=list)
    aangehaald: int = 0


@dataclass
class SearchResult:
    """One page of ranked hits with the total and the facet counts over all matches."""

    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    page: int
    limit: int
    sort: str
    filters: dict[str, list[str]]
    van: str | None = None
    tot: str | None = None
    degraded: bool = False
    suggestion: str | None = None
    fuzzy: bool = False
    afgekapt: bool = False  # the query was cut to the limits before searching (kb.limits.bound_query)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract shared by ``leerlus search --json`` and ``GET /api/search``."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "limit": self.limit,
            "sort": self.sort,
            "filters": self.filters,
            "van": self.van,
            "tot": self.tot,
            "degraded": self.degraded,
            "suggestion": self.suggestion,
            "fuzzy": self.fuzzy,
            "afgekapt": self.afgekapt,
            "hits": [
                {
                    "id": h.id,
                    "titel": h.titel,
                    "soort": h.soort,
                    "datum": h.datum,
                    "score": round(h.score, 4),
                    "snippets": h.snippets,
                    "aangehaald": h.aangehaald,
                }
                for h in self.hits
            ],
            "facets": self.facets,
        }


def parse_filter_args(pairs: Iterable[str]) -> dict[str, list[str]]:
    """Turn CLI ``veld=waarde`` pairs into a filter mapping."""
    out: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise InvalidInput(f"filter '{pair}' heeft niet de vorm veld=waarde")
        out.setdefault(name.strip(), []).append(value.strip())
    return out


def make_request(
    *,
    query: str | None = "",
    filters: Mapping[str, Iterable[str]] | None = None,
    van: str | None = None,
    tot: str | None = None,
    sort: str | None = None,
    page: int | str | None = 1,
    limit: int | str | None = 10,
    highlight: bool = True,
) -> SearchRequest:
    """Validate loose input into a :class:`SearchRequest`; Dutch errors for unusable values."""
    clean: dict[str, tuple[str, ...]] = {}
    for name, values in (filters or {}).items():
        if name not in FACET_FIELDS:
            raise InvalidInput(f"onbekend filterveld '{name}'; kies uit {', '.join(FACET_FIELDS)}")
        kept = tuple(dict.fromkeys(refuse_control(v.strip(), name) for v in values if v and v.strip()))
        if kept:
            clean[name] = kept
    for label, value in (("van", van), ("tot", tot)):
        if value and not valid_date(value.strip()):
            raise InvalidInput(f"{label} '{value}' is geen datum; gebruik JJJJ, JJJJ-MM of JJJJ-MM-DD")
    van = van.strip() if van and van.strip() else None
    tot = tot.strip() if tot and tot.strip() else None
    if van and tot and van[: len(tot)] > tot:
        raise InvalidInput(f"van ({van}) ligt na tot ({tot})")
    sort = (sort or "relevantie").strip().lower()
    if sort not in SORTS:
        raise InvalidInput(f"sortering '{sort}' is onbekend; kies uit {', '.join(SORTS)}")
    typed = (query or "").strip()
    bounded = bound_query(typed).strip()
    return SearchRequest(
        query=bounded,
        bounded=bounded != typed,
        filters=clean,
        van=van,
        tot=tot,
        sort=sort,
        page=_bounded_int("page", page, 1, MAX_PAGE),
        limit=_bounded_int("limit", limit, 1, MAX_LIMIT),
        highlight=highlight,
    )


def request_from_query(get_all: Callable[[str], list[str]], *, highlight: bool = True) -> SearchRequest:
    """Build a request from a query string (``q``, ``page``, ``limit``, ``sort``, ``van``, ``tot``
    and one repeatable parameter per facet), as the web UI and the JSON API both receive it."""

    def first(name: str) -> str | None:
        values = get_all(name)
        return values[0] if values else None

    return make_request(
        query=first("q"),
        filters={name: get_all(name) for name in FACET_FIELDS},
        van=first("van"),
        tot=first("tot"),
        sort=first("sort"),
        page=first("page"),
        limit=first("limit") or 10,
        highlight=highlight,
    )


def to_params(request: SearchRequest) -> list[tuple[str, str]]:
    """The query-string pairs that reproduce ``request`` on any page (page and limit left out), in
    a fixed order, so that equal searches have equal URLs."""
    pairs: list[tuple[str, str]] = [("q", request.query)] if request.query else []
    pairs += [(name, value) for name in FACET_FIELDS for value in request.filters.get(name, ())]
    pairs += [(name, value) for name, value in (("van", request.van), ("tot", request.tot)) if value]
    if request.sort != "relevantie":
        pairs.append(("sort", request.sort))
    return pairs


def request_from_params(params: str, **overrides: Any) -> SearchRequest:
    """A request from a stored query string (see :func:`to_params`), with ``page``/``limit``/... overridden."""
    parsed = parse_qs(params, keep_blank_values=False)
    for name, value in overrides.items():
        parsed[name] = [str(value)]
    return request_from_query(lambda name: parsed.get(name, []), highlight=bool(overrides.get("highlight", True)))


def _bounded_int(name: str, value: int | str | None, low: int, high: int) -> int:
    label = parameter_name(name)
    if value is None or value == "":
        return low
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{label} '{value}' is geen geheel getal") from None
    if not low <= number <= high:
        raise InvalidInput(f"{label} moet tussen {low} en {high} liggen, niet {number}")
    return number
