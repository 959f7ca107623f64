"""A new case from the browser or the API: limits, gate, validate, write as Markdown, ingest.

Cheap checks come first: the length of every field and control characters (:func:`check_limits`),
before any analysis. Then the author's fields are checked field by field by the anonymisation gate.
A refusal names every finding with its field and offsets and offers the redacted value of every
field; nothing is written anywhere. Only a case that validates, and whose file passes the very gate
check that ingest makes on it, is written as a Markdown file in the content directory (under a
temporary name first, so ingest never sees half a file) and then ingested like any other file.

All or nothing: if that ingest does not store the case in SQL and the index (it fails, runs out of
time, or refuses the file), the file is taken away again and the answer is an error, so files, SQL
and index never disagree because of a submission.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ingest.casefile import write_atomically
from ingest.gate import MARK_FIELD, Checker, Finding, Redactor
from ingest.issues import Issue
from ingest.parse import parse_case
from ingest.pipeline import Pipeline
from ingest.redaction import PLACEHOLDER_PATTERN, strip_placeholders
from ingest.runner import IngestReport, ingest
from ingest.workers import Budget
from kb.errors import LeerlusError
from kb.knowledge import KnowledgeBase
from kb.limits import CONTROL, MAX_FIELD_CHARS, MAX_LIST_ITEMS, MAX_TEXT_CHARS, MAX_TITLE_CHARS, dutch_number

TEXT_FIELDS = (
    "id", "titel", "soort", "datum", "regio", "team", "leeftijdscategorie", "besluit", "mandaat", "uitkomst",
    "vraag", "grondslag",
)  # fmt: skip
PARTY_KEYS = ("partij", "verplichting", "uiterlijk")
LIST_FIELDS = ("hulpvraag", "wetten", "blokkades", "lessen_casus", "lessen_systeem", "verwijzingen", MARK_FIELD)
BODY = "tekst"


@dataclass
class Submission:
    """What an author typed: scalar fields, list fields and the Markdown body."""

    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    body: str = ""
    parties: list[dict[str, str]] = field(default_factory=list)  # bound parties of a binding advice

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> Submission:
        values = {k: _lf(str(data.get(k) or "")).strip() for k in TEXT_FIELDS}
        lists = {k: _as_list(data.get(k), lines_only=k.startswith("lessen") or k == MARK_FIELD) for k in LIST_FIELDS}
        parties = [
            {k: _lf(str(item.get(k) or "")).strip() for k in PARTY_KEYS if item.get(k)}
            for item in data.get("partijen") or []
            if isinstance(item, dict)
        ]
        return cls(values=values, lists=lists, body=_lf(str(data.get(BODY) or "")), parties=parties)

    def items(self) -> list[tuple[str, str]]:
        """(field name, text) of everything the author wrote, list items as ``naam[i]``; the
        author's "geen persoonsgegeven" marks are a decision about the text, not text."""
        out = [(k, v) for k, v in self.values.items() if v]
        for k, values in self.lists.items():
            if k != MARK_FIELD:
                out += [(f"{k}[{i}]", v) for i, v in enumerate(values)]
        for i, party in enumerate(self.parties):
            out += [(f"partijen[{i}].{k}", party[k]) for k in ("partij", "verplichting") if party.get(k)]
        if self.body:
            out.append((BODY, self.body))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {**self.values, **self.lists, "partijen": self.parties, BODY: self.body}


@dataclass(frozen=True)
class FieldFinding:
    field: str
    finding: Finding

    def to_dict(self) -> dict[str, object]:
        return {"field": self.field, **self.finding.to_dict()}


class PersonalDataRefused(LeerlusError):
    """The gate found personal data; carries the findings and the redacted submission."""

    status = 422
    code = "persoonsgegevens"

    def __init__(self, findings: list[FieldFinding], redacted: Submission) -> None:
        kinds = sorted({f.finding.kind for f in findings if f.finding.blocking})
        super().__init__(
            "de casus bevat persoonsgegevens (" + ", ".join(kinds) + ") en is niet opgeslagen; "
            "pas de tekst aan of neem de geanonimiseerde versie over"
        )
        self.findings = findings
        self.redacted = redacted

    def to_dict(self) -> dict[str, object]:
        return {
            **super().to_dict(),
            "findings": [f.to_dict() for f in self.findings],
            "redacted": self.redacted.to_dict(),
        }


class WarningsToCheck(LeerlusError):
    """Nothing blocks, but the gate asks the author to check some words first (web form only);
    each can be marked "geen persoonsgegeven" in one click."""

    status = 409
    code = "controleer"

    def __init__(self, findings: list[FieldFinding]) -> None:
        super().__init__("controleer de gemarkeerde woorden: markeer ze als 'geen persoonsgegeven' of pas de tekst aan")
        self.findings = findings

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "findings": [f.to_dict() for f in self.findings]}


