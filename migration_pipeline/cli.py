"""The `migration-pipeline` command: generate exports, and run a migration job as `make demo` does."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import dagster as dg


def _generate(args: argparse.Namespace) -> int:
    from migration_pipeline.generator.perfect_portal import generate_export

    counts = generate_export(args.out, records=args.records, seed=args.seed, dirty_rate=args.dirty_rate, with_files=not args.no_files)
    for name, rows in counts.items():
        print(f"{rows:>10,}  {name}")
    print(f"{sum(counts.values()):>10,}  rows written to {args.out}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from migration_pipeline.definitions import ARTIFACTS_DIR, load_job_name

    if args.live:
        from migration_pipeline.definitions_live import defs
    else:
        from migration_pipeline.definitions import defs

    job = defs.resolve_job_def(load_job_name(args.migration))
    run_config: dict = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
    if args.export:
        run_config["resources"] = {f"{args.migration}_export": {"config": {"path": str(Path(args.export).resolve())}}}
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(instance=instance, run_config=run_config, raise_on_error=False)
    report = ARTIFACTS_DIR / "reports" / args.migration / "report.md"
    if report.exists():
        print(report.read_text(encoding="utf-8"))
    print(f"Dagster run {result.run_id}: {'succeeded' if result.success else 'FAILED'}")
    print(f"Report:      {report}")
    print(f"Quarantine:  {report.with_name('quarantine.csv')}")
    if not args.live:
        print(f"Payloads:    {ARTIFACTS_DIR / 'dry_run' / args.migration / (result.run_id + ':0')}")
    print("Browse it:   make ui   (dagster dev -w workspace.yaml)")
    return 0 if result.success else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="migration-pipeline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="write a seeded Perfect Portal export of any size")
    generate.add_argument("--out", required=True)
    generate.add_argument("--records", type=int, default=1000)
    generate.add_argument("--seed", type=int, default=7)
    generate.add_argument("--dirty-rate", type=float, default=0.05)
    generate.add_argument("--no-files", action="store_true", help="do not write the documents' files")
    generate.set_defaults(handler=_generate)
    run = commands.add_parser("run", help="run a migration's load job in the local Dagster instance")
    run.add_argument("--migration", default="perfect_portal_to_twenty")
    run.add_argument("--export", help="export folder or ZIP (default: the bundled sample)")
    run.add_argument("--live", action="store_true", help="load into the real destination (Twenty: TWENTY_API_URL, TWENTY_API_KEY)")
    run.set_defaults(handler=_run)
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
