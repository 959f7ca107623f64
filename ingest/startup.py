"""Start-up stage of a running server: load the anonymisation gate and the language pipeline, then
ingest the case folder, in one background thread.

:class:`Startup` is the one start-up state of a process. The server answers from the existing
index while it runs; every page and ``GET /api/status`` read the same object, so they all say the
same thing ("bezig met inlezen (12 van 66)") and nothing claims the knowledge base is empty while
cases are still being read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ingest.issues import Issue
from ingest.runlock import IngestBusy
from ingest.runner import IngestReport, case_files, ingest
from kb.knowledge import KnowledgeBase

# What the ingest runner is doing, as a user reads it after "bezig met inlezen (N van M)".
STAGE_TEXT = {
    "poort": "de anonimiseringspoort en de taalpijplijn worden geladen",
    "lezen": "casussen controleren op persoonsgegevens en lezen",
    "analyseren": "begrippen en blokkades herkennen",
    "opslaan": "opslaan in database en zoekindex",
}
READ_STEPS = ("lezen", "analyseren", "opslaan")  # the steps of reading the cases, in order


@dataclass
class Startup:
    """Where the start-up of this process is: ``phase`` is ``opstarten`` (gate and pipeline load),
    ``inlezen`` (the ingest runs; ``stage``, ``done`` and ``total`` say how far) or ``klaar``."""

    phase: str = "klaar"
    stage: str = ""
    done: int = 0
    total: int = 0
    failed: str | None = None
    report: IngestReport | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def busy(self) -> bool:
        return self.phase != "klaar"

    def progress(self, stage: str, done: int, total: int) -> None:
        """The ingest runner's progress callback."""
        with self._lock:
            self.phase, self.stage, self.done, self.total = "inlezen", stage, done, total

    def message(self) -> str | None:
        """The Dutch sentence every page shows while starting up, or None when ready."""
        with self._lock:
            if not self.busy:
                return None
            what = STAGE_TEXT.get(self.stage, "")
            if self.phase == "opstarten":
                then = f"; daarna worden {self.total} casussen ingelezen" if self.total else ""
                return f"Leerlus start op: {what}{then}."
            # Every step counts the cases again from 0; the step number says why the count restarts.
            step = ""
            if self.stage in READ_STEPS:
                step = f", stap {READ_STEPS.index(self.stage) + 1} van {len(READ_STEPS)}"
            ending = f": {what}." if what else "."
            return f"Leerlus is bezig met inlezen ({self.done} van {self.total}){step}{ending}"

    def to_dict(self) -> dict[str, Any]:
        with self._lock:
            return {
                "fase": self.phase,
                "stap": self.stage or None,
                "gelezen": self.done,
                "totaal": self.total,
                "fout": self.failed,
            }

    def start(
        self,
        kb: KnowledgeBase,
        *,
        read_cases: bool = True,
        on_report: Callable[[IngestReport], None] | None = None,
    ) -> None:
        """Load the gate and the pipeline and (with ``read_cases``) ingest the case folder in a
        background thread; ``on_report`` gets the ingest report when it is done."""
        content_dir = kb.settings.content_dir
        total = sum(1 for _ in case_files(content_dir)) if read_cases and content_dir.is_dir() else 0
        with self._lock:
            self.phase, self.stage, self.done, self.total = "opstarten", "poort", 0, total
        self._thread = threading.Thread(
            target=self._run, args=(kb, read_cases, on_report), name="leerlus-opstarten", daemon=True
        )
        self._thread.start()

    def _run(self, kb: KnowledgeBase, read_cases: bool, on_report: Callable[[IngestReport], None] | None) -> None:
        from ingest.gate import get_gate
        from ingest.pipeline import get_pipeline

        settings = kb.settings
        try:
            get_gate(settings.taxonomy_dir, settings.spacy_model).load()
            get_pipeline(settings.spacy_model, settings.taxonomy_dir)
            if read_cases:
                try:
                    self.report = ingest(kb, progress=self.progress)
                except IngestBusy as busy:  # another node is ingesting the shared case folder
                    self.report = IngestReport(
                        issues=[Issue(str(settings.content_dir), busy.detail, severity="waarschuwing")]
                    )
                if on_report is not None:
                    on_report(self.report)
        except Exception as exc:  # noqa: BLE001 - the server keeps answering; the state says why
            self.failed = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            with self._lock:
                self.phase = "klaar"

    def wait(self, timeout: float | None = None) -> None:
        """Block until the background start-up is done (tests, and a server that must be complete)."""
        if self._thread is not None:
            self._thread.join(timeout)
