"""Ingest: from Markdown case files to stored, indexed cases.

The stages, in order: :mod:`ingest.frontmatter` splits a file and reads its YAML with line
numbers, :mod:`ingest.validate` checks the fields against the taxonomy, :mod:`ingest.render`
turns the body into sanitised HTML and plain text, :mod:`ingest.parse` ties these together into a
:class:`kb.records.CaseRecord`, and :mod:`ingest.runner` writes changed files to SQL and the
index and reports drift.
"""
