"""HTML pages for a new case ("Nieuwe casus"): the form, the gate's refusal with marked findings and
a one-click redacted version, the gate's "controleer" warnings with a one-click "geen
persoonsgegeven" per word, and validation errors, with everything the author typed kept.

The JSON twin is ``POST /api/cases``; both call :func:`ingest.submit.submit`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import KBDep, gate_for, pipeline_for, work_budget
from ingest.submit import InvalidCase, PersonalDataRefused, Submission, WarningsToCheck, submit
from kb.errors import LeerlusError
from web.marking import marked_text
from web.routes import templates

router = APIRouter(include_in_schema=False)
MULTI_CHOICE = ("hulpvraag", "blokkades", "geen_persoonsgegevens")


def _form_context(kb: Any, submission: Submission, **extra: Any) -> dict[str, Any]:
    tax = kb.taxonomy
    return {
        "values": submission.to_dict(),
        "soorten": tax.soorten,
        "leeftijden": tax.leeftijdscategorieen,
        "hulpvragen": tax.hulpvraag,
        "blokkades": tax.blokkades,
        "json_url": None,
        **extra,
    }


@router.get("/nieuw", response_class=HTMLResponse)
def new_case_form(request: Request, kb: KBDep) -> Response:
    return templates.TemplateResponse(request, "new.html", _form_context(kb, Submission()))


@router.post("/nieuw", response_class=HTMLResponse)
async def new_case(request: Request, kb: KBDep) -> Response:
    form = await request.form()
    data: dict[str, Any] = {key: form.get(key) for key in form}
    for key in MULTI_CHOICE:
        data[key] = form.getlist(key)
    submission = Submission.from_mapping(data)

    def work() -> tuple[str, object]:  # off the event loop: loading the pipeline the first time takes seconds
        gate, pipeline, budget = gate_for(request), pipeline_for(request), work_budget(request)
        return submit(submission, kb=kb, gate=gate, check_warnings=True, pipeline=pipeline, budget=budget)

    try:
        case_id, _report = await run_in_threadpool(work)
    except PersonalDataRefused as refused:
        marked = _marked(submission, refused.findings)
        context = _form_context(kb, submission, refused=refused, marked=marked, redacted=refused.redacted.to_dict())
        return templates.TemplateResponse(request, "new.html", context, status_code=422)
    except WarningsToCheck as check:
        words = words_to_check(check.findings)
        context = _form_context(kb, submission, to_check=words, marked=_marked(submission, check.findings))
        return templates.TemplateResponse(request, "new.html", context, status_code=409)
    except InvalidCase as invalid:
        context = _form_context(kb, submission, errors=invalid.issues)
        return templates.TemplateResponse(request, "new.html", context, status_code=422)
    except LeerlusError as error:
        context = _form_context(kb, submission, problem=error.detail)
        return templates.TemplateResponse(request, "new.html", context, status_code=error.status)
    return RedirectResponse(f"/casus/{case_id}?opgeslagen=1", status_code=303)


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
