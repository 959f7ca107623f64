"""SQL data functions (the store stage): write, remove and read cases.

Keyword-only functions with the session first, as in the FastAPI template. Routes and commands
never run ``select()`` themselves; they call these.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Integer, String, cast, delete, func, insert, update
from sqlmodel import Session, SQLModel, col, select

from kb.models import (
    BlockerFinding,
    Case,
    CaseDetail,
    CaseLink,
    CasesPage,
    CaseSummary,
    CaseTag,
    ChainLink,
    FindingPublic,
    LinkPublic,
    Mention,
    MentionPublic,
    Meta,
)
from kb.records import FACET_FIELDS, MULTI_VALUED, SINGLE_VALUED, SUGGESTIONS, CaseRecord

CHANGES = "wijzigingen"  # key in leerlus_meta: how many times the cases changed


def upsert_case(*, session: Session, record: CaseRecord) -> None:
    """Insert or replace the case, its facet tags, outgoing links, mentions and blocker findings.
    Rows go in as one multi-row insert per table: a case has dozens of child rows."""
    if session.get(Case, record.id) is not None:
        delete_cases(session=session, ids=[record.id])
    session.execute(
        insert(Case),
        [
            dict(
                id=record.id,
                path=record.path,
                content_hash=record.content_hash,
                titel=record.titel,
                soort=record.soort,
                datum=record.datum,
                jaar=record.jaar,
                regio=record.regio,
                team=record.team,
                leeftijdscategorie=record.leeftijdscategorie,
                besluit=record.besluit,
                mandaat=record.mandaat,
                uitkomst=record.uitkomst,
                hulpvraag=list(record.hulpvraag),
                wetten=list(record.facet_values("wetten")),
                instanties=list(record.facet_values("instanties")),
                voorzieningen=list(record.facet_values("voorzieningen")),
                blokkades=list(record.facet_values("blokkades")),
                suggesties=list(record.suggesties),
                blokkades_afgewezen=list(record.blokkades_afgewezen),
                lessen_casus=list(record.lessen_casus),
                lessen_systeem=list(record.lessen_systeem),
                verwijzingen=list(record.verwijzingen),
                vraag=record.vraag,
                grondslag=record.grondslag,
                partijen=[dataclasses.asdict(o) for o in record.partijen],
                extra=dict(record.extra),
                body_markdown=record.body_markdown,
                body_html=record.body_html,
                ingested_at=datetime.now(UTC),
            )
        ],
    )
    children: list[tuple[type[SQLModel], list[dict[str, Any]]]] = [
        (
            CaseTag,
            [
                {"case_id": record.id, "veld": name, "waarde": value}
                for name in SINGLE_VALUED + MULTI_VALUED
                for value in dict.fromkeys(record.facet_values(name))
            ]
            + [{"case_id": record.id, "veld": SUGGESTIONS, "waarde": code} for code in record.suggesties],
        ),
        (CaseLink, [{"source_id": record.id, "target_id": t, "via": via} for t, via in record.links().items()]),
        (Mention, [{"case_id": record.id, **dataclasses.asdict(m)} for m in record.mentions]),
        (BlockerFinding, [{"case_id": record.id, **dataclasses.asdict(f)} for f in record.findings]),
    ]
    for table, rows in children:
        if rows:
            session.execute(insert(table), rows)


def delete_cases(*, session: Session, ids: Sequence[str]) -> None:
    """Remove cases with their tags and outgoing links."""
    if not ids:
        return
    _delete_children(session, ids)
    session.execute(delete(Case).where(col(Case.id).in_(ids)))


def _delete_children(session: Session, ids: Sequence[str]) -> None:
    session.execute(delete(CaseTag).where(col(CaseTag.case_id).in_(ids)))
    session.execute(delete(CaseLink).where(col(CaseLink.source_id).in_(ids)))
    session.execute(delete(Mention).where(col(Mention.case_id).in_(ids)))
    session.execute(delete(BlockerFinding).where(col(BlockerFinding.case_id).in_(ids)))


def stored_files(*, session: Session) -> dict[str, tuple[str, str]]:
    """Every stored case as ``path -> (id, content_hash)``."""
    rows = session.exec(select(Case.path, Case.id, Case.content_hash)).all()
    return {path: (case_id, digest) for path, case_id, digest in rows}


def get_case(*, session: Session, case_id: str) -> Case | None:
    return session.get(Case, case_id)


def case_detail(*, session: Session, case: Case, labels: Mapping[str, str] | None = None) -> CaseDetail:
    """The public view of a case with links both ways, titles filled in where known."""
    out_rows = session.exec(select(CaseLink).where(CaseLink.source_id == case.id)).all()
    in_rows = session.exec(select(CaseLink).where(CaseLink.target_id == case.id)).all()
    ids = {r.target_id for r in out_rows} | {r.source_id for r in in_rows}
    known = {c.id: c for c in session.exec(select(Case).where(col(Case.id).in_(ids))).all()}

    def link(other: str, via: str) -> LinkPublic:
        target = known.get(other)
        if target is None:
            return LinkPublic(id=other, via=via, bestaat=False)
        return LinkPublic(id=other, titel=target.titel, datum=target.datum, soort=target.soort, via=via)

    links_out = sorted((link(r.target_id, r.via) for r in out_rows), key=_by_date)
    links_in = sorted((link(r.source_id, r.via) for r in in_rows), key=_by_date)
    mentions = session.exec(select(Mention).where(Mention.case_id == case.id).order_by(col(Mention.start))).all()
    findings = session.exec(
        select(BlockerFinding).where(BlockerFinding.case_id == case.id).order_by(col(BlockerFinding.id))
    ).all()
    return CaseDetail.model_validate(
        {
            **case.model_dump(),
            "versie": case.content_hash,
            "links_out": links_out,
            "links_in": links_in,
            "keten": chain(session=session, case_id=case.id),
            "entiteiten": [MentionPublic.model_validate(m.model_dump()) for m in mentions],
            "bevindingen": [
                FindingPublic.model_validate(
                    {
                        **f.model_dump(),
                        "label": (labels or {}).get(f.code, f.code),
                        "soort": "vastgesteld" if f.code in case.blokkades else "gesuggereerd",
                    }
                )
                for f in findings
            ],
        }
    )


def _by_date(link: LinkPublic) -> tuple[str, str]:
    return (link.datum or "", link.id)


def list_cases(
    *,
    session: Session,
    filters: Mapping[str, Iterable[str]] | None = None,
    page: int = 1,
    limit: int = 20,
) -> CasesPage:
    """Cases newest first; ``filters`` maps a facet name to accepted values (any of them)."""
    query = select(Case)
    count_query = select(func.count()).select_from(Case)
    for name, values in (filters or {}).items():
        wanted = list(values)
        if not wanted:
            continue
        sub = select(CaseTag.case_id).where(CaseTag.veld == name, col(CaseTag.waarde).in_(wanted))
        query = query.where(col(Case.id).in_(sub))
        count_query = count_query.where(col(Case.id).in_(sub))
    total = session.exec(count_query).one()
    rows = session.exec(
        query.order_by(col(Case.datum).desc(), col(Case.id)).offset((page - 1) * limit).limit(limit)
    ).all()
    data = [CaseSummary.model_validate(row.model_dump()) for row in rows]
    return CasesPage(data=data, count=int(total), page=page, limit=limit)


def tag_values(*, session: Session, fields: Sequence[str] | None = None) -> dict[str, dict[str, int]]:
    """Counts per value of every facet (or of ``fields``) over all cases."""
    query = select(CaseTag.veld, CaseTag.waarde, func.count())
    if fields is not None:
        query = query.where(col(CaseTag.veld).in_(list(fields)))
    rows = session.exec(query.group_by(CaseTag.veld, CaseTag.waarde)).all()
    out: dict[str, dict[str, int]] = {}
    for veld, waarde, count in rows:
        out.setdefault(veld, {})[waarde] = int(count)
    return out


def case_count(*, session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Case)).one())


def unknown_link_targets(*, session: Session) -> list[tuple[str, str]]:
    """Links whose target id is not a stored case, as ``(source, target)``."""
    rows = session.exec(
        select(CaseLink.source_id, CaseLink.target_id).where(col(CaseLink.target_id).not_in(select(Case.id)))
    ).all()
    return sorted((s, t) for s, t in rows)


def tags_of(*, session: Session, ids: Iterable[str], fields: Sequence[str]) -> dict[str, dict[str, set[str]]]:
    """For each case id, its values of ``fields``: ``{id: {veld: {waarde, ...}}}``."""
    wanted = list(ids)
    out: dict[str, dict[str, set[str]]] = {i: {} for i in wanted}
    if not wanted:
        return out
    rows = session.exec(
        select(CaseTag.case_id, CaseTag.veld, CaseTag.waarde).where(
            col(CaseTag.case_id).in_(wanted), col(CaseTag.veld).in_(list(fields))
        )
    ).all()
    for case_id, veld, waarde in rows:
        out[case_id].setdefault(veld, set()).add(waarde)
    return out


def sharing_tags(*, session: Session, case_id: str, fields: Sequence[str]) -> set[str]:
    """Ids of other cases that share at least one value of ``fields`` with ``case_id``."""
    mine = select(CaseTag.veld, CaseTag.waarde).where(CaseTag.case_id == case_id, col(CaseTag.veld).in_(list(fields)))
    pairs = list(session.exec(mine).all())
    if not pairs:
        return set()
    found: set[str] = set()
    for veld, waarde in pairs:
        rows = session.exec(
            select(CaseTag.case_id).where(CaseTag.veld == veld, CaseTag.waarde == waarde, CaseTag.case_id != case_id)
        ).all()
        found.update(rows)
    return found


def summaries(*, session: Session, ids: Iterable[str]) -> dict[str, CaseSummary]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = session.exec(select(Case).where(col(Case.id).in_(wanted))).all()
    return {row.id: CaseSummary.model_validate(row.model_dump()) for row in rows}


def chain(*, session: Session, case_id: str, depth: int = 6) -> list[ChainLink]:
    """The earlier decisions a case builds on: the cases it links to, the cases those link to, and
    so on (``depth`` steps at most), each once, nearest first and then oldest first."""
    seen = {case_id}
    frontier = [case_id]
    out: list[ChainLink] = []
    for level in range(1, depth + 1):
        targets = session.exec(select(CaseLink.target_id).where(col(CaseLink.source_id).in_(frontier))).all()
        new = [t for t in dict.fromkeys(targets) if t not in seen]
        seen.update(new)
        found = session.exec(select(Case).where(col(Case.id).in_(new))).all() if new else []
        out += [
            ChainLink(id=c.id, titel=c.titel, datum=c.datum, soort=c.soort, besluit=c.besluit, diepte=level)
            for c in sorted(found, key=lambda c: (c.datum, c.id))
        ]
        frontier = [c.id for c in found]
        if not frontier:
            break
    return out


def citation_counts(*, session: Session, ids: Iterable[str] | None = None) -> dict[str, int]:
    """How many stored cases link to each case (``id -> count``), for ``ids`` or for all cases
    that are linked to at least once."""
    query = select(CaseLink.target_id, func.count()).group_by(CaseLink.target_id)
    if ids is not None:
        wanted = list(ids)
        if not wanted:
            return {}
        query = query.where(col(CaseLink.target_id).in_(wanted))
    return {target: int(count) for target, count in session.exec(query).all()}


def pattern_rows(*, session: Session) -> list[dict[str, Any]]:
    """Id, title, date and facet columns of every case, for the patterns stage."""
    columns = [Case.id, Case.titel, Case.datum, *(getattr(Case, name) for name in FACET_FIELDS), Case.suggesties]
    names = ["id", "titel", "datum", *FACET_FIELDS, SUGGESTIONS]
    return [dict(zip(names, row, strict=True)) for row in session.exec(select(*columns)).all()]


def mark_changed(*, session: Session) -> None:
    """Count one change to the cases in the database itself, in the transaction that makes it, so
    every process on every node sees that what it derived from the cases is stale. (The newest
    ingest moment alone is not enough: it comes from the clock of whichever node wrote.)"""
    bumped = session.execute(
        update(Meta).where(col(Meta.key) == CHANGES).values(value=cast(cast(Meta.value, Integer) + 1, String))
    )
    if not getattr(bumped, "rowcount", 0):
        session.add(Meta(key=CHANGES, value="1"))


def change_marker(*, session: Session) -> tuple[Any, ...]:
    """Changes whenever a case is added, replaced or removed: the change counter of
    :func:`mark_changed`, the number of cases and the newest ingest moment."""
    count, newest = session.exec(select(func.count(), func.max(Case.ingested_at))).one()
    changes = session.exec(select(Meta.value).where(col(Meta.key) == CHANGES)).first()
    return (changes, int(count), str(newest))
