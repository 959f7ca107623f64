"""Dependencies shared by the JSON and HTML routes: the one knowledge base of this app."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ingest.pipeline import Pipeline, get_pipeline
from kb.knowledge import KnowledgeBase


def get_kb(request: Request) -> KnowledgeBase:
    kb: KnowledgeBase = request.app.state.kb
    return kb


KBDep = Annotated[KnowledgeBase, Depends(get_kb)]


def pipeline_for(request: Request) -> Pipeline:
    """The spaCy pipeline of this process, loaded on first use."""
    settings = request.app.state.settings
    return get_pipeline(settings.spacy_model, settings.taxonomy_dir)


PipelineDep = Annotated[Pipeline, Depends(pipeline_for)]
