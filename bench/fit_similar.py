"""Fit the weights of "vergelijkbare casussen" on graded judgments, with cross-validation.

For every seed of one or more rulers (folders with ``casussen/`` and ``oordelen.yaml``; see
``bench/eval_relevance.py``) the candidate cases and their features come from
:func:`kb.precedents.candidates`. Weights are fitted by coordinate ascent on mean nDCG@10 over
the training seeds, starting from the text alone. Leave-one-seed-out cross-validation reports
how fitted weights do on seeds they were not fitted on, next to the text alone and the current
weights in ``rangschikking.yaml``; a fit is only worth writing when it wins there. Usage:

    python bench/fit_similar.py --set tests/data/precedenten_a [--set ...] [--schrijf]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.eval_relevance import ruler, sample_kb, score  # noqa: E402
from kb.precedents import FEATURES, Candidate, candidates  # noqa: E402
from kb.precedents import score as combine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "kb" / "data" / "rangschikking.yaml"
GRID = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0)
Seed = tuple[list[Candidate], dict[str, int]]


def seeds_of(path: Path) -> list[Seed]:
    data, corpus = ruler(path)
    kb = sample_kb(Path(tempfile.mkdtemp(prefix="leerlus-fit-")), corpus)
    stored = {case_id for case_id, _ in kb.stored_files().values()}
    out = []
    for seed in data.get("zaden") or []:
        if seed["casus"] not in stored:
            print(f"zaad {seed['casus']} niet ingelezen; overgeslagen", file=sys.stderr)
            continue
        found = candidates(kb, seed["casus"], kb.case(seed["casus"]))
        out.append((found, {str(k): int(v) for k, v in seed["oordelen"].items()}))
    kb.close()
    return out


def mean_ndcg(seeds: list[Seed], weights: dict[str, float]) -> float:
    total = 0.0
    for found, judged in seeds:
        ranked = sorted(found, key=lambda c: (-combine(c, weights), c.id))
        total += score([c.id for c in ranked if combine(c, weights) > 0], judged).ndcg
    return total / len(seeds) if seeds else 0.0


def fit(seeds: list[Seed], passes: int = 3) -> dict[str, float]:
    """Coordinate ascent from the text alone; ties keep the smaller weight (the simpler model)."""
    weights = {name: 0.0 for name in FEATURES}
    weights["tekst"] = 1.0
    best = mean_ndcg(seeds, weights)
    for _ in range(passes):
        for name in FEATURES:
            if name == "tekst":
                continue
            for value in GRID:
                trial = {**weights, name: value}
                result = mean_ndcg(seeds, trial)
                if result > best + 1e-9:
                    best, weights = result, trial
    return {k: v for k, v in weights.items() if v}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, action="append", required=True)
    parser.add_argument("--schrijf", action="store_true", help=f"schrijf {TARGET.relative_to(ROOT)}")
    args = parser.parse_args()
    seeds = [s for path in args.set for s in seeds_of(path)]
    current = yaml.safe_load(TARGET.read_text(encoding="utf-8"))["vergelijkbaar"]
    held_out = {"alleen tekst": 0.0, "huidige gewichten": 0.0, "gefit (kruisvalidatie)": 0.0}
    for i, seed in enumerate(seeds):
        rest = seeds[:i] + seeds[i + 1 :]
        held_out["alleen tekst"] += mean_ndcg([seed], {"tekst": 1.0})
        held_out["huidige gewichten"] += mean_ndcg([seed], current)
        held_out["gefit (kruisvalidatie)"] += mean_ndcg([seed], fit(rest))
    print(f"{len(seeds)} zaden; nDCG@10 op het weggelaten zaad (leave-one-out):")
    for name, total in held_out.items():
        print(f"  {name:<24} {total / len(seeds):.3f}")
    final = fit(seeds)
    # A feature the judgments never show (a ruler without links between its cases) cannot be
    # fitted: it keeps the weight it had, or 1.0 for an explicit link between the cases.
    unseen = [n for n in FEATURES if not any(c.features.get(n) for found, _ in seeds for c in found)]
    for name in unseen:
        final[name] = float(current.get(name, 1.0 if name == "link" else 0.0))
    if unseen:
        print("niet te fitten (komt in de oordelen niet voor):", ", ".join(unseen))
    print("gewichten op alle zaden:", final, f"(nDCG@10 op de eigen zaden {mean_ndcg(seeds, final):.3f})")
    if args.schrijf:
        header = (
            "# Gewichten voor 'vergelijkbare casussen' (kb.precedents): per kenmerk (0..1) hoe zwaar het telt.\n"
            f"# Gefit door bench/fit_similar.py op {', '.join(str(p) for p in args.set)}, met kruisvalidatie.\n"
        )
        TARGET.write_text(header + yaml.safe_dump({"vergelijkbaar": final}, sort_keys=False), encoding="utf-8")
        print(f"geschreven: {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
