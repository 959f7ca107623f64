"""Ingest stage, one run at a time across application nodes: a PostgreSQL advisory lock.

Several nodes that share one PostgreSQL database (and one case folder) must never ingest the same
files at once: both would parse, analyse and write every changed case, and a removal seen by one
could race a write by the other. When the SQL engine is PostgreSQL an ingest run therefore holds a
session-level advisory lock (:data:`INGEST_LOCK`) on a connection of its own for the whole run:

- ``pg_try_advisory_lock`` first; when another node holds it, the run says so in the log and
  waits with ``pg_advisory_lock`` under a ``lock_timeout`` (``LEERLUS_INGEST_WAIT_SECONDS``);
- after that it gives up with :class:`IngestBusy`, a Dutch ``503 inlezen-bezet`` that names the
  node holding the lock (its ``application_name``, set while it holds the lock);
- the lock goes with the connection: a node that crashes mid-run frees it, and a connection whose
  unlock failed is discarded, never handed back to the pool still locked.

On SQLite there is one machine: the in-process run lock of :mod:`ingest.runner` and the index's
own file lock (:mod:`kb.index.locks`) stay what they were.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from kb.errors import LeerlusError

log = logging.getLogger("leerlus")

INGEST_LOCK = 0x1EE2_1915  # one bigint key for "the case folder is being ingested"
HOLDER = "leerlus-inlezen"


class IngestBusy(LeerlusError):
    """Another node kept the ingest lock longer than this run would wait."""

    status = 503
    code = "inlezen-bezet"


def holder_name() -> str:
    """How this node shows up in ``pg_stat_activity`` while it ingests."""
    return f"{HOLDER} {socket.gethostname()} pid {os.getpid()}"[:63]


@contextmanager
def ingest_lock(engine: Engine, wait_seconds: float) -> Iterator[None]:
    """Hold the ingest lock for the block when ``engine`` is PostgreSQL (see the module docstring);
    on any other engine do nothing."""
    if engine.dialect.name != "postgresql":
        yield
        return
    connection = engine.connect()
    try:
        _acquire(connection, wait_seconds)
    except BaseException:
        connection.invalidate()  # whatever state the lock is in, this connection is not reused
        connection.close()
        raise
    try:
        yield
    finally:
        _release(connection)


def lock_is_free(engine: Engine) -> bool:
    """Whether no node holds the ingest lock right now (SQLite: always)."""
    if engine.dialect.name != "postgresql":
        return True
    with engine.connect() as connection:
        return _holder(connection) is None


def _acquire(connection: Connection, wait_seconds: float) -> None:
    connection.execute(text("SELECT set_config('application_name', :name, false)"), {"name": holder_name()})
    if connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": INGEST_LOCK}).scalar():
        connection.commit()
        return
    holder = _holder(connection) or "een andere server"
    log.info("inlezen: %s leest de casusmap al in; deze server wacht tot %.0f s", holder, wait_seconds)
    connection.execute(text("SELECT set_config('lock_timeout', :ms, false)"), {"ms": f"{int(wait_seconds * 1000)}"})
    try:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": INGEST_LOCK})
    except DBAPIError:
        connection.rollback()
        holder = _holder(connection) or holder
        raise IngestBusy(
            f"de casusmap wordt al ingelezen door {holder}; na {wait_seconds:.0f} s wachten is dit inlezen "
            "niet begonnen. Probeer het opnieuw zodra dat klaar is (een nieuwe of gewijzigde casus wordt dan "
            "alsnog ingelezen)"
        ) from None
    connection.execute(text("SELECT set_config('lock_timeout', '0', false)"))
    connection.commit()


def _release(connection: Connection) -> None:
    try:
        connection.rollback()  # an aborted transaction would refuse the unlock
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": INGEST_LOCK})
        connection.execute(text("RESET application_name"))
        connection.commit()
    except DBAPIError:
        connection.invalidate()  # closing the session frees the lock
    finally:
        connection.close()


def _holder(connection: Connection) -> str | None:
    """The ``application_name`` (or pid) of the session holding the ingest lock, if any."""
    row = connection.execute(
        text(
            """SELECT coalesce(nullif(a.application_name, ''), 'proces ' || l.pid)
            FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
              AND l.classid = (CAST(:key AS bigint) >> 32)::oid
              AND l.objid = (CAST(:key AS bigint) & 4294967295)::oid"""
        ),
        {"key": INGEST_LOCK},
    ).first()
    return None if row is None else str(row[0])
