"""Quality of the equal-treatment check ("vergelijkbaar, andere uitkomst") on hand-judged pairs.

A set is a folder with ``casussen/`` (case files) and ``oordelen.yaml``: per decision (``casus``)
the earlier cases that are comparable and went the other way (``andere_uitkomst``), comparable
ones decided alike (``gelijke_uitkomst``) and look-alikes that are not comparable
(``niet_vergelijkbaar``). The folder is ingested into a temporary knowledge base and the check runs
for every judged decision. Printed:

- precision: flagged pairs that the judges call comparable with another outcome;
- recall: judged "andere uitkomst" pairs that were flagged;
- of the wrong flags, how many the judges called decided alike (the direction was misread) or not
  comparable (the similarity was wrong), and how many they did not judge at all;
- how often the direction (toegekend/afgewezen, payers) could be read at all.

Usage:

    python bench/eval_equality.py tests/data/gelijkheid_a [--fouten]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.eval_relevance import sample_kb  # noqa: E402
from kb.equality import check, reader_for  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set", type=Path)
    parser.add_argument("--fouten", action="store_true", help="toon elke onterechte en gemiste markering")
    args = parser.parse_args()
    judged = yaml.safe_load((args.set / "oordelen.yaml").read_text(encoding="utf-8"))["besluiten"]
    with tempfile.TemporaryDirectory() as data:
        kb = sample_kb(Path(data), args.set / "casussen")
        reader = reader_for(kb.taxonomy)
        flagged = hits = expected = alike = not_comparable = unjudged = read = decisions = 0
        notes: list[str] = []
        for item in judged:
            other_way = set(item.get("andere_uitkomst") or [])
            same_way = set(item.get("gelijke_uitkomst") or [])
            unlike = set(item.get("niet_vergelijkbaar") or [])
            result = check(kb, item["casus"], limit=reader.shown)
            found = [d.id for d in result.afwijkend] if result else []
            decisions += 1
            read += bool(result and (result.richting.uitkomst or result.richting.betalers))
            expected += len(other_way)
            flagged += len(found)
            hits += len(set(found) & other_way)
            alike += len(set(found) & same_way)
            not_comparable += len(set(found) & unlike)
            unjudged += len(set(found) - other_way - same_way - unlike)
            if args.fouten:
                notes += [f"{item['casus']}: onterecht {f}" for f in found if f not in other_way]
                notes += [f"{item['casus']}: gemist {m}" for m in sorted(other_way - set(found))]
        kb.close()
    precision = hits / flagged if flagged else 0.0
    recall = hits / expected if expected else 0.0
    print(f"set: {args.set}  besluiten: {decisions}  richting gelezen: {read}/{decisions}")
    print(f"markeringen: {flagged}  juist: {hits}  precisie: {precision:.2f}")
    print(f"beoordeelde paren 'andere uitkomst': {expected}  gevonden: {hits}  recall: {recall:.2f}")
    print(f"onterecht: gelijk beslist {alike}, niet vergelijkbaar {not_comparable}, niet beoordeeld {unjudged}")
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
