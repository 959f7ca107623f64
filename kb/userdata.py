"""Tables for what people create in Leerlus itself (the store stage): saved searches, system
signals and the append-only history of each signal, the append-only record of review
decisions on suggested blockers, the users with their API tokens, and the append-only audit log.

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


class User(SQLModel, table=True):
    """Someone who may log in: a login name, one role (see :mod:`kb.access`), an optional team, an
    argon2 password hash (none for the local administrator, who logs in by a one-time link).
    ``sessie_versie`` is part of every session cookie; raising it ends all sessions of the user."""

    __tablename__ = "app_user"
    id: int | None = Field(default=None, primary_key=True)
    naam: str = Field(max_length=80, unique=True, index=True)
    rol: str = Field(max_length=20)
    team: str | None = Field(default=None, max_length=200)
    wachtwoord_hash: str | None = Field(default=None, max_length=200)
    actief: bool = True
    lokaal: bool = False  # made by `leerlus serve` on 127.0.0.1
    sessie_versie: int = 1
    aangemaakt: datetime = Field(default_factory=now)


class ApiToken(SQLModel, table=True):
    """A token for scripts (``Authorization: Bearer ...``). Only its SHA-256 hash is kept; the token
    itself is shown once. ``ingetrokken`` is set when it is revoked."""

    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    label: str = Field(default="", max_length=120)
    prefix: str = Field(max_length=16)
    hash: str = Field(max_length=64, unique=True)
    aangemaakt: datetime = Field(default_factory=now)
    ingetrokken: datetime | None = None


class AuditEntry(SQLModel, table=True):
    """One line of the audit log: who (name and role), when, what (``actie`` on ``object``), which
    cases it showed or changed, the outcome, the request id and the client address. Never case text.

    Only ever inserted: no code path updates or deletes a line, and a database trigger refuses it.
    ``hash`` covers the line and ``vorige_hash``, the hash of the line before it, so a changed or
    removed line breaks the chain (``leerlus audit controleer``); ``vorige_hash`` is unique, so the
    chain cannot fork when two processes write at once."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    moment: str = Field(max_length=32, index=True)  # ISO 8601 UTC, hashed exactly as stored
    wie: str = Field(max_length=80)
    rol: str = Field(max_length=20)
    actie: str = Field(max_length=40, index=True)
    object: str = Field(default="", max_length=300)
    casussen: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON list of case ids
    uitkomst: str = Field(default="ok", max_length=20)
    verzoek: str = Field(default="", max_length=64)
    adres: str = Field(default="", max_length=64)
    vorige_hash: str = Field(max_length=64, unique=True)
    hash: str = Field(max_length=64, unique=True)


USER_TABLES = (SavedSearch, Signal, SignalEvent, BlockerReview, ObligationEvent, User, ApiToken, AuditEntry)
