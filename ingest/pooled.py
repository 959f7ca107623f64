"""The gate and the analysis of one web request, run in the worker pool (:mod:`ingest.workers`).

:class:`PooledGate` and :class:`PooledPipeline` answer exactly like :class:`~ingest.gate.Gate` and
:class:`~ingest.pipeline.Pipeline` (the same functions run in the worker), but every call is held
to the request's :class:`~ingest.workers.Budget`: the routes, :func:`ingest.submit.submit` and the
ingest of a new case do not change, and no text work of a request runs in the server's threads. A
text the request already checked (a new case is checked as fields and then as the file that is
written) is not checked twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.gate import GateResult, get_gate
from ingest.pipeline import Analysis, Pipeline, get_pipeline
from ingest.workers import Budget, WorkPool, get_pool
from kb.settings import Settings

GateKey = tuple[Path | None, str | None]  # (taxonomy directory, spaCy model), as get_gate takes them
PipelineKey = tuple[str | None, Path | None]  # (spaCy model, taxonomy directory), as get_pipeline takes them


def _check(key: GateKey, text: str, marked: tuple[str, ...]) -> GateResult:
    """In a worker: the gate's verdict on ``text``."""
    return get_gate(*key).check(text, marked=marked)


def _analyze(key: PipelineKey, texts: list[str], batch_size: int) -> list[Analysis]:
    """In a worker: the analysis of ``texts``."""
    return get_pipeline(*key).analyze_many(texts, batch_size=batch_size)


def _load_gate(key: GateKey) -> None:
    get_gate(*key).load()


def _load_pipeline(key: PipelineKey) -> None:
    get_pipeline(*key)


class PooledGate:
    """The anonymisation gate for one request: :meth:`check` runs in the worker pool."""

    def __init__(self, settings: Settings, budget: Budget, pool: WorkPool | None = None) -> None:
        self.key: GateKey = (settings.taxonomy_dir, settings.spacy_model)
        self.budget = budget
        self.pool = pool or get_pool(settings.workers)
        self._checked: dict[tuple[str, tuple[str, ...]], GateResult] = {}

    @property
    def loaded(self) -> bool:
        return get_gate(*self.key).loaded

    def check(self, text: str, marked: Iterable[str] = ()) -> GateResult:
        """The same answer as :meth:`ingest.gate.Gate.check`, within the request's budget."""
        marks = tuple(marked)
        known = self._checked.get((text, marks))
        if known is None:
            self.pool.prepare(lambda: _load_gate(self.key), ("poort", self.key))
            known = self.pool.run(_check, self.key, text, marks, budget=self.budget)
            self._checked[(text, marks)] = known
        return known


@dataclass
class PooledPipeline(Pipeline):
    """The language pipeline for one request: names and calibration from this process, the
    analysis itself in the worker pool."""

    key: PipelineKey = (None, None)
    budget: Budget = field(default_factory=lambda: Budget(0.0))
    pool: WorkPool | None = None

    @classmethod
    def of(cls, settings: Settings, budget: Budget, pool: WorkPool | None = None) -> PooledPipeline:
        local = get_pipeline(settings.spacy_model, settings.taxonomy_dir)
        return cls(
            nlp=local.nlp,
            name=local.name,
            fallback_reason=local.fallback_reason,
            data_files=local.data_files,
            key=(settings.spacy_model, settings.taxonomy_dir),
            budget=budget,
            pool=pool or get_pool(settings.workers),
        )

    def analyze_many(self, texts: Iterable[str], *, batch_size: int = 32, n_process: int = 1) -> list[Analysis]:
        """The same answer as :meth:`ingest.pipeline.Pipeline.analyze_many` (in one worker, so
        ``n_process`` is not used), within the request's budget."""
        pool = self.pool or get_pool(1)
        pool.prepare(lambda: _load_pipeline(self.key), ("pijplijn", self.key))
        result: list[Analysis] = pool.run(_analyze, self.key, list(texts), batch_size, budget=self.budget)
        return result
