"""Tables for what people create in Leerlus itself (the store stage): saved searches, system
signals and the append-only history of each signal, and the append-only record of review
decisions on suggested blockers.

Unlike the case tables in :mod:`kb.models`, nothing here can be rebuilt from the Markdown files.
These tables are therefore never dropped by a schema change or by ``leerlus reindex``; they are
migrated in place (see :mod:`kb.db`) and can be exported and imported as JSON.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel


def now() -> datetime:
    return datetime.now(UTC)


class SavedSearch(SQLModel, table=True):
    """A search saved under a name; ``params`` is its canonical query string (without page)."""

    __tablename__ = "saved_search"
    slug: str = Field(primary_key=True, max_length=120)
    naam: str = Field(max_length=120)
    params: str = Field(sa_column=Column(Text, nullable=False))
    aangemaakt: datetime = Field(default_factory=now)


class SavedSearchPublic(SQLModel):
    slug: str
    naam: str
    params: str
    aangemaakt: datetime
    url: str
    feed: str


class Signal(SQLModel, table=True):
    """A system lesson turned into a signal to someone who can change the system.

    ``status`` is the latest state; the full path there is in :class:`SignalEvent`, which is only
    ever appended to. ``bron_les`` names the lesson it came from (``case-id#n``) so a lesson is
    not turned into two signals by accident."""

    __tablename__ = "signal"
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=lambda: uuid.uuid4().hex, max_length=32, unique=True)
    titel: str = Field(max_length=300)
    toelichting: str = Field(default="", sa_column=Column(Text, nullable=False))
    blokkades: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    casussen: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    adressaat: str = Field(max_length=100)
    status: str = Field(max_length=30, index=True)
    bron_les: str | None = Field(default=None, max_length=300, index=True)
    aangemaakt: datetime = Field(default_factory=now)
    gewijzigd: datetime = Field(default_factory=now)


class SignalEvent(SQLModel, table=True):
    """One change to a signal: created, moved to another status, or seen again in a new case."""

    __tablename__ = "signal_event"
    id: int | None = Field(default=None, primary_key=True)
    signal_id: int = Field(foreign_key="signal.id", index=True)
    soort: str = Field(max_length=30)  # aangemaakt | status | opnieuw-gezien
    van: str | None = Field(default=None, max_length=30)
    naar: str | None = Field(default=None, max_length=30)
    wie: str = Field(max_length=120)
    notitie: str = Field(default="", sa_column=Column(Text, nullable=False))
    casus: str | None = Field(default=None, max_length=200)
    moment: datetime = Field(default_factory=now, index=True)


class BlockerReview(SQLModel, table=True):
    """One decision on a suggested blocker: confirmed (``bevestigd``) or rejected (``afgewezen``),
    by whom and when, with the confidence and evidence the person saw. Only ever appended to; the
    decision itself also lives in the case's Markdown file, so the files stay the source."""

    __tablename__ = "blocker_review"
    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(max_length=200, index=True)
    code: str = Field(max_length=100, index=True)
    beslissing: str = Field(max_length=20)
    wie: str = Field(max_length=120)
    confidence: float | None = None
    evidence: str = Field(default="", sa_column=Column(Text, nullable=False))
    team: str | None = Field(default=None, max_length=200)
    moment: datetime = Field(default_factory=now, index=True)


class ObligationEvent(SQLModel, table=True):
    """One step in the follow-up of what a binding advice asked of a party: to ``nagekomen``, to
    ``niet-nagekomen`` or back to ``open``, by whom, when and why. Only ever appended to; the
    advice itself (in the case file) is never rewritten."""

    __tablename__ = "obligation_event"
    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(max_length=200, index=True)
    nummer: int  # 1-based position in the case's ``partijen``
    partij: str = Field(max_length=100)
    naar: str = Field(max_length=30)
    wie: str = Field(max_length=120)
    notitie: str = Field(default="", sa_column=Column(Text, nullable=False))
    moment: datetime = Field(default_factory=now, index=True)


USER_TABLES = (SavedSearch, Signal, SignalEvent, BlockerReview, ObligationEvent)
