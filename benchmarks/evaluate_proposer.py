"""Benchmark (a script, not a test): the mapping proposer scored against the five shipped mappings.

For each pair, on the sample export and on perturbed copies (renamed, abbreviated, prefixed, glued,
mixed headers), cold start (no memory; weights fitted leaving the pair's export out) and with memory
filled from the pair's own gold. Prints column-decision accuracy, matched-field precision/recall/F1,
top-3 recall, auto-band precision and coverage, foreign-key precision/recall and value-map accuracy.

Usage: `python benchmarks/evaluate_proposer.py [--styles original mixed] [--wrong] [--write-baseline]`;
`--fit` prints the weights fitted on all five pairs (the matcher's DEFAULT_WEIGHTS).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from migration_pipeline.proposer.evaluate import ORIGINAL, PAIRS, evaluate, fit_weights, load_case, overall
from migration_pipeline.proposer.perturb import STYLES

BASELINE = Path(__file__).resolve().parent / "proposer_baseline.json"
COLUMNS = ("accuracy", "matched_precision", "matched_recall", "matched_f1", "top3_recall", "auto_precision",
           "auto_coverage", "fk_precision", "fk_recall", "value_map_accuracy")
HEADERS = ("acc", "m.prec", "m.rec", "m.F1", "top3", "auto.P", "auto.cov", "fk.P", "fk.R", "values")


def _row(label: str, figures: dict) -> str:
    cells = [f"{figures[c]:6.3f}" for c in COLUMNS]
    return f"{label:42s} " + " ".join(f"{cell:>8s}" for cell in cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--styles", nargs="+", default=[ORIGINAL, *STYLES])
    parser.add_argument("--wrong", action="store_true", help="list every wrong cold decision")
    parser.add_argument("--write-baseline", action="store_true", help=f"write the cold figures to {BASELINE.name}")
    parser.add_argument("--fit", action="store_true", help="print the weights fitted on all five pairs")
    args = parser.parse_args()
    if args.fit:
        print(fit_weights([load_case(pair) for pair in PAIRS]))
        return
    header = f"{'':42s} " + " ".join(f"{h:>8s}" for h in HEADERS)
    cold = evaluate(styles=args.styles)
    print("cold start (no memory, leave-one-export-out weights)")
    print(header)
    for (pair, style), tally in cold.items():
        print(_row(f"{pair} [{style}]", tally.figures()))
    for style in args.styles:
        print(_row(f"ALL [{style}]", overall(t for (_, s), t in cold.items() if s == style).figures()))
    everything = overall(cold.values())
    print(_row("ALL [every style]", everything.figures()))
    remembered = evaluate(styles=args.styles, memory=True)
    print("\nmemory on (filled from each pair's gold)")
    print(header)
    for style in args.styles:
        print(_row(f"ALL [{style}]", overall(t for (_, s), t in remembered.items() if s == style).figures()))
    if args.wrong:
        print("\nwrong cold decisions")
        print("\n".join(everything.wrong))
    if args.write_baseline:
        original = {pair: cold[(pair, ORIGINAL)].figures() for pair in PAIRS if (pair, ORIGINAL) in cold}
        baseline = {
            "cold_original_overall": overall(cold[(p, ORIGINAL)] for p in original).figures(),
            "cold_original_per_pair": original,
            "cold_every_style_overall": everything.figures(),
            "memory_every_style_overall": overall(remembered.values()).figures(),
            "styles": list(args.styles),
        }
        BASELINE.write_text(json.dumps(baseline, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {BASELINE}")


if __name__ == "__main__":
    main()
