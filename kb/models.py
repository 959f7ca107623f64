"""SQL tables and the public shapes the API returns (the store stage of the flow).

Families per entity, as in the FastAPI template: ``Case`` is the table, ``CaseSummary`` and
``CaseDetail`` are what callers get back. Multi-valued facets are also kept one row per value
in ``CaseTag`` so they can be filtered and counted in SQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel


def _now() -> datetime:
    return datetime.now(UTC)


class Case(SQLModel, table=True):
    """One stored case; derived from its Markdown file and rebuilt by ``reindex``."""

    id: str = Field(primary_key=True, max_length=200)
    path: str = Field(index=True, unique=True, max_length=1000)
    content_hash: str = Field(max_length=64)
    titel: str
    soort: str = Field(index=True, max_length=40)
    datum: str = Field(index=True, max_length=10)
    jaar: str = Field(index=True, max_length=4)
    regio: str | None = Field(default=None, index=True)
    team: str | None = Field(default=None, index=True)
    leeftijdscategorie: str | None = Field(default=None, max_length=10)
    besluit: str | None = Field(default=None, sa_column=Column(Text))
    mandaat: str | None = Field(default=None, sa_column=Column(Text))
    uitkomst: str | None = Field(default=None, sa_column=Column(Text))
    hulpvraag: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    wetten: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    instanties: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    voorzieningen: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    blokkades: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    suggesties: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    blokkades_afgewezen: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    lessen_casus: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    lessen_systeem: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    verwijzingen: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    vraag: str | None = Field(default=None, sa_column=Column(Text))
    grondslag: str | None = Field(default=None, sa_column=Column(Text))
    partijen: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    body_markdown: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str = Field(sa_column=Column(Text, nullable=False))
    ingested_at: datetime = Field(default_factory=_now)


class Meta(SQLModel, table=True):
    """Key-value facts about the store itself, such as the schema version."""

    __tablename__ = "leerlus_meta"
    key: str = Field(primary_key=True, max_length=50)
    value: str


class CaseTag(SQLModel, table=True):
    """One value of a facet of a case (``blokkades = grens.jeugdwet-wlz``)."""

    case_id: str = Field(primary_key=True, foreign_key="case.id", max_length=200)
    veld: str = Field(primary_key=True, max_length=40)
    waarde: str = Field(primary_key=True, max_length=200, index=True)


class CaseLink(SQLModel, table=True):
    """A link from one case to another, by ``verwijzingen`` or by ``[[id]]`` in the text."""

    source_id: str = Field(primary_key=True, foreign_key="case.id", max_length=200)
    target_id: str = Field(primary_key=True, max_length=200, index=True)
    via: str = Field(max_length=20)


class Mention(SQLModel, table=True):
    """A law, body or provision recognised in the text of a case."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="case.id", index=True, max_length=200)
    label: str = Field(max_length=20)
    text: str
    canonical: str = Field(index=True)
    start: int
    end: int


class BlockerFinding(SQLModel, table=True):
    """A blocker of a case, declared (``voorgeschreven``) or recognised (``herkend``), with evidence
    and, when recognised, a calibrated confidence."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="case.id", index=True, max_length=200)
    code: str = Field(index=True, max_length=100)
    source: str = Field(max_length=20)
    evidence: str | None = Field(default=None, sa_column=Column(Text))
    start: int | None = None
    end: int | None = None
    confidence: float | None = None


class MentionPublic(SQLModel):
    label: str
    text: str
    canonical: str
    start: int
    end: int


class FindingPublic(SQLModel):
    """A blocker of a case as callers see it. ``soort`` is ``vastgesteld`` (written by the author or
    confirmed by a person) or ``gesuggereerd`` (recognised by the pipeline only, with ``confidence``)."""

    code: str
    label: str
    source: str
    soort: str
    evidence: str | None = None
    start: int | None = None
    end: int | None = None
    confidence: float | None = None


class LinkPublic(SQLModel):
    id: str
    titel: str | None = None
    datum: str | None = None
    soort: str | None = None
    via: str
    bestaat: bool = True


class ChainLink(SQLModel):
    """An earlier case this case builds on, directly (diepte 1) or through other cases."""

    id: str
    titel: str
    datum: str
    soort: str
    besluit: str | None = None
    diepte: int


class CaseSummary(SQLModel):
    id: str
    titel: str
    soort: str
    datum: str
    regio: str | None = None
    team: str | None = None
    leeftijdscategorie: str | None = None
    hulpvraag: list[str] = []
    wetten: list[str] = []
    instanties: list[str] = []
    voorzieningen: list[str] = []
    blokkades: list[str] = []
    suggesties: list[str] = []


class CaseDetail(CaseSummary):
    path: str
    versie: str = ""  # the content hash of the file as stored: a review decision must name it
    besluit: str | None = None
    mandaat: str | None = None
    uitkomst: str | None = None
    lessen_casus: list[str] = []
    lessen_systeem: list[str] = []
    blokkades_afgewezen: list[str] = []
    vraag: str | None = None
    grondslag: str | None = None
    partijen: list[dict[str, Any]] = []  # with "status" and "te_laat" from the compliance record
    extra: dict[str, Any] = {}
    body_html: str
    links_out: list[LinkPublic] = []
    links_in: list[LinkPublic] = []
    entiteiten: list[MentionPublic] = []
    bevindingen: list[FindingPublic] = []
    keten: list[ChainLink] = []


class CasesPage(SQLModel):
    data: list[CaseSummary]
    count: int
    page: int
    limit: int
