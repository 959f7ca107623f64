"""Dependencies shared by the JSON and HTML routes: the one knowledge base of this app."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from ingest.gate import Gate, get_gate
from ingest.pipeline import Pipeline, get_pipeline
from ingest.startup import Startup
from kb.errors import LeerlusError
from kb.knowledge import KnowledgeBase
from kb.limits import MAX_ID


def get_kb(request: Request) -> KnowledgeBase:
    kb: KnowledgeBase = request.app.state.kb
    return kb


KBDep = Annotated[KnowledgeBase, Depends(get_kb)]


def pipeline_for(request: Request) -> Pipeline:
    """The spaCy pipeline of this process, loaded on first use."""
    settings = request.app.state.settings
    return get_pipeline(settings.spacy_model, settings.taxonomy_dir)


PipelineDep = Annotated[Pipeline, Depends(pipeline_for)]


def startup_of(request: Request) -> Startup:
    """The one start-up state of this app: loading the gate, reading cases, or ready."""
    startup: Startup = request.app.state.startup
    return startup


StartupDep = Annotated[Startup, Depends(startup_of)]


def gate_for(request: Request) -> Gate:
    """The anonymisation gate, or a 503 while the server is still loading it in the background."""
    settings = request.app.state.settings
    gate = get_gate(settings.taxonomy_dir, settings.spacy_model)
    if not gate.loaded and startup_of(request).busy:
        raise LeerlusError(
            "de anonimiseringspoort wordt nog geladen; probeer het zo opnieuw "
            "(GET /api/status toont hoe ver de start is)",
            code="poort-laadt",
            status=503,
        )
    return gate


GateDep = Annotated[Gate, Depends(gate_for)]


# A path parameter is named by what the user sees in the address (/signalen/12), so an error says
# "signaalnummer moet een geheel getal zijn", not the Python name.
SignalNumber = Annotated[int, Path(alias="signaalnummer", ge=1, le=MAX_ID, description="Nummer van het signaal.")]
