"""Dependencies shared by the JSON and HTML routes: the one knowledge base of this app."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from kb.knowledge import KnowledgeBase


def get_kb(request: Request) -> KnowledgeBase:
    kb: KnowledgeBase = request.app.state.kb
    return kb


KBDep = Annotated[KnowledgeBase, Depends(get_kb)]
