"""Bounded concurrency (#17): searches keep answering while an ingest rewrites cases and signals are
written, and nothing written is lost."""

from __future__ import annotations

import threading
from pathlib import Path

from ingest.runner import ingest
from kb.knowledge import KnowledgeBase
from kb.search import make_request

QUERIES = ["thuiszitter", "wlz", "wachtlijst", "jeugdhulp school", "zorgkantoor", "x" * 60]


def test_searches_during_ingest_and_writes_never_fail(ingested: KnowledgeBase) -> None:
    errors: list[str] = []
    answered = [0]
    stop = threading.Event()

    def search(offset: int) -> None:
        n = offset
        while not stop.is_set():
            try:
                ingested.search(make_request(query=QUERIES[n % len(QUERIES)]))
                answered[0] += 1
            except Exception as error:  # any failure is a finding
                errors.append(repr(error)[:300])
            n += 1

    threads = [threading.Thread(target=search, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    try:
        files = sorted(Path(ingested.settings.content_dir).glob("**/*.md"))
        for round_ in range(3):
            for path in files:
                path.write_text(path.read_text(encoding="utf-8") + f"\nRonde {round_}.\n", encoding="utf-8")
            report = ingest(ingested)
            assert report.ok and len(report.updated) == len(files)
            ingested.create_signal(
                titel=f"Signaal {round_}", adressaat="zorgkantoor", blokkades=["aanbod.wachtlijst"],
                casussen=[], wie="Teamleider",
            )  # fmt: skip
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    assert answered[0] > 0
    assert sorted(s.titel for s in ingested.signals()) == ["Signaal 0", "Signaal 1", "Signaal 2"]
