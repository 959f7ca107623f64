"""Index write lock for the index stage: recovery after a crash without a human.

Whoosh guards its index with an ``flock`` on ``MAIN_WRITELOCK``. A parallel writer forks worker
processes that inherit that lock; when the writing process is killed (``kill -9``) they could live
on and keep the index locked for good. Two defences:

- every process forked from a Leerlus process dies with its parent (Linux ``PR_SET_PDEATHSIG``);
- :func:`open_writer` records the writing process (pid and start time) next to the lock. When the
  lock is busy and that process is gone, the processes still holding the lock are its orphans:
  they are stopped, their temporary files removed, and a Dutch warning says what was done (Whoosh
  drops unreferenced segment files at the next commit).
  A lock held by a live writer is waited for, then refused with a Dutch ``503 index-bezet``.

Two more ways a write could leave the index locked or broken for the life of the process:

- :func:`commit` gives the lock back when a commit fails (a full disk, a broken segment); before,
  the failed writer kept it and every later write of the process waited 60 s and failed;
- Whoosh names new segments with the global :mod:`random`, which any code in the process may seed
  (a test framework does, for every example): equal seeds gave equal segment names, and the second
  commit of a name failed. Segment names now come from the operating system's randomness.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import random
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any

import whoosh.util
from whoosh.index import Index, LockError
from whoosh.writing import IndexWriter

from kb.errors import LeerlusError

log = logging.getLogger("leerlus")

OWNER_FILE = "leerlus-schrijver.pid"
FIRST_TRY_SECONDS = 2.0
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In a freshly forked child: ask Linux to kill it when its parent dies."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


if sys.platform.startswith("linux"):
    os.register_at_fork(after_in_child=_die_with_parent)

whoosh.util.random = random.SystemRandom()  # type: ignore[attr-defined]  # segment names: see above


def commit(writer: IndexWriter) -> None:
    """Commit ``writer``; when that fails, cancel it and give the lock back before raising."""
    try:
        writer.commit()
    except BaseException:
        with contextlib.suppress(Exception):
            writer.cancel()
        with contextlib.suppress(Exception):
            if getattr(writer, "writelock", None) is not None:
                writer.writelock.release()
        raise


def open_writer(ix: Index, path: Path, *, timeout: float = 60.0, **options: Any) -> IndexWriter:
    """A writer for ``ix`` (stored in ``path``), recovering the lock from a crashed writer first."""
    try:
        writer = ix.writer(timeout=min(FIRST_TRY_SECONDS, timeout), **options)
    except LockError:
        recover(path)
        try:
            writer = ix.writer(timeout=timeout, **options)
        except LockError:
            owner = _owner(path)
            who = f" (proces {owner[0]})" if owner else ""
            raise LeerlusError(
                f"de zoekindex wordt bijgewerkt door een ander proces{who}; probeer het straks opnieuw",
                code="index-bezet",
                status=503,
            ) from None
    (path / OWNER_FILE).write_text(f"{os.getpid()} {_started(os.getpid())}\n", encoding="utf-8")
    return writer


def recover(path: Path) -> list[int]:
    """Stop the processes that hold the index lock when the process that took it is gone; returns
    their pids. Nothing is done while the recorded writer still runs."""
    owner = _owner(path)
    if owner is not None and _alive(*owner):
        return []
    lock = (path / "MAIN_WRITELOCK").resolve()
    orphans = [pid for pid in _holders(lock) if pid != os.getpid()]
    for pid in orphans:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while orphans and time.monotonic() < deadline and any(_alive(pid) for pid in orphans):
        time.sleep(0.05)
    if orphans:
        log.warning(
            "zoekindex: de vergrendeling van een afgebroken schrijfproces is opgeheven "
            "(achtergebleven processen %s gestopt)",
            ", ".join(map(str, orphans)),
        )
        _remove_leftovers(path)
    return orphans


def _owner(path: Path) -> tuple[int, str] | None:
    try:
        pid, started = (path / OWNER_FILE).read_text(encoding="utf-8").split()
        return int(pid), started
    except (OSError, ValueError):
        return None


def _started(pid: int) -> str:
    """The start time of a process (clock ticks since boot), to tell a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "?"
    return stat.rsplit(")", 1)[-1].split()[19]


def _alive(pid: int, started: str | None = None) -> bool:
    if not Path(f"/proc/{pid}").exists():
        with contextlib.suppress(OSError):
            os.kill(pid, 0)
            return started is None  # not Linux: trust the pid alone
        return False
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    return state != "Z" and (started is None or _started(pid) == started)


def _holders(lock: Path) -> list[int]:
    """Pids of the processes (of this user) that have ``lock`` open."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            for fd in (proc / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if Path(os.readlink(fd)) == lock:
                        found.append(int(proc.name))
                        break
    return found


def _remove_leftovers(path: Path) -> None:
    """Temporary files of the interrupted write (``*.tmp``); unreferenced segments are removed by
    Whoosh itself at the next commit."""
    removed = 0
    for leftover in path.glob("*.tmp"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
        removed += 1
    if removed:
        log.warning("zoekindex: %d tijdelijke bestanden van een afgebroken schrijfbeurt opgeruimd", removed)
