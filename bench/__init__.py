"""Benchmarks for Leerlus: synthetic corpora and timing against a peer (SQLite FTS5)."""
