"""Train the blocker model beside the rules, measure it by cross-validation, and ship it.

The rules (:mod:`ingest.blockers`) say where a blocker is described; a text classifier
(spaCy ``textcat_multilabel``, bag of words and word pairs) trained on labelled case texts says
how likely each blocker is for the text as a whole. Every rule finding falls in one cell:

- ``sterke regel``: the rule's own calibrated confidence is at least ``sterke_regel``;
- ``regel+model``: otherwise, the model agrees (probability at least ``met_regel``);
- ``regel``: otherwise.

Five-fold cross-validation over all given sets measures each cell's precision; that precision is
the confidence Leerlus shows, and the usual threshold in ``kalibratie.yaml`` decides what is
shown. (A model-only cell, no rule but a sure model, measured 0.42 precision and is not used.)
The model is written to ``kb/data/blokkademodel`` and the cells to ``kalibratie.yaml``
(section ``model``) only with ``--schrijf``, and only worth it when the figure beats the rules
alone. Usage:

    python bench/train_blockers.py --set tests/data/extractie.yaml --set ... [--schrijf]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.blockmodel import MODEL_DIR, build_model, cell_of, train  # noqa: E402
from ingest.pipeline import get_pipeline  # noqa: E402
from kb.taxonomy import load_taxonomy  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CALIBRATION = ROOT / "kb" / "data" / "kalibratie.yaml"
FOLDS = 5
AGREE, STRONG = 0.02, 0.7


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, action="append", required=True)
    parser.add_argument("--schrijf", action="store_true")
    args = parser.parse_args()
    items: list[dict[str, Any]] = []
    for path in args.set:
        items += yaml.safe_load(path.read_text(encoding="utf-8"))["teksten"]
    codes = [t.code for t in load_taxonomy().blokkades]
    texts = [str(i["tekst"]) for i in items]
    gold = [set(i.get("blokkades") or []) for i in items]
    pipeline = get_pipeline()
    rules = [{b.code: b.confidence for b in a.blockers} for a in pipeline.analyze_many(texts)]
    order = list(range(len(items)))
    random.Random(7).shuffle(order)
    probs: list[dict[str, float]] = [{} for _ in items]
    for fold in range(FOLDS):
        held = set(order[fold::FOLDS])
        model = train(build_model(codes), [(texts[i], gold[i]) for i in order if i not in held])
        for i in held:
            probs[i] = model(texts[i].lower()).cats
    cells: dict[str, list[bool]] = {"sterke regel": [], "regel+model": [], "regel": []}
    for i in range(len(items)):
        for code, confidence in rules[i].items():
            cells[cell_of(confidence, probs[i].get(code, 0.0), AGREE, STRONG)].append(code in gold[i])
    labels = sum(len(g) for g in gold)
    print(f"{len(items)} teksten, {labels} blokkades; {FOLDS}-voudige kruisvalidatie")
    print(f"{'cel':<12} {'vondsten':>8} {'precisie':>9}")
    confidence = {}
    for cell, rights in cells.items():
        confidence[cell] = round((sum(rights) + 1) / (len(rights) + 2), 3)
        print(f"{cell:<12} {len(rights):8d} {confidence[cell]:9.3f}")
    threshold = float(yaml.safe_load(CALIBRATION.read_text(encoding="utf-8"))["drempel"])
    for name, chosen in (
        ("alle regelvondsten", tuple(cells)),
        ("getoond met model", tuple(c for c in cells if confidence[c] >= threshold)),
    ):
        found = sum(len(cells[c]) for c in chosen)
        right = sum(sum(cells[c]) for c in chosen)
        print(f"{name:<18} precisie {right / found:.3f}  recall {right / labels:.3f}")
    if args.schrijf:
        final = train(build_model(codes), list(zip(texts, gold, strict=True)))
        final.to_disk(MODEL_DIR)
        data = yaml.safe_load(CALIBRATION.read_text(encoding="utf-8"))
        lines = CALIBRATION.read_text(encoding="utf-8").splitlines(True)
        header = "".join(line for line in lines if line.startswith("#"))
        data["model"] = {"met_regel": AGREE, "sterke_regel": STRONG, "betrouwbaarheid": confidence}
        CALIBRATION.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        size = sum(p.stat().st_size for p in MODEL_DIR.rglob("*") if p.is_file()) / 1e6
        print(f"geschreven: {MODEL_DIR.relative_to(ROOT)} ({size:.1f} MB) en de sectie 'model' van kalibratie.yaml")


if __name__ == "__main__":
    main()
