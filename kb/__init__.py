"""Leerlus knowledge-base core: settings, case records, SQL store, search index and queries.

``kb`` is the innermost layer of the flow (parse -> gate -> extraction -> **SQL + index ->
search**). It knows nothing about HTTP, HTML or the command line; ``ingest``, ``api``, ``web``
and the CLI build on it.
"""
