"""The search index stage, behind one package: the only code in Leerlus that imports Whoosh.

Everything else talks to :class:`kb.index.backend.WhooshIndex` through the backend-neutral
types in :mod:`kb.search`, so the engine can be replaced without touching callers.
"""

from kb.index.backend import WhooshIndex

__all__ = ["WhooshIndex"]
