"""Alembic revisions of the SQL schema, oldest first (see kb.migrations)."""
