"""JSON API routes (``/api/...``): thin calls into :mod:`kb`, public models out.

The search route shares its contract with ``leerlus search --json``; the web pages are computed by
the same ``kb`` functions and link to these routes as their JSON twins.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.access import note_audit
from api.deps import BudgetDep, GateDep, KBDep, PipelineDep, StartupDep, check_case_write, check_correction
from ingest.draft import MAX_DRAFT_CHARS, draft_body
from ingest.edit import edit_case
from ingest.submit import Submission, submit
from kb.equality import check
from kb.errors import InvalidInput
from kb.models import CaseDetail, CasesPage
from kb.records import FACET_FIELDS
from kb.search import make_request, request_from_query

router = APIRouter(prefix="/api", tags=["api"])

FacetParam = Annotated[list[str] | None, Query()]
Page = Annotated[int, Query(ge=1, le=1000, description="Paginanummer.")]
Limit = Annotated[int, Query(ge=1, le=100, description="Resultaten per pagina.")]


@router.get("/search", summary="Zoek casussen")
def search(
    request: Request,
    kb: KBDep,
    q: Annotated[str, Query(description="Zoekvraag; na 1.000 tekens (en een woord na 50) afgekapt.")] = "",
    page: Page = 1,
    limit: Limit = 10,
    sort: Annotated[str, Query(description="relevantie, datum of aangehaald (meest aangehaald eerst).")] = "relevantie",
    van: Annotated[str | None, Query(description="Vanaf JJJJ, JJJJ-MM of JJJJ-MM-DD.")] = None,
    tot: Annotated[str | None, Query(description="Tot en met JJJJ, JJJJ-MM of JJJJ-MM-DD.")] = None,
    soort: FacetParam = None,
    regio: FacetParam = None,
    team: FacetParam = None,
    jaar: FacetParam = None,
    leeftijdscategorie: FacetParam = None,
    hulpvraag: FacetParam = None,
    wetten: FacetParam = None,
    blokkades: FacetParam = None,
) -> dict[str, Any]:
    """Zoekresultaten met markeringen, facetaantallen en het totaal; hetzelfde als
    ``leerlus search --json``. Facetfilters zijn herhaalbaar (``blokkades=a&blokkades=b``)."""
    result = kb.search(request_from_query(request.query_params.getlist))
    note_audit(request, cases=[hit.id for hit in result.hits])
    return result.to_dict()


@router.get("/cases", response_model=CasesPage, summary="Lijst van casussen")
def list_cases(
    request: Request,
    kb: KBDep,
    page: Page = 1,
    limit: Limit = 20,
    soort: FacetParam = None,
    regio: FacetParam = None,
    team: FacetParam = None,
    jaar: FacetParam = None,
    leeftijdscategorie: FacetParam = None,
    hulpvraag: FacetParam = None,
    wetten: FacetParam = None,
    blokkades: FacetParam = None,
) -> CasesPage:
    """Casussen, nieuwste eerst, te filteren op elk facetveld."""
    checked = make_request(filters={name: request.query_params.getlist(name) for name in FACET_FIELDS})
    return kb.cases(filters=checked.filters, page=page, limit=limit)


@router.get("/cases/{case_id}", response_model=CaseDetail, summary="Eén casus")
def get_case(case_id: str, kb: KBDep) -> CaseDetail:
    """Metadata, de tekst als veilige HTML en de verwijzingen in beide richtingen."""
    return kb.case(case_id)


@router.get("/cases/{case_id}/similar", summary="Vergelijkbare casussen")
def similar(case_id: str, kb: KBDep, limit: Annotated[int, Query(ge=1, le=50)] = 8) -> dict[str, Any]:
    """Casussen die op deze lijken, met per casus de redenen: zelfde blokkade, wetten, hulpvraag,
    leeftijd, verwijzingen en gedeelde termen."""
    return {"id": case_id, "similar": [s.to_dict() for s in kb.similar(case_id, limit)]}


@router.get("/cases/{case_id}/gelijkheid", summary="Vergelijkbaar, andere uitkomst")
def equality(request: Request, case_id: str, kb: KBDep) -> dict[str, Any]:
    """Voor een maatwerkbesluit of bindend advies: de richting van het besluit (toegekend of afgewezen,
    wie betaalt) en de meest vergelijkbare eerdere besluiten op dezelfde grens die de andere kant op
    gingen, met de feiten die verschillen. Voor andere soorten ``{"id", "van_toepassing": false}``."""
    found = check(kb, case_id)
    note_audit(request, target=f"casus:{case_id}", cases=[case_id])
    if found is None:
        return {"id": case_id, "van_toepassing": False}
    return {**found.to_dict(), "van_toepassing": True}


@router.get("/facets", summary="Facetten met aantallen")
def facets(kb: KBDep) -> dict[str, Any]:
    """Aantal casussen per waarde van elk facetveld, met de Nederlandse labels."""
    tax = kb.taxonomy
    labels = {
        "soort": {t.code: t.label for t in tax.soorten},
        "hulpvraag": {t.code: t.label for t in tax.hulpvraag},
        "blokkades": {t.code: t.label for t in tax.blokkades},
        "leeftijdscategorie": {t.code: t.label for t in tax.leeftijdscategorieen},
    }
    return {"facets": kb.facets(), "labels": labels}


class DraftIn(BaseModel):
    text: str = Field(max_length=MAX_DRAFT_CHARS, description="Tekst of Markdown, met of zonder front matter.")


@router.get("/status", summary="Is de server klaar?")
def status(kb: KBDep, startup: StartupDep) -> dict[str, Any]:
    """De opstarttoestand die ook elke pagina toont: of de anonimiseringspoort geladen is, of het
    inlezen bij de start nog loopt en hoe ver (``opstart``: fase, stap, gelezen van totaal), en het
    aantal casussen in de kennisbank."""
    from ingest.gate import get_gate

    return {
        "poort": "geladen" if get_gate(kb.settings.taxonomy_dir, kb.settings.spacy_model).loaded else "laden",
        "opwarmen": "bezig" if startup.busy else "klaar",
        "opstart": startup.to_dict(),
        "melding": startup.message(),
        "casussen": len(kb.stored_files()),
    }


@router.post("/precedents", summary="Precedenten voor een concept")
def precedents(request: Request, draft: DraftIn, kb: KBDep, gate: GateDep, pipeline: PipelineDep) -> dict[str, Any]:
    """De dichtstbijzijnde eerdere casussen per blokkade die het concept laat zien, met besluit,
    mandaat en uitkomst; het concept gaat eerst door de anonimiseringspoort (422
    ``persoonsgegevens``) en wordt nooit opgeslagen. ``markdown`` bevat dezelfde brief als tekst."""
    from ingest.draft_brief import precedents_for

    result = precedents_for(draft.text, kb=kb, gate=gate, pipeline=pipeline)
    note_audit(request, cases=[p.id for group in result.groups for p in group.precedents])
    return {**result.to_dict(), "markdown": result.to_markdown()}


@router.post("/analyze", summary="Analyseer een tekst zonder op te slaan")
def analyze(draft: DraftIn, pipeline: PipelineDep) -> dict[str, Any]:
    """Herkende wetten, instanties en voorzieningen (met canonieke naam) en blokkades met de zin die
    ze aantoont; posities tellen in de tekst na de front matter. Er wordt niets opgeslagen."""
    return pipeline.analyze(draft_body(draft.text)).to_dict()


class LessonsIn(BaseModel):
    casus: list[str] = []
    systeem: list[str] = []


class PartyIn(BaseModel):
    """One bound party of a binding advice: a role, what it must do and by when."""

    model_config = ConfigDict(extra="forbid")
    partij: str = Field(max_length=100)
    verplichting: str = Field(max_length=2000)
    uiterlijk: str | None = Field(default=None, max_length=10, description="JJJJ-MM of JJJJ-MM-DD")


class CaseIn(BaseModel):
    """A new case; the same fields as the front matter of a case file, and the body as ``tekst``.
    A field that is not part of the case format is refused (422), never silently dropped."""

    model_config = ConfigDict(extra="forbid")

    titel: str = Field(max_length=500)
    soort: str
    datum: str = Field(description="JJJJ-MM of JJJJ-MM-DD")
    tekst: str = Field(max_length=MAX_DRAFT_CHARS, description="De casus in Markdown.")
    id: str | None = None
    regio: str | None = None
    team: str | None = None
    leeftijdscategorie: str | None = None
    hulpvraag: list[str] = []
    wetten: list[str] = []
    blokkades: list[str] = []
    besluit: str | None = None
    mandaat: str | None = None
    uitkomst: str | None = None
    lessen: LessonsIn = LessonsIn()
    verwijzingen: list[str] = []
    vraag: str | None = Field(default=None, max_length=2000)
    grondslag: str | None = Field(default=None, max_length=2000)
    partijen: list[PartyIn] = Field(default=[], max_length=50)
    geen_persoonsgegevens: list[str] = Field(default=[], description="Waarschuwingen die geen persoonsgegeven zijn.")


@router.post("/cases", response_model=CaseDetail, status_code=201, summary="Nieuwe casus")
def create_case(
    request: Request,
    case: CaseIn,
    response: Response,
    kb: KBDep,
    gate: GateDep,
    pipeline: PipelineDep,
    budget: BudgetDep,
) -> CaseDetail:
    """Controleert de casus op persoonsgegevens (422 ``persoonsgegevens`` met de vondsten per veld en
    een geanonimiseerde versie), valideert hem (422 ``ongeldige-casus``), schrijft hem als
    Markdown-bestand in de casusmap en leest hem in (201 met de opgeslagen casus). Een professional
    schrijft alleen casussen van het eigen team, het expertteam alleen bindende adviezen (403)."""
    check_case_write(request, team=case.team, soort=case.soort)
    case_id, _report = submit(_submission(case), kb=kb, gate=gate, pipeline=pipeline, budget=budget)
    response.headers["Location"] = f"/api/cases/{case_id}"
    note_audit(request, target=f"casus:{case_id}", cases=[case_id])
    return kb.case(case_id)


class CaseCorrection(CaseIn):
    """A corrected case: every field as it should be from now on (a field left out is emptied), and
    the ``versie`` of the case as it was read. The id and the file name never change."""

    versie: str = Field(max_length=64, description="De versie (``versie`` van GET /api/cases/{id}) die u corrigeert.")


def _may_correct(request: Request, case_id: str, kb: KBDep) -> None:
    """403 before the body is read when the user may not correct this case (404 when unknown)."""
    check_correction(request, kb, case_id)


@router.put(
    "/cases/{case_id}",
    response_model=CaseDetail,
    summary="Casus corrigeren",
    dependencies=[Depends(_may_correct)],
)
def correct_case(
    request: Request,
    case_id: str,
    case: CaseCorrection,
    kb: KBDep,
    gate: GateDep,
    pipeline: PipelineDep,
    budget: BudgetDep,
) -> CaseDetail:
    """Controleert de correctie op persoonsgegevens (422 ``persoonsgegevens``), valideert haar (422
    ``ongeldige-casus``) en schrijft het Markdown-bestand opnieuw, alleen als het nog de ``versie`` is
    die u las (anders 409 ``gewijzigd``). Velden die het formulier niet kent, blijven staan. Wie de
    casus of haar nieuwe team niet mag schrijven, krijgt 403."""
    check_case_write(request, team=case.team, soort=case.soort)
    if case.id not in (None, "", case_id):
        raise InvalidInput("het id van een casus verandert niet bij een correctie")
    edit_case(
        kb,
        case_id=case_id,
        submission=_submission(case),
        versie=case.versie,
        gate=gate,
        pipeline=pipeline,
        budget=budget,
    )
    note_audit(request, target=f"casus:{case_id}", cases=[case_id])
    return kb.case(case_id)


def _submission(case: CaseIn) -> Submission:
    data = case.model_dump(exclude={"lessen", "versie"})
    data["lessen_casus"], data["lessen_systeem"] = case.lessen.casus, case.lessen.systeem
    data["id"] = case.id or ""
    return Submission.from_mapping(data)
