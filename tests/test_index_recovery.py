"""Recovery without a human (#17): after a writer is killed (``kill -9``) or its commit fails, the
next write finds the index lock free or frees it itself (orphans of a dead writer are stopped, their
temporary files removed) and says so in Dutch; a lock held by a live writer is a Dutch
``index-bezet``. Segment names do not depend on the global random state."""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.doctor import check
from ingest.runner import ingest
from kb.errors import LeerlusError
from kb.index.backend import WhooshIndex
from kb.index.locks import OWNER_FILE, _alive, _holders, open_writer
from kb.knowledge import KnowledgeBase
from kb.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and fork")


def _python(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )


def _wait_for(path: Path, seconds: float = 20) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


def _orphan_holding(lock: Path, ready: Path) -> int:
    """A process that holds the index lock and whose parent is already gone."""
    script = """
        import fcntl, os, sys, time
        if os.fork():
            os._exit(0)
        fd = os.open(sys.argv[1], os.O_CREAT | os.O_WRONLY)
        fcntl.flock(fd, fcntl.LOCK_EX)
        with open(sys.argv[2], "w") as out:
            out.write(str(os.getpid()))
        time.sleep(120)
    """
    _python(script, str(lock), str(ready)).wait()
    return int(_wait_for(ready))


def test_lock_of_a_dead_writer_is_recovered(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    index = WhooshIndex(tmp_path / "index")
    (index.path / OWNER_FILE).write_text("999999999 1\n")  # the writer that took the lock is gone
    (index.path / "MAIN.tmp").mkdir()
    (index.path / "MAIN.tmp" / "rest.seg").write_text("afgebroken")
    orphan = _orphan_holding(index.path / "MAIN_WRITELOCK", tmp_path / "pid")
    started = time.monotonic()
    with caplog.at_level(logging.WARNING), index.writer() as batch:
        batch.delete(["niets"])
    assert time.monotonic() - started < 10
    assert not _alive(orphan)
    assert not (index.path / "MAIN.tmp" / "rest.seg").exists()
    assert f"achtergebleven processen {orphan} gestopt" in caplog.text
    assert "vergrendeling van een afgebroken schrijfproces is opgeheven" in caplog.text


def test_lock_of_a_live_writer_is_a_dutch_refusal(tmp_path: Path) -> None:
    index = WhooshIndex(tmp_path / "index")
    holder = _orphan_holding(index.path / "MAIN_WRITELOCK", tmp_path / "pid")
    try:
        stat = Path(f"/proc/{holder}/stat").read_text().rsplit(")", 1)[-1].split()[19]
        (index.path / OWNER_FILE).write_text(f"{holder} {stat}\n")  # a writer that still runs
        with pytest.raises(LeerlusError) as refused:
            open_writer(index._ix, index.path, timeout=0.5)
        assert refused.value.code == "index-bezet" and refused.value.status == 503
        assert str(refused.value) == (
            f"de zoekindex wordt bijgewerkt door een ander proces (proces {holder}); probeer het straks opnieuw"
        )
        assert _alive(holder)
    finally:
        os.kill(holder, signal.SIGKILL)


def test_kill_9_during_a_parallel_write_needs_no_human(tmp_path: Path) -> None:
    """A parallel writer (worker processes holding the lock) is killed mid-write; its workers die
    with it, and the next writer gets the index at once."""
    script = """
        import os, signal, sys
        from pathlib import Path
        from kb.index.backend import WhooshIndex
        from kb.index.locks import open_writer
        index = WhooshIndex(Path(sys.argv[1]))
        writer = open_writer(index._ix, index.path, procs=2, multisegment=True, limitmb=16)
        for n in range(1500):
            writer.add_document(id=f"c{n}", titel="wachtlijst", body="jeugdhulp wachtlijst " * 20)
        print("schrijft", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """
    path = tmp_path / "index"
    WhooshIndex(path)
    writer_process = _python(script, str(path))
    assert writer_process.stdout is not None
    assert writer_process.stdout.readline().strip() == "schrijft"
    writer_process.wait(timeout=60)
    assert writer_process.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 5
    while _holders((path / "MAIN_WRITELOCK").resolve()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _holders((path / "MAIN_WRITELOCK").resolve()) == []  # the workers died with their parent
    started = time.monotonic()
    index = WhooshIndex(path)
    with index.writer() as batch:
        batch.delete(["c1"])
    assert time.monotonic() - started < 10
    assert index.doc_count() == 0  # nothing of the killed write was committed


def test_a_failed_commit_gives_the_lock_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A commit that fails (a full disk) used to keep the lock for as long as the failed writer
    lived (an error in the log keeps it alive): every later write waited 60 s and failed."""
    from whoosh.writing import SegmentWriter

    index = WhooshIndex(tmp_path / "index")
    failed: list[SegmentWriter] = []  # keeps the failed writer alive, as a logged traceback does

    def full_disk(self: SegmentWriter, *args: object, **kwargs: object) -> None:
        failed.append(self)
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(SegmentWriter, "commit", full_disk)
        with pytest.raises(OSError), index.writer() as batch:
            batch.delete(["niets"])
    assert failed
    index._ix.writer(timeout=0.5).cancel()  # free at once, while the failed writer still exists
    with index.writer() as batch:
        batch.delete(["niets"])


def test_segment_names_do_not_follow_the_global_random(make_settings: Callable[..., Settings]) -> None:
    """Whoosh named segments with the global random, which other code may seed (hypothesis does, for
    every example): the same seed gave the same segment name and the next commit failed."""
    kb = KnowledgeBase(make_settings())
    random.seed(17)
    assert ingest(kb).ok
    case = sorted(Path(kb.settings.content_dir).glob("*.md"))[0]
    case.write_text(case.read_text(encoding="utf-8") + "\nEen regel erbij.\n", encoding="utf-8")
    random.seed(17)
    assert ingest(kb).ok
    assert check(kb) == []
    kb.close()
