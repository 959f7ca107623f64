"""Dependencies shared by the JSON and HTML routes: the one knowledge base of this app, who is
asking (set by :mod:`api.access` before any route runs), and the work budget of a request: its gate
and language pipeline do their work in the worker pool within it (:mod:`ingest.pooled`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from ingest.gate import Checker, get_gate
from ingest.pipeline import Pipeline
from ingest.pooled import PooledGate, PooledPipeline
from ingest.startup import Startup
from ingest.workers import Budget
from kb.access import Principal, case_write_refusal
from kb.errors import LeerlusError, NotFound
from kb.knowledge import KnowledgeBase
from kb.limits import MAX_ID


def get_kb(request: Request) -> KnowledgeBase:
    kb: KnowledgeBase = request.app.state.kb
    return kb


KBDep = Annotated[KnowledgeBase, Depends(get_kb)]


def principal_of(request: Request) -> Principal:
    """The logged-in user of this request. :mod:`api.access` lets no request without one reach a
    route that needs it; this is the last line of that defence."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        raise LeerlusError("log eerst in", code="niet-ingelogd", status=401)
    return principal


PrincipalDep = Annotated[Principal, Depends(principal_of)]


def who(request: Request, typed: str | None = None) -> str:
    """The ``wie`` of a signal, review or compliance step: what the user typed (a role or team, checked
    by the gate), else the role and team of the logged-in user. Their name goes to the audit log only."""
    return (typed or "").strip() or principal_of(request).label


def check_case_write(request: Request, *, team: str | None, soort: str | None) -> None:
    """403 unless the logged-in user may write a case of this team and kind (see :mod:`kb.access`)."""
    refusal = case_write_refusal(principal_of(request), team=team, soort=soort)
    if refusal is not None:
        raise LeerlusError(refusal, code="geen-toegang", status=403)


def check_correction(request: Request, kb: KnowledgeBase, case_id: str) -> None:
    """403 unless the logged-in user may correct this stored case (a review decision); 404 for an
    unknown case, also for a text that cannot be a case id, which never reaches the database."""
    from ingest.validate import ID_PATTERN

    if not ID_PATTERN.match(case_id):
        raise NotFound("deze casus bestaat niet")
    case = kb.case(case_id)
    check_case_write(request, team=case.team, soort=case.soort)


def work_budget(request: Request) -> Budget:
    """The seconds of text work this request may use (``LEERLUS_WORK_TIMEOUT``), one budget for
    its gate, its analysis and its wait for an ingest in progress."""
    budget: Budget | None = getattr(request.state, "work_budget", None)
    if budget is None:
        budget = Budget(request.app.state.settings.work_timeout)
        request.state.work_budget = budget
    return budget


BudgetDep = Annotated[Budget, Depends(work_budget)]


def pipeline_for(request: Request) -> Pipeline:
    """The spaCy pipeline for this request: loaded in this process on first use, analysing in the
    worker pool."""
    return PooledPipeline.of(request.app.state.settings, work_budget(request))


PipelineDep = Annotated[Pipeline, Depends(pipeline_for)]


def startup_of(request: Request) -> Startup:
    """The one start-up state of this app: loading the gate, reading cases, or ready."""
    startup: Startup = request.app.state.startup
    return startup


StartupDep = Annotated[Startup, Depends(startup_of)]


def gate_for(request: Request) -> Checker:
    """The anonymisation gate for this request (checking in the worker pool), or a 503 while the
    server is still loading it in the background."""
    settings = request.app.state.settings
    if not get_gate(settings.taxonomy_dir, settings.spacy_model).loaded and startup_of(request).busy:
        raise LeerlusError(
            "de anonimiseringspoort wordt nog geladen; probeer het zo opnieuw "
            "(GET /api/status toont hoe ver de start is)",
            code="poort-laadt",
            status=503,
        )
    return PooledGate(settings, work_budget(request))


GateDep = Annotated[Checker, Depends(gate_for)]


# A path parameter is named by what the user sees in the address (/signalen/12), so an error says
# "signaalnummer moet een geheel getal zijn", not the Python name.
SignalNumber = Annotated[int, Path(alias="signaalnummer", ge=1, le=MAX_ID, description="Nummer van het signaal.")]
