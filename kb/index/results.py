"""Result assembly for the search stage, shared by both engines: the flow of one search, hits with
snippets, facet counts in order, and the :class:`~kb.search.SearchResult` every caller gets.

An engine (:mod:`kb.index.backend` for Whoosh, :mod:`kb.index.postgres` for PostgreSQL) knows how
to compile and run a query on its own index; :func:`run_search` decides what happens around that,
the same way for both:

1. the query as read (:mod:`kb.index.understanding`), or every case for an empty query;
2. a query the engine cannot run (bad syntax, a refused or slow statement) is searched again as
   plain words and marked ``degraded``; should that fail too, the result is empty, never an error;
3. fewer than three matches: a "Bedoelde u" suggestion when a close spelling is known;
4. no match at all: a fuzzy retry (``fuzzy`` when it found something);
5. hits of the requested page, with at most three snippets each and, without a highlight, the
   opening of the text; facet counts over all matches, most frequent first.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from kb.records import FACET_FIELDS
from kb.search import Hit, SearchRequest, SearchResult
from kb.snippets import plain_text, show_links

SNIPPET_FIELDS = ("body", "besluit", "lessen")  # where snippets come from, first field with a match wins
MAX_SNIPPETS = 3
LEAD_CHARS = 200
MARK_OPEN, MARK_CLOSE = '<mark class="match term0">', "</mark>"
SUGGEST_BELOW = 3

Q = TypeVar("Q")  # an engine's compiled query
R = TypeVar("R")  # an engine's row or hit of a page


@dataclass
class Found(Generic[R]):
    """What one run of a query gave: the number of matches, their facet counts, and one page."""

    total: int = 0
    facets: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    page: list[R] = field(default_factory=list)


def run_search(
    request: SearchRequest,
    *,
    compile_query: Callable[[str], tuple[Q, bool]],
    everything: Q,
    plain: Callable[[str], Q],
    attempt: Callable[[Q], Found[R] | None],
    suggest: Callable[[str], str | None],
    loose: Callable[[str], Q | None],
    hits: Callable[[Q, list[R]], list[Hit]],
) -> SearchResult:
    """One search, in the steps of the module docstring. ``compile_query`` gives an engine's query
    for the text and whether it already fell back to plain words; ``attempt`` runs a query and
    returns ``None`` when the engine could not."""
    query, degraded = compile_query(request.query) if request.query else (everything, False)
    found = attempt(query)
    if found is None and request.query:
        query, degraded = plain(request.query), True
        found = attempt(query)
    if found is None:
        found, degraded = Found(), True
    suggestion, fuzzy = None, False
    if request.query and found.total < SUGGEST_BELOW:
        suggestion = suggest(request.query)
    if request.query and found.total == 0:
        retry = loose(request.query)
        retried = attempt(retry) if retry is not None else None
        if retry is not None and retried is not None and retried.total:
            query, found, fuzzy = retry, retried, True
    return SearchResult(
        query=request.query,
        total=found.total,
        hits=hits(query, found.page),
        facets=ordered_facets(found.facets),
        page=request.page,
        limit=request.limit,
        sort=request.sort,
        filters={k: list(v) for k, v in request.filters.items()},
        van=request.van,
        tot=request.tot,
        degraded=degraded,
        suggestion=suggestion,
        fuzzy=fuzzy,
    )


def ordered_facets(counts: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int]]:
    """Every facet field, its values most frequent first (then a-z), zeros left out."""
    return {
        name: dict(sorted(((v, c) for v, c in counts.get(name, {}).items() if c), key=lambda kv: (-kv[1], kv[0])))
        for name in FACET_FIELDS
    }


def make_hit(
    *, id: str, titel: str, soort: str, datum: str, score: float, snippets: list[str], body: str, highlight: bool
) -> Hit:
    """A hit of a page. Without a highlighted snippet, a highlighted search shows the opening of
    the text (``body`` as indexed, link markers and all) instead."""
    shown = list(snippets)
    if highlight and not shown and body:
        shown.append(html.escape(lead(plain_text(body))))
    return Hit(id=id, titel=titel, soort=soort, datum=datum, score=score, snippets=shown[:MAX_SNIPPETS])


def marked(fragment: str, start: str, stop: str) -> str:
    """A fragment whose matches an engine enclosed in ``start``/``stop`` as safe HTML: whitespace
    folded, escaped, matches in ``<mark>``, case links shown by id."""
    escaped = html.escape(" ".join(fragment.split()), quote=False)
    return show_links(escaped.replace(start, MARK_OPEN).replace(stop, MARK_CLOSE))


def lead(text: str, limit: int = LEAD_CHARS) -> str:
    """The opening of a text, cut at a word boundary, for hits without a highlight."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0] + " …"
