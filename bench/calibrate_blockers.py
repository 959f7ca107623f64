"""Calibrate the confidence of recognised blockers on labelled texts and write ``kalibratie.yaml``.

For every labelled text the pipeline's blocker rules run; each (text, code) they fire on is one
firing, right when the label has the code. Firings are counted per code and per kind of evidence
(``enkel``, ``samengesteld``, ``over-zinnen``, ``meer``; see :mod:`ingest.confidence`). The
confidence of a cell is its share of right firings, smoothed towards the code's share, which is
smoothed towards the share over all codes (empirical Bayes with ``--sterkte`` pseudo-firings), so
a cell seen twice does not claim 0 or 1.

With more than one ``--set`` it first reports, per threshold, precision and recall on each set
with the calibration made from the *other* sets (leave one set out), which is how the threshold
is chosen honestly; then it writes the calibration from all sets. Usage:

    python bench/calibrate_blockers.py --set tests/data/extractie.yaml --set ... [--drempel 0.5] [--schrijf]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.confidence import KINDS, Calibration  # noqa: E402
from ingest.pipeline import get_pipeline  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "kb" / "data" / "kalibratie.yaml"
THRESHOLDS = (0.0, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)

Firing = tuple[str, str, bool]  # code, evidence kind, right?


def firings(path: Path) -> tuple[list[Firing], int]:
    """Every (code, kind, right) the rules produce on a labelled set, and the number of labels."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["teksten"]
    pipeline = get_pipeline()
    neutral = Calibration()
    out: list[Firing] = []
    labels = 0
    for item, analysis in zip(items, pipeline.analyze_many([i["tekst"] for i in items]), strict=True):
        gold = set(item.get("blokkades") or [])
        labels += len(gold)
        kinds: dict[str, list[str]] = defaultdict(list)
        for blocker in analysis.blockers:
            kinds[blocker.code].append(blocker.kind)
        for code, found in kinds.items():
            out.append((code, neutral.evidence_kind(found), code in gold))
    return out, labels


def calibrate(data: list[Firing], strength: float) -> dict[str, dict[str, float]]:
    """Smoothed share of right firings per code and evidence kind."""
    overall = (sum(r for _, _, r in data) + 1) / (len(data) + 2)
    by_code: dict[str, list[bool]] = defaultdict(list)
    by_cell: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for code, kind, right in data:
        by_code[code].append(right)
        by_cell[(code, kind)].append(right)
    table: dict[str, dict[str, float]] = {}
    for code, rights in sorted(by_code.items()):
        base = (sum(rights) + strength * overall) / (len(rights) + strength)
        cells = {"basis": round(base, 3)}
        for kind in KINDS:
            seen = by_cell.get((code, kind), [])
            cells[kind] = round((sum(seen) + strength * base) / (len(seen) + strength), 3)
        table[code] = cells
    return table


def scores(data: list[Firing], labels: int, calibration: Calibration, threshold: float) -> tuple[float, float]:
    shown = [(code, right) for code, kind, right in data if calibration.cell(code, kind) >= threshold]
    tp = sum(r for _, r in shown)
    precision = tp / len(shown) if shown else 1.0
    return precision, tp / labels if labels else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, action="append", required=True)
    parser.add_argument("--sterkte", type=float, default=4.0, help="pseudo-vondsten bij het gladstrijken")
    parser.add_argument("--drempel", type=float, default=None, help="drempel om te schrijven")
    parser.add_argument("--schrijf", action="store_true", help=f"schrijf {TARGET.relative_to(ROOT)}")
    args = parser.parse_args()
    per_set = {path: firings(path) for path in args.set}
    if len(per_set) > 1:
        print("precisie / recall per drempel, elke set gemeten met de kalibratie uit de andere sets")
        print(f"{'drempel':>8} " + " ".join(f"{p.stem[:22]:>24}" for p in per_set) + f" {'samen':>14}")
        for threshold in THRESHOLDS:
            cells, tp_all, shown_all, labels_all = [], 0.0, 0.0, 0
            for path, (data, labels) in per_set.items():
                rest = [f for other, (d, _) in per_set.items() if other != path for f in d]
                calibration = Calibration(table=calibrate(rest, args.sterkte))
                precision, recall = scores(data, labels, calibration, threshold)
                cells.append(f"{precision:10.2f} / {recall:4.2f}  ")
                shown = [1 for c, k, _ in data if calibration.cell(c, k) >= threshold]
                shown_all += len(shown)
                tp_all += precision * len(shown)
                labels_all += labels
            total_p = tp_all / shown_all if shown_all else 1.0
            print(f"{threshold:8.2f} " + " ".join(cells) + f" {total_p:6.2f} / {tp_all / labels_all:4.2f}")
    everything = [f for data, _ in per_set.values() for f in data]
    table = calibrate(everything, args.sterkte)
    if args.schrijf:
        threshold = args.drempel if args.drempel is not None else 0.5
        sets = ", ".join(str(p.relative_to(ROOT)) if p.is_absolute() else str(p) for p in per_set)
        header = (
            "# Betrouwbaarheid van herkende blokkades: per code en soort bewijs het aandeel terechte vondsten\n"
            f"# op gelabelde teksten ({sets}), gladgestreken. Gemaakt door bench/calibrate_blockers.py;\n"
            "# 'drempel' (en per code 'drempels') mag een beheerder aanpassen: alleen suggesties met\n"
            "# minstens die betrouwbaarheid worden getoond. 'strenger': een code waarvan mensen de suggesties\n"
            "# meestal afwijzen (precisie onder 'onder_precisie' na 'min_beoordelingen' besluiten) heeft\n"
            "# 'drempel' nodig in de lijst Te beoordelen.\n"
        )
        body = {
            "drempel": threshold,
            "standaard": 0.5,
            "drempels": {},
            "strenger": {"min_beoordelingen": 20, "onder_precisie": 0.5, "drempel": 0.8},
            "blokkades": table,
        }
        TARGET.write_text(header + yaml.safe_dump(body, allow_unicode=True, sort_keys=False), encoding="utf-8")
        print(f"geschreven: {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
