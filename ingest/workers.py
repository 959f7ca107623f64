"""Heavy text work off the server (the stage under the gate and the analysis of a request): a
bounded pool of worker processes with a hard time limit per request.

The anonymisation gate and the language analysis are pure CPU work on one text. A web request
hands that work to this pool (through :mod:`ingest.pooled`) instead of doing it in the server's
own threads:

- at most ``LEERLUS_WORKERS`` texts are worked on at once, each in a process of its own, so no
  request holds the server's threads, its event loop or the gate's lock;
- a request has a budget of ``LEERLUS_WORK_TIMEOUT`` seconds for all its text work, waiting for a
  free worker included. When the budget runs out the worker is killed (a thread cannot be stopped,
  a process can), a fresh one takes its place, and the request gets a Dutch ``503`` (nothing is
  stored: storing starts only after the work is done);
- each worker may grow by at most :data:`WORKER_EXTRA_BYTES` of memory (``RLIMIT_AS``); past that
  its work fails with a Dutch ``422`` and the worker is replaced.

Workers are forked from the server after it loaded deduce and spaCy (:meth:`WorkPool.prepare`), so
a new one starts in milliseconds and shares that memory. They are forked from one long-lived thread
because Linux's parent-death signal (set for every child, see :mod:`kb.index.locks`) follows the
thread that forked, not the process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from kb.errors import LeerlusError

WORKER_EXTRA_BYTES = 2 * 1024**3  # a worker's address space may grow this much beyond the server's
SPAWN_SECONDS = 30.0
_CONTEXT = multiprocessing.get_context("fork")


class WorkTimeout(LeerlusError):
    """The text work of one request ran past its budget and was stopped."""

    status = 503
    code = "rekentijd-op"

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"het verwerken van deze tekst duurde langer dan {seconds:g} seconden en is afgebroken; er is niets "
            "opgeslagen. Maak de tekst korter of probeer het later opnieuw"
        )


class PoolBusy(LeerlusError):
    """No worker came free within the budget of the request."""

    status = 503
    code = "bezig"

    def __init__(self) -> None:
        super().__init__(
            "Leerlus is bezig met andere teksten en kon deze niet op tijd oppakken; er is niets opgeslagen. "
            "Probeer het zo opnieuw"
        )


class TooHeavy(LeerlusError):
    """The work needed more memory than a worker may use."""

    status = 422
    code = "te-zwaar"

    def __init__(self) -> None:
        super().__init__(
            "deze tekst vraagt meer geheugen dan Leerlus voor één tekst gebruikt en is niet verwerkt; er is niets "
            "opgeslagen. Maak de tekst korter"
        )


class WorkFailed(RuntimeError):
    """The work raised an unexpected error in the worker (a bug); only its type crosses over, never
    its message, which may quote the text."""


@dataclass
class Budget:
    """The seconds of text work one request may use; the clock starts at the first use."""

    seconds: float
    _deadline: float | None = field(default=None, repr=False)

    def remaining(self) -> float:
        if self._deadline is None:
            self._deadline = time.monotonic() + self.seconds
        return self._deadline - time.monotonic()


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, generation: int) -> None:
        parent, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(target=_serve, args=(child, parent), name="leerlus-werker", daemon=True)
        self.process.start()
        child.close()
        self.conn = parent
        self.generation = generation

    def alive(self) -> bool:
        return self.process.is_alive()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class _Keeper:
    """Forks workers from one thread that lives as long as the process."""

    def __init__(self) -> None:
        self._asks: queue.Queue[tuple[Future[_Worker], int]] = queue.Queue()
        threading.Thread(target=self._loop, name="leerlus-werkers", daemon=True).start()

    def spawn(self, generation: int) -> _Worker:
        future: Future[_Worker] = Future()
        self._asks.put((future, generation))
        return future.result(timeout=SPAWN_SECONDS)

    def _loop(self) -> None:
        while True:
            future, generation = self._asks.get()
            try:
                future.set_result(_Worker(generation))
            except BaseException as exc:  # handed to the thread that asked
                future.set_exception(exc)


class WorkPool:
    """At most ``size`` worker processes; :meth:`run` calls a function in one of them."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._slots: queue.Queue[_Worker | None] = queue.Queue()
        for _ in range(size):
            self._slots.put(None)  # a free slot without a process yet: forked on first use
        self._keeper = _Keeper()
        self._lock = threading.Lock()
        self._generation = 0
        self._prepared: set[Hashable] = set()

    def prepare(self, load: Callable[[], object], key: Hashable) -> None:
        """Run ``load`` once in this process (deduce, spaCy) so workers forked afterwards inherit
        what it loaded; workers forked before are replaced as they come free."""
        if key in self._prepared:
            return
        with self._lock:
            if key not in self._prepared:
                load()
                self._prepared.add(key)
                self._generation += 1

    def run(self, function: Callable[..., Any], *args: Any, budget: Budget) -> Any:
        """``function(*args)`` in a worker, within what is left of ``budget``. ``function`` must be
        importable by name (a module-level function); arguments and result cross a pipe."""
        try:
            worker = self._slots.get(timeout=max(0.0, budget.remaining()))
        except queue.Empty:
            raise PoolBusy() from None
        try:
            if worker is None or worker.generation != self._generation or not worker.alive():
                if worker is not None:
                    worker.stop()
                worker = None
                worker = self._keeper.spawn(self._generation)
            worker.conn.send((function, args))
            if not worker.conn.poll(max(0.0, budget.remaining())):
                worker.stop()
                worker = None
                raise WorkTimeout(budget.seconds)
            outcome, value = worker.conn.recv()
        except (EOFError, OSError):
            if worker is not None:
                worker.stop()
            worker = None
            outcome, value = "gestorven", None
        finally:
            self._slots.put(worker)
        if outcome == "ok":
            return value
        if outcome in ("geheugen", "gestorven"):  # out of memory, or killed by the system for it
            raise TooHeavy()
        raise WorkFailed(f"{getattr(function, '__name__', 'werk')}: {value}")

    def reset(self) -> None:
        """Stop every idle worker and let the next use fork fresh ones (tests change code under
        the workers with monkeypatch)."""
        with self._lock:
            self._generation += 1
        idle = []
        while True:
            try:
                idle.append(self._slots.get_nowait())
            except queue.Empty:
                break
        for worker in idle:
            if worker is not None:
                worker.stop()
            self._slots.put(None)


def _serve(conn: Any, parent_end: Any) -> None:
    """The loop of a worker process: receive a call, answer its result, until the pipe closes."""
    parent_end.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops its workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _bound_memory()
    while True:
        try:
            function, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, Any] = ("ok", function(*args))
        except MemoryError:
            reply = ("geheugen", None)
        except Exception as exc:
            reply = ("fout", type(exc).__name__)
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


def _bound_memory() -> None:
    """Let this worker's address space grow at most :data:`WORKER_EXTRA_BYTES` beyond what it
    inherited (Linux; elsewhere unbounded)."""
    with contextlib.suppress(Exception):
        import resource

        with open("/proc/self/status", encoding="ascii") as status:
            size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = size + WORKER_EXTRA_BYTES
        if hard == resource.RLIM_INFINITY or limit < hard:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


_pool: WorkPool | None = None
_pool_lock = threading.Lock()


def get_pool(size: int) -> WorkPool:
    """The worker pool of this process (its size is set by the first caller)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = WorkPool(size)
        return _pool


def _after_fork_in_child() -> None:
    """A forked process starts without the parent's pool (its workers belong to the parent)."""
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)
