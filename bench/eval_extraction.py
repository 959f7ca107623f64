"""Quality of entity and blocker extraction on the labelled development set.

Compares, per text, the set of (label, canonical) entities and the set of blocker codes that the
pipeline finds with those in ``tests/data/extractie.yaml``, and prints precision, recall and F1 per
entity label and per blocker code, plus micro averages. Sets that label only laws (``wetten``) are
scored on laws alone. Blockers are scored twice: everything the rules find, and what Leerlus shows
as a suggestion (confidence at or above the threshold in ``kalibratie.yaml``). Usage:

    python bench/eval_extraction.py [--set tests/data/extractie.yaml] [--fouten]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.pipeline import Pipeline, get_pipeline  # noqa: E402

DEFAULT_SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "extractie.yaml"


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    entities: dict[str, Score]
    blockers: dict[str, Score]
    errors: list[str]
    shown: dict[str, Score]

    def micro(self, table: dict[str, Score]) -> Score:
        total = Score()
        for s in table.values():
            total.tp, total.fp, total.fn = total.tp + s.tp, total.fp + s.fp, total.fn + s.fn
        return total


def evaluate(pipeline: Pipeline, path: Path = DEFAULT_SET) -> Report:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["teksten"]
    analyses = pipeline.analyze_many([item["tekst"] for item in items])
    entities: dict[str, Score] = {}
    blockers: dict[str, Score] = {}
    shown: dict[str, Score] = {}
    errors: list[str] = []
    calibration = pipeline.calibration()
    for item, analysis in zip(items, analyses, strict=True):
        found_e = {(e.label, e.canonical) for e in analysis.entities if e.canonical}
        if "entiteiten" in item:
            gold_e = {(e["label"], e["canoniek"]) for e in item.get("entiteiten") or []}
        else:  # a set that labels laws only
            gold_e = {("WET", law) for law in item.get("wetten") or []}
            found_e = {pair for pair in found_e if pair[0] == "WET"}
        _tally(entities, gold_e, found_e, key=lambda pair: pair[0])
        gold_b = set(item.get("blokkades") or [])
        found_b = set(analysis.codes())
        _tally(blockers, gold_b, found_b, key=lambda code: code)
        visible = {b.code for b in analysis.blockers if calibration.shown(b.code, b.confidence)}
        _tally(shown, gold_b, visible, key=lambda code: code)
        for kind, gold, found in (("entiteit", gold_e, found_e), ("blokkade", gold_b, found_b)):
            for missing in sorted(gold - found, key=str):
                errors.append(f"{item['id']}: {kind} gemist: {missing}")
            for extra in sorted(found - gold, key=str):
                errors.append(f"{item['id']}: {kind} onterecht: {extra}")
    return Report(entities=entities, blockers=blockers, errors=errors, shown=shown)


def _tally(table: dict[str, Score], gold: set, found: set, key) -> None:  # type: ignore[no-untyped-def, type-arg]
    for item in gold | found:
        score = table.setdefault(key(item), Score())
        if item in gold and item in found:
            score.tp += 1
        elif item in found:
            score.fp += 1
        else:
            score.fn += 1


def _print(title: str, table: dict[str, Score], micro: Score) -> None:
    print(f"\n{title:<32} {'precisie':>9} {'recall':>7} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}")
    for name, s in [*sorted(table.items()), ("micro-gemiddelde", micro)]:
        print(f"{name:<32} {s.precision:9.2f} {s.recall:7.2f} {s.f1:6.2f} {s.tp:4d} {s.fp:4d} {s.fn:4d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET)
    parser.add_argument("--fouten", action="store_true", help="toon elke gemiste of onterechte vondst")
    args = parser.parse_args()
    pipeline = get_pipeline()
    report = evaluate(pipeline, args.set)
    print(f"pijplijn: {pipeline.name}; set: {args.set}")
    _print("entiteiten per label", report.entities, report.micro(report.entities))
    _print("blokkades per code (alles herkend)", report.blockers, report.micro(report.blockers))
    _print("blokkades getoond (boven drempel)", report.shown, report.micro(report.shown))
    if args.fouten:
        print()
        for line in report.errors:
            print(line)
        print(Counter(line.split(": ")[1].split(" ")[1] for line in report.errors))


if __name__ == "__main__":
    main()