class InvalidCase(LeerlusError):
    status = 422
    code = "ongeldige-casus"

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("; ".join(i.message for i in issues))
        self.issues = issues

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "issues": [{"field": i.field, "message": i.message} for i in self.issues]}


def screen(submission: Submission, gate: Checker) -> tuple[list[FieldFinding], Submission]:
    """Every finding per field, and the submission with each blocking finding redacted."""
    findings: list[FieldFinding] = []
    redacted = Submission(values=dict(submission.values), lists={k: list(v) for k, v in submission.lists.items()})
    redacted.body = submission.body
    redacted.parties = [dict(p) for p in submission.parties]
    redactor = Redactor()
    marks = submission.lists.get(MARK_FIELD, [])
    results = [(name, text, gate.check(text, marked=marks)) for name, text in submission.items()]
    for _name, _text, result in results:  # full names anywhere number a first name everywhere
        redactor.learn(result.findings)
    for name, text, result in results:
        findings += [FieldFinding(name, f) for f in result.findings]
        if not result.ok:
            _put(redacted, name, redactor.apply(text, result.findings))
    used = sorted({f.text for _name, _text, result in results for f in result.marked}, key=str.lower)
    redacted.lists[MARK_FIELD] = used  # a mark that matches no warning is dropped: marks are never text
    if PLACEHOLDER_PATTERN.search(redacted.values.get("id", "")):
        redacted.values["id"] = ""  # an id is made afresh from datum and titel, never from a placeholder
    return findings, redacted


def check_limits(submission: Submission) -> list[Issue]:
    """What is too long, too many or holds a control character, before any analysis: the body up to
    :data:`~kb.limits.MAX_TEXT_CHARS`, the title :data:`~kb.limits.MAX_TITLE_CHARS`, every other
    field and list item :data:`~kb.limits.MAX_FIELD_CHARS`, a list :data:`~kb.limits.MAX_LIST_ITEMS`
    items. Only the body may hold any character but a null byte (as in a case file)."""
    issues: list[Issue] = []
    if len(submission.body) > MAX_TEXT_CHARS:
        issues.append(_too_long(BODY, len(submission.body), MAX_TEXT_CHARS))
    if "\x00" in submission.body:
        issues.append(Issue("", "tekst bevat een nul-byte (is het wel tekst?)", field=BODY))
    counts = {key: len(values) for key, values in submission.lists.items()} | {"partijen": len(submission.parties)}
    for key, count in counts.items():
        if count > MAX_LIST_ITEMS:
            issues.append(Issue("", f"{key} heeft {count} regels; hoogstens {MAX_LIST_ITEMS}", field=key))
    for name, text in submission.items():
        if name == BODY:
            continue
        limit = MAX_TITLE_CHARS if name == "titel" else MAX_FIELD_CHARS
        if len(text) > limit:
            issues.append(_too_long(name, len(text), limit))
        elif CONTROL.search(text):
            issues.append(Issue("", f"{name} bevat een ongeldig teken (een nul-byte of stuurteken)", field=name))
    return issues


def _too_long(name: str, length: int, limit: int) -> Issue:
    message = f"{name} is te lang ({dutch_number(length)} tekens, hoogstens {dutch_number(limit)})"
    return Issue("", message, field=name)


def compose(submission: Submission, case_id: str | None, base: dict[str, Any] | None = None) -> str:
    """The Markdown file for a submission. ``base`` is the front matter of the file being corrected:
    its keys keep their order, keys the form does not know (review decisions, extra fields) are
    kept as they were, and a form field left empty is removed."""
    front: dict[str, Any] = dict(base or {})
    if case_id is not None:
        front = {"id": case_id, **{k: v for k, v in front.items() if k != "id"}}
    form_keys = (*TEXT_FIELDS[1:], "hulpvraag", "wetten", "blokkades", "verwijzingen", MARK_FIELD, "partijen", "lessen")
    values: dict[str, Any] = {k: submission.values.get(k) for k in TEXT_FIELDS[1:]}
    for key in ("hulpvraag", "wetten", "blokkades", "verwijzingen", MARK_FIELD):
        values[key] = submission.lists.get(key)
    values["partijen"] = submission.parties
    lessons = {k: submission.lists.get(f"lessen_{k}") for k in ("casus", "systeem")}
    values["lessen"] = {k: v for k, v in lessons.items() if v}
    for key in form_keys:
        if values[key]:
            front[key] = values[key]
        else:
            front.pop(key, None)
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{header}---\n\n{submission.body.strip()}\n"


