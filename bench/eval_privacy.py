"""Quality of the anonymisation gate on labelled sets, measured on both sides.

A set is YAML with ``teksten``; each text has ``tekst``, ``verwacht`` (planted personal data:
``soort`` and ``tekst``; empty for a clean text) and optionally ``lokaas`` (strings in the text that
are no personal data). Printed:

- recall of planted data per kind: a planted item counts as found when a *blocking* finding overlaps
  it (and how often the kind is right);
- bait flagged: lokaas strings overlapped by a blocking finding, as a count and a share;
- clean texts (``verwacht`` empty) refused, as a share;
- clean texts that pass with a (non-blocking) warning, as a share;
- the gate's speed in words per second.

Older sets without ``lokaas`` still work: their clean texts are the bait. Usage:

    python bench/eval_privacy.py [--set tests/data/privacy.yaml ...] [--fouten]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.gate import BLOCKING, Gate, GateResult, get_gate  # noqa: E402

DEFAULT_SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "privacy.yaml"


@dataclass
class Report:
    planted: dict[str, int] = field(default_factory=dict)
    caught: dict[str, int] = field(default_factory=dict)
    kind_right: dict[str, int] = field(default_factory=dict)
    clean: int = 0
    clean_refused: int = 0
    clean_warned: int = 0
    lures: int = 0
    lures_flagged: int = 0
    errors: list[str] = field(default_factory=list)
    words: int = 0
    seconds: float = 0.0

    def recall(self, kind: str | None = None) -> float:
        kinds = [kind] if kind else list(self.planted)
        planted = sum(self.planted.get(k, 0) for k in kinds)
        return sum(self.caught.get(k, 0) for k in kinds) / planted if planted else 1.0

    @property
    def false_alarm_rate(self) -> float:
        """Share of clean texts refused."""
        return self.clean_refused / self.clean if self.clean else 0.0

    @property
    def warning_rate(self) -> float:
        """Share of clean texts that pass with a warning."""
        return self.clean_warned / self.clean if self.clean else 0.0

    @property
    def lure_rate(self) -> float:
        """Share of lokaas strings overlapped by a blocking finding."""
        return self.lures_flagged / self.lures if self.lures else 0.0

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0


def evaluate(gate: Gate, path: Path = DEFAULT_SET) -> Report:
    """Run the gate over every text of the set at ``path`` and count both sides."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["teksten"]
    report = Report()
    gate.load()
    gate.check(items[0]["tekst"])  # warm-up: word lists load on first use, not part of the speed
    for item in items:
        text = item["tekst"]
        start = time.perf_counter()
        result = gate.check(text)
        report.seconds += time.perf_counter() - start
        report.words += len(text.split())
        planted = _planted(item, text, result, report)
        _lures(item, text, result, planted, report)
        if not item.get("verwacht"):
            _clean(item, result, report)
    return report


def _planted(item: dict[str, Any], text: str, result: GateResult, report: Report) -> list[tuple[int, int]]:
    spans = []
    for expected in item.get("verwacht") or []:
        kind, needle = expected["soort"], str(expected["tekst"])
        begin = text.find(needle)
        end = begin + len(needle)
        spans.append((begin, end))
        report.planted[kind] = report.planted.get(kind, 0) + 1
        hits = [f for f in result.blocking if f.start < end and f.end > begin]
        if hits:
            report.caught[kind] = report.caught.get(kind, 0) + 1
            if any(f.kind == kind for f in hits):
                report.kind_right[kind] = report.kind_right.get(kind, 0) + 1
        else:
            report.errors.append(f"{item['id']}: gemist: {kind} {needle!r}")
    return spans


def _lures(item: dict[str, Any], text: str, result: GateResult, planted: list[tuple[int, int]], report: Report) -> None:
    """A lokaas string is flagged when a blocking finding overlaps one of its occurrences that is
    not itself part of planted personal data."""
    for lure in item.get("lokaas") or []:
        needle = str(lure["tekst"] if isinstance(lure, dict) else lure)
        spans = _occurrences(text, needle)
        spans = [(b, e) for b, e in spans if not any(b < pe and e > pb for pb, pe in planted)]
        if not spans:
            continue
        report.lures += 1
        hits = [f for f in result.blocking for b, e in spans if f.start < e and f.end > b]
        if hits:
            report.lures_flagged += 1
            report.errors.append(f"{item['id']}: lokaas geraakt: {needle!r} door {[(f.kind, f.text) for f in hits]}")


def _clean(item: dict[str, Any], result: GateResult, report: Report) -> None:
    report.clean += 1
    if result.blocking:
        report.clean_refused += 1
        report.errors.append(f"{item['id']}: schone tekst geweigerd: {[(f.kind, f.text) for f in result.blocking]}")
    elif result.findings:
        report.clean_warned += 1
        report.errors.append(
            f"{item['id']}: schone tekst met waarschuwing: {[(f.kind, f.text) for f in result.findings]}"
        )


def _occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    spans, position = [], text.find(needle)
    while needle and position >= 0:
        spans.append((position, position + len(needle)))
        position = text.find(needle, position + 1)
    return spans


def print_report(path: Path, report: Report, *, errors: bool = False) -> None:
    print(f"set: {path}")
    print(f"{'soort':<16} {'gepland':>8} {'gevonden':>9} {'recall':>7} {'soort juist':>12}")
    kinds = [k for k in BLOCKING if k in report.planted] + sorted(set(report.planted) - set(BLOCKING))
    for kind in kinds:
        n = report.planted.get(kind, 0)
        print(
            f"{kind:<16} {n:8d} {report.caught.get(kind, 0):9d} {report.recall(kind):7.2f} "
            f"{report.kind_right.get(kind, 0):12d}"
        )
    print(f"{'totaal':<16} {sum(report.planted.values()):8d} {sum(report.caught.values()):9d} {report.recall():7.2f}")
    if report.lures:
        print(f"lokaas geraakt: {report.lures_flagged} van {report.lures} ({report.lure_rate:.1%})")
    print(
        f"schone teksten: {report.clean}; geweigerd {report.clean_refused} ({report.false_alarm_rate:.1%}); "
        f"alleen waarschuwing {report.clean_warned} ({report.warning_rate:.1%})"
    )
    print(f"snelheid: {report.words_per_second:,.0f} woorden/s ({report.words} woorden)")
    if errors:
        print("\n".join(report.errors))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--set", type=Path, action="append", help="een set (herhaalbaar); standaard de ontwikkelset")
    parser.add_argument("--fouten", action="store_true", help="toon missers, geraakt lokaas en geweigerde teksten")
    args = parser.parse_args()
    gate = get_gate()
    for path in args.set or [DEFAULT_SET]:
        print_report(path, evaluate(gate, path), errors=args.fouten)
        print()


if __name__ == "__main__":
    main()
