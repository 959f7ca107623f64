"""HTML pages for a new case ("Nieuwe casus"): the form, the gate's refusal with marked findings and
a one-click redacted version, the gate's "controleer" warnings with a one-click "geen
persoonsgegeven" per word, and validation errors, with everything the author typed kept.

The JSON twin is ``POST /api/cases``; both call :func:`ingest.submit.submit`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.access import note_audit
from api.deps import KBDep, check_case_write, check_correction, gate_for, pipeline_for, work_budget
from ingest.edit import edit_case, open_for_edit
from ingest.submit import PARTY_KEYS, InvalidCase, PersonalDataRefused, Submission, WarningsToCheck, submit
from kb.access import PROFESSIONAL
from kb.errors import LeerlusError
from web.marking import marked_text
from web.routes import current_user, render_error, templates

router = APIRouter(include_in_schema=False)
MULTI_CHOICE = ("hulpvraag", "blokkades", "geen_persoonsgegevens")
MAX_PARTIES = 50


def _form_context(
    kb: Any, submission: Submission, *, case_id: str = "", versie: str = "", **extra: Any
) -> dict[str, Any]:
    tax = kb.taxonomy
    return {
        "values": submission.to_dict(),
        "soorten": tax.soorten,
        "leeftijden": tax.leeftijdscategorieen,
        "hulpvragen": tax.hulpvraag,
        "blokkades": tax.blokkades,
        "partijen": tax.partijen,
        "json_url": None,
        "heading": "Casus corrigeren" if versie else "Nieuwe casus",
        "form_action": f"/casus/{case_id}/bewerken" if versie else "/nieuw",
        "case_id": case_id,
        "versie": versie,
        **extra,
    }


@router.get("/nieuw", response_class=HTMLResponse)
def new_case_form(request: Request, kb: KBDep) -> Response:
    """An empty form; a professional's team is filled in (they write only their own team's cases)."""
    user = current_user(request)
    team = user.team if user is not None and user.rol == PROFESSIONAL and user.team else ""
    return templates.TemplateResponse(request, "new.html", _form_context(kb, Submission.from_mapping({"team": team})))


@router.post("/nieuw", response_class=HTMLResponse)
async def new_case(request: Request, kb: KBDep) -> Response:
    submission, _versie = await _submitted(request)

    def save() -> str:
        gate, pipeline, budget = gate_for(request), pipeline_for(request), work_budget(request)
        case_id, _report = submit(
            submission, kb=kb, gate=gate, check_warnings=True, pipeline=pipeline, budget=budget
        )
        return case_id

    return await _save(request, kb, submission, save)


@router.get("/casus/{case_id}/bewerken", response_class=HTMLResponse)
def edit_case_form(request: Request, case_id: str, kb: KBDep) -> Response:
    """The correction form, filled with the case as its file says, at the version it was read."""
    try:
        check_correction(request, kb, case_id)
        submission, versie = open_for_edit(kb, case_id)
    except LeerlusError as error:
        return render_error(request, error.status, error.code, error.detail)
    context = _form_context(kb, submission, case_id=case_id, versie=versie)
    return templates.TemplateResponse(request, "new.html", context)


@router.post("/casus/{case_id}/bewerken", response_class=HTMLResponse)
async def edit_case_page(request: Request, case_id: str, kb: KBDep) -> Response:
    submission, versie = await _submitted(request)

    def save() -> str:
        check_correction(request, kb, case_id)
        gate, pipeline, budget = gate_for(request), pipeline_for(request), work_budget(request)
        edit_case(
            kb,
            case_id=case_id,
            submission=submission,
            versie=versie,
            gate=gate,
            check_warnings=True,
            pipeline=pipeline,
            budget=budget,
        )
        return case_id

    return await _save(request, kb, submission, save, case_id=case_id, versie=versie)


async def _submitted(request: Request) -> tuple[Submission, str]:
    """What the form sent: the fields, the bound parties (``partij_0``, ``verplichting_0``, …) and
    the version a correction started from."""
    form = await request.form()
    data: dict[str, Any] = {key: form.get(key) for key in form}
    for key in MULTI_CHOICE:
        data[key] = form.getlist(key)
    data["partijen"] = [
        {k: form.get(f"{k}_{i}") for k in PARTY_KEYS}
        for i in range(MAX_PARTIES)
        if any(str(form.get(f"{k}_{i}") or "").strip() for k in PARTY_KEYS)
    ]
    return Submission.from_mapping(data), str(form.get("versie") or "")


async def _save(
    request: Request, kb: Any, submission: Submission, save: Callable[[], str], *, case_id: str = "", versie: str = ""
) -> Response:
    """Run ``save`` off the event loop; on any refusal show the form again with everything typed."""

    def again(status: int, **extra: Any) -> Response:
        context = _form_context(kb, submission, case_id=case_id, versie=versie, **extra)
        return templates.TemplateResponse(request, "new.html", context, status_code=status)

    try:
        check_case_write(request, team=submission.values.get("team"), soort=submission.values.get("soort"))
        saved_id = await run_in_threadpool(save)
    except PersonalDataRefused as refused:
        marked = _marked(submission, refused.findings)
        return again(422, refused=refused, marked=marked, redacted=refused.redacted.to_dict())
    except WarningsToCheck as check:
        return again(409, to_check=words_to_check(check.findings), marked=_marked(submission, check.findings))
    except InvalidCase as invalid:
        return again(422, errors=invalid.issues)
    except LeerlusError as error:
        return again(error.status, problem=error.detail)
    note_audit(request, target=f"casus:{saved_id}", cases=[saved_id])
    return RedirectResponse(f"/casus/{saved_id}?opgeslagen=1", status_code=303)


@router.get("/precedenten", response_class=HTMLResponse)
def brief_form(request: Request) -> Response:
    return templates.TemplateResponse(request, "brief.html", {"tekst": "", "brief": None, "json_url": None})


@router.post("/precedenten", response_class=HTMLResponse)
async def brief_page(request: Request, kb: KBDep) -> Response:
    """A printable precedent brief for a pasted draft, or the draft back with the gate's findings;
    ``formaat=md`` downloads the brief as Markdown."""
    from ingest.draft_brief import precedents_for

    form = await request.form()
    text = str(form.get("tekst") or "")
    context: dict[str, Any] = {"tekst": text, "brief": None, "json_url": None}
    try:
        result = await run_in_threadpool(
            lambda: precedents_for(text, kb=kb, gate=gate_for(request), pipeline=pipeline_for(request))
        )
    except PersonalDataRefused as refused:
        context["refused"] = refused
        context["marked"] = [(item.field, item.finding) for item in refused.findings if item.finding.blocking]
        return templates.TemplateResponse(request, "brief.html", context, status_code=422)
    except LeerlusError as error:
        context["problem"] = error.detail
        return templates.TemplateResponse(request, "brief.html", context, status_code=error.status)
    note_audit(request, cases=[p.id for group in result.groups for p in group.precedents])
    if form.get("formaat") == "md":
        headers = {"Content-Disposition": 'attachment; filename="precedenten.md"'}
        return Response(result.to_markdown(), media_type="text/markdown; charset=utf-8", headers=headers)
    context["brief"] = result
    return templates.TemplateResponse(request, "brief.html", context)


def _marked(submission: Submission, findings: list[Any]) -> list[tuple[str, Any, list[Any]]]:
    """(field, the field's text with the findings marked, the findings) per field with findings."""
    by_field: dict[str, list[Any]] = {}
    for item in findings:
        by_field.setdefault(item.field, []).append(item.finding)
    texts = dict(submission.items())
    return [(name, marked_text(texts[name], [_as_mark(f) for f in found]), found) for name, found in by_field.items()]


class WordToCheck:
    """One word the gate asks the author to check: the lines it stands on ("regel 3 in tekst") and
    how often it stands there."""

    def __init__(self, text: str, reason: str) -> None:
        self.text, self.reason, self.places, self.count = text, reason, list[str](), 0


def words_to_check(findings: list[Any]) -> list[WordToCheck]:
    """The warnings per word (as a mark is: case and spacing aside), in order of first place: one
    button per word, not per place."""
    words: dict[str, WordToCheck] = {}
    for item in findings:
        key = " ".join(item.finding.text.lower().split())
        word = words.setdefault(key, WordToCheck(item.finding.text, item.finding.reason))
        place = f"regel {item.finding.line} in {item.field}"
        word.count += 1
        if place not in word.places[-1:]:
            word.places.append(place)
    return list(words.values())


class _Mark:
    def __init__(self, kind: str, start: int, end: int) -> None:
        self.label, self.start, self.end, self.canonical = kind, start, end, None


def _as_mark(finding: Any) -> _Mark:
    return _Mark(finding.kind if finding.blocking else f"{finding.kind} (let op)", finding.start, finding.end)