def gated(submission: Submission, gate: Checker, *, check_warnings: bool = False) -> Submission:
    """The submission as it may be stored: refused (:class:`PersonalDataRefused`) on personal data,
    stopped for the author's check (:class:`WarningsToCheck`) on unmarked name warnings when
    ``check_warnings`` (the web form), and with only the "geen persoonsgegeven" marks that matched.
    What is too long or holds a control character is refused first (:func:`check_limits`), before
    any text work."""
    limits = check_limits(submission)
    if limits:
        raise InvalidCase(limits)
    findings, redacted = screen(submission, gate)
    if any(f.finding.blocking for f in findings):
        raise PersonalDataRefused(findings, redacted)
    to_check = [f for f in findings if not f.finding.blocking and f.finding.kind == "persoonsnaam"]
    if check_warnings and to_check:
        raise WarningsToCheck(to_check)
    return Submission(
        values=submission.values,
        lists={**submission.lists, MARK_FIELD: redacted.lists[MARK_FIELD]},
        body=submission.body,
        parties=submission.parties,
    )


def submit(
    submission: Submission,
    *,
    kb: KnowledgeBase,
    gate: Checker,
    check_warnings: bool = False,
    pipeline: Pipeline | None = None,
    budget: Budget | None = None,
) -> tuple[str, IngestReport]:
    """Gate, validate, write and ingest a new case; returns its id. Raises a Dutch error otherwise.
    With ``check_warnings`` (the web form) name warnings the author has not marked "geen
    persoonsgegeven" are shown first (:class:`WarningsToCheck`); elsewhere they do not stop a case.
    The marks are kept in the case's front matter (``geen_persoonsgegevens``). Nothing is stored
    when it fails. A web request passes its pooled ``gate`` and ``pipeline`` and its ``budget``
    (:mod:`ingest.pooled`): then no text work runs in the server's threads, and waiting for another
    ingest counts against the same budget."""
    submission = gated(submission, gate, check_warnings=check_warnings)
    content = kb.settings.content_dir
    case_id = submission.values.get("id") or _free_id(content, submission)
    text = compose(submission, case_id)
    target = content / f"{case_id}.md"
    result = parse_case(text.encode("utf-8"), path=target.name, rel_path=target.name, taxonomy=kb.taxonomy)
    if result.record is None:
        raise InvalidCase(result.errors)
    if target.exists() or case_id in {cid for cid, _ in kb.stored_files().values()}:
        raise LeerlusError(f"er bestaat al een casus met id '{case_id}'", code="bestaat-al", status=409)
    as_file = [f for f in gate.check(text).findings if f.blocking]  # what ingest will check: the file
    if as_file:
        kinds = ", ".join(sorted({f.kind for f in as_file}))
        message = (
            f"als bestand bevat de casus iets dat op persoonsgegevens lijkt ({kinds}), door tekens die in een "
            "casusbestand als code geschreven worden; pas de tekst aan"
        )
        raise InvalidCase([Issue("", message)])
    content.mkdir(parents=True, exist_ok=True)
    write_atomically(target, text)
    try:
        wait = None if budget is None else max(0.0, budget.remaining())
        report = ingest(kb, gate=gate, pipeline=pipeline, wait=wait)
    except BaseException:
        _withdraw(kb, target, case_id)
        raise
    if case_id not in report.added:
        _withdraw(kb, target, case_id)
        own = [i for i in report.issues if i.is_error and Path(i.path).name == target.name]
        raise InvalidCase(own or [Issue("", "de casus kon niet worden ingelezen en is niet opgeslagen")])
    return case_id, report


def _withdraw(kb: KnowledgeBase, target: Path, case_id: str) -> None:
    """Take a submission away again: its file, and whatever of it reached SQL or the index."""
    target.unlink(missing_ok=True)
    in_sql = case_id in {cid for cid, _ in kb.stored_files().values()}
    if in_sql or case_id in kb.index.hashes():
        with kb.write() as batch:
            batch.delete([case_id])


def _free_id(content: Path, submission: Submission) -> str:
    datum = submission.values.get("datum", "")[:7] or "zonder-datum"
    base = f"{datum}-{slug(strip_placeholders(submission.values.get('titel', ''))) or 'casus'}"
    candidate, n = base, 2
    while (content / f"{candidate}.md").exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def slug(text: str, limit: int = 50) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    out = ""
    for word in words:
        if len(out) + len(word) + 1 > limit:
            break
        out = f"{out}-{word}" if out else word
    return out


def _lf(text: str) -> str:
    """Browsers send line breaks in form fields as CRLF; a case file has the author's lines as LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _as_list(value: Any, *, lines_only: bool = False) -> list[str]:
    """A list from a list, or from text with one item per line (or, for short values such as laws
    and codes, separated by commas or semicolons)."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = re.split(r"\n" if lines_only else r"[\n,;]", value)
        return [p.strip().lstrip("-• ").strip() for p in parts if p.strip().lstrip("-• ").strip()]
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value).strip()]


def _put(submission: Submission, name: str, value: str) -> None:
    party = re.fullmatch(r"partijen\[(\d+)\]\.(\w+)", name)
    if party:
        submission.parties[int(party.group(1))][party.group(2)] = value
        return
    match = re.fullmatch(r"(\w+)\[(\d+)\]", name)
    if match:
        submission.lists[match.group(1)][int(match.group(2))] = value
    elif name == BODY:
        submission.body = value
    else:
        submission.values[name] = value
