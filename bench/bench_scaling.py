"""Benchmark: is every text stage linear in the text? Times the analysis (entities and blockers),
the anonymisation gate and Markdown rendering on 10k, 100k and 1M characters of realistic case
text, and prints the time per 10k characters at each size next to the smallest size's (a linear
stage keeps that ratio near 1). Usage:

    python bench/bench_scaling.py [--sizes 10000 100000 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import write_corpus  # noqa: E402
from ingest.gate import get_gate  # noqa: E402
from ingest.pipeline import get_pipeline  # noqa: E402
from ingest.render import render  # noqa: E402


def sample_text(size: int, root: Path) -> str:
    """``size`` characters of synthetic case bodies (headings, paragraphs, blockers, no names)."""
    write_corpus(root, 60)
    bodies = [p.read_text(encoding="utf-8").split("---", 2)[2] for p in sorted(root.glob("*.md"))]
    text = "\n\n".join(bodies)
    return (text * (size // len(text) + 1))[:size]


def timed(run, text: str, repeat: int) -> float:  # type: ignore[no-untyped-def]
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        run(text)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="leerlus-schaal-"))
    pipeline, gate = get_pipeline(), get_gate()
    gate.load()
    pipeline.analyze("opwarmen")
    gate.check("Opwarmen van de poort met een korte tekst.")
    stages = {"analyse": pipeline.analyze, "poort": gate.check, "rendering": render}
    print(f"{'stap':<10} {'tekens':>9} {'seconden':>9} {'s per 10k':>10} {'t.o.v. kleinste':>16}")
    for name, run in stages.items():
        first = None
        for size in args.sizes:
            seconds = timed(run, sample_text(size, root / f"{name}-{size}"), args.repeat)
            per = seconds / (size / 10_000)
            first = first or per
            print(f"{name:<10} {size:>9} {seconds:>9.2f} {per:>10.3f} {per / first:>15.1f}x")


if __name__ == "__main__":
    main()
