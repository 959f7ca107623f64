"""Quality of the anonymisation gate on the labelled development set.

For every planted piece of personal data in ``tests/data/privacy.yaml`` the gate must report a
blocking finding that overlaps it (recall per kind; also how often the kind itself is right); texts
without personal data ("bait": regions, ages, months, roles, organisations) must pass (false-alarm
rate). Usage:

    python bench/eval_privacy.py [--set tests/data/privacy.yaml] [--fouten]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.gate import BLOCKING, Gate, get_gate  # noqa: E402

DEFAULT_SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "privacy.yaml"


@dataclass
class Report:
    planted: dict[str, int] = field(default_factory=dict)
    caught: dict[str, int] = field(default_factory=dict)
    kind_right: dict[str, int] = field(default_factory=dict)
    bait: int = 0
    false_alarms: int = 0
    errors: list[str] = field(default_factory=list)
    words: int = 0
    seconds: float = 0.0

    def recall(self, kind: str | None = None) -> float:
        kinds = [kind] if kind else list(self.planted)
        planted = sum(self.planted.get(k, 0) for k in kinds)
        return sum(self.caught.get(k, 0) for k in kinds) / planted if planted else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.bait if self.bait else 0.0


def evaluate(gate: Gate, path: Path = DEFAULT_SET) -> Report:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["teksten"]
    report = Report()
    gate.load()
    for item in items:
        text = item["tekst"]
        start = time.perf_counter()
        result = gate.check(text)
        report.seconds += time.perf_counter() - start
        report.words += len(text.split())
        blocking = result.blocking
        expected = item.get("verwacht") or []
        if not expected:
            report.bait += 1
            if blocking:
                report.false_alarms += 1
                report.errors.append(f"{item['id']}: vals alarm: {[(f.kind, f.text) for f in blocking]}")
            continue
        for exp in expected:
            kind, needle = exp["soort"], exp["tekst"]
            begin = text.find(needle)
            end = begin + len(needle)
            report.planted[kind] = report.planted.get(kind, 0) + 1
            hits = [f for f in blocking if f.start < end and f.end > begin]
            if hits:
                report.caught[kind] = report.caught.get(kind, 0) + 1
                if any(f.kind == kind for f in hits):
                    report.kind_right[kind] = report.kind_right.get(kind, 0) + 1
            else:
                report.errors.append(f"{item['id']}: gemist: {kind} {needle!r}")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET)
    parser.add_argument("--fouten", action="store_true", help="toon elke gemiste vondst en elk vals alarm")
    args = parser.parse_args()
    report = evaluate(get_gate(), args.set)
    print(f"set: {args.set}")
    print(f"{'soort':<16} {'gepland':>8} {'gevonden':>9} {'recall':>7} {'soort juist':>12}")
    for kind in BLOCKING:
        n = report.planted.get(kind, 0)
        print(
            f"{kind:<16} {n:8d} {report.caught.get(kind, 0):9d} {report.recall(kind):7.2f} "
            f"{report.kind_right.get(kind, 0):12d}"
        )
    print(f"{'totaal':<16} {sum(report.planted.values()):8d} {sum(report.caught.values()):9d} {report.recall():7.2f}")
    print(f"lokaas: {report.bait} teksten, {report.false_alarms} vals alarm ({report.false_alarm_rate:.0%})")
    print(f"snelheid: {report.words / report.seconds:,.0f} woorden/s")
    if args.fouten:
        print("\n".join(report.errors))


if __name__ == "__main__":
    main()
