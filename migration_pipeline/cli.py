"""The `migration-pipeline` command: generate exports, and run a migration job as `make demo` does."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import dagster as dg


GENERATORS = ("perfect_portal", "profi", "oplacrm", "backdocket")  # modules of migration_pipeline.generator


def _generate(args: argparse.Namespace) -> int:
    from importlib import import_module

    generate_export = import_module(f"migration_pipeline.generator.{args.source}").generate_export
    counts = generate_export(args.out, records=args.records, seed=args.seed, dirty_rate=args.dirty_rate, with_files=not args.no_files)
    for name, rows in counts.items():
        print(f"{rows:>10,}  {name}")
    print(f"{sum(counts.values()):>10,}  rows written to {args.out}")
    return 0


def _definitions(live: bool) -> dg.Definitions:
    if live:
        from migration_pipeline.definitions_live import defs
    else:
        from migration_pipeline.definitions import defs
    return defs


def _execute(args: argparse.Namespace, job_name: str, op_config: dict | None = None) -> dg.ExecuteInProcessResult:
    """Run one of the migration's jobs in the local Dagster instance, as the UI would."""
    job = _definitions(args.live).resolve_job_def(job_name)
    run_config: dict = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
    if getattr(args, "export", None):
        run_config["resources"] = {f"{args.migration}_export": {"config": {"path": str(Path(args.export).resolve())}}}
    if op_config is not None:
        run_config["ops"] = {f"{args.migration}__{job_name.removeprefix(args.migration + '_')}": {"config": op_config}}
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(instance=instance, run_config=run_config, raise_on_error=False)
    if not result.success:
        for event in result.all_events:
            if event.event_type_value == "STEP_FAILURE":
                print(event.step_failure_data.error.message, file=sys.stderr)
    return result


def _metadata(result: dg.ExecuteInProcessResult, name: str) -> str:
    """A metadata value the job's op reported (ops report on their output event)."""
    for event in result.all_events:
        if event.event_type_value == "STEP_OUTPUT" and name in event.event_specific_data.metadata:
            return str(event.event_specific_data.metadata[name].value)
    return ""


def _finish(result: dg.ExecuteInProcessResult, what: str) -> int:
    print(f"{what}: Dagster run {result.run_id} {'succeeded' if result.success else 'FAILED'}")
    return 0 if result.success else 1


def _plan(args: argparse.Namespace) -> int:
    from migration_pipeline.definitions import ARTIFACTS_DIR, plan_job_name

    result = _execute(args, plan_job_name(args.migration))
    plan = ARTIFACTS_DIR / "reports" / args.migration / "plan" / "plan.md"
    if result.success:
        print(plan.read_text(encoding="utf-8"))
    print(f"Plan files: {plan.parent}")
    return _finish(result, "Plan")


def _sample(args: argparse.Namespace) -> int:
    result = _execute(args, f"{args.migration}_sample", {"size": args.size, "seed": args.seed})
    print(_metadata(result, "diff"))
    print(f"Field diff CSV: {_metadata(result, 'diff_csv')}")
    print(f"Review it, then: migration-pipeline approve --by <your name> --run {result.run_id}")
    return _finish(result, "Sample")


def _approve(args: argparse.Namespace) -> int:
    result = _execute(args, f"{args.migration}_approve", {"approved_by": args.by, "sample_run_id": args.run or "", "note": args.note})
    return _finish(result, "Approval")


def _propose(args: argparse.Namespace) -> int:
    from migration_pipeline.proposer.memory import DecisionMemory
    from migration_pipeline.proposer.propose import propose_mapping

    destination = None
    if args.live:
        from migration_pipeline.definitions import live_destination

        destination = live_destination(args.destination, resolve=True)
    memory = None if args.no_memory else DecisionMemory()
    summary = propose_mapping(args.export, args.out, args.source_system, args.destination, destination, memory)
    bands = ", ".join(f"{n} {band}" for band, n in sorted(summary.bands.items()))
    print(f"Proposed {summary.decisions} decisions ({bands}) in {args.out}")
    print(f"{len(summary.pending)} await review; see each rule's `proposal:` (confidence, band, reasons, candidates).")
    print(f"Then: migration-pipeline confirm --mapping {args.out} --decision <load.field> | --all --by <your name>")
    return 0


def _confirm(args: argparse.Namespace) -> int:
    from migration_pipeline.definitions import MAPPINGS_DIR
    from migration_pipeline.proposer.confirm import confirm_mapping

    if not args.all and not args.decision:
        print("Name the decisions to confirm (--decision <load>.<field>, repeatable) or pass --all.")
        return 2
    path = Path(args.mapping) if args.mapping else MAPPINGS_DIR / f"{args.migration}.yaml"
    result = confirm_mapping(path, args.by, None if args.all else args.decision)
    print(f"Confirmed {len(result.confirmed)} decision(s) in {path}; {len(result.pending)} still pending"
          + ("" if result.pending else "; the mapping is confirmed"))
    for name in result.pending:
        print(f"  pending: {name}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from migration_pipeline.definitions import ARTIFACTS_DIR, load_job_name

    result = _execute(args, load_job_name(args.migration))
    report = ARTIFACTS_DIR / "reports" / args.migration / "report.md"
    if report.exists() and result.success:
        print(report.read_text(encoding="utf-8"))
    print(f"Report:      {report}")
    print(f"Quarantine:  {report.with_name('quarantine.csv')}")
    if not args.live:
        print(f"Payloads:    {ARTIFACTS_DIR / 'dry_run' / args.migration / (result.run_id + ':0')}")
    print("Browse it:   make ui   (dagster dev -w workspace.yaml)")
    return _finish(result, "Full run")


def _job_command(commands: Any, name: str, text: str, handler: Any) -> argparse.ArgumentParser:
    command = commands.add_parser(name, help=text)
    command.add_argument("--migration", default="perfect_portal_to_twenty")
    command.add_argument("--export", help="export folder or ZIP (default: the bundled sample)")
    command.add_argument("--live", action="store_true", help="use the real destination (Twenty: TWENTY_API_URL, TWENTY_API_KEY)")
    command.set_defaults(handler=handler)
    return command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="migration-pipeline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="write a seeded source export of any size, dirty cases included")
    generate.add_argument("--source", choices=GENERATORS, default="perfect_portal")
    generate.add_argument("--out", required=True)
    generate.add_argument("--records", type=int, default=1000)
    generate.add_argument("--seed", type=int, default=7)
    generate.add_argument("--dirty-rate", type=float, default=0.05)
    generate.add_argument("--no-files", action="store_true", help="do not write the documents' files")
    generate.set_defaults(handler=_generate)
    _job_command(commands, "plan", "pre-flight plan: what a full run would do (writes nothing to the destination)", _plan)
    sample = _job_command(commands, "sample", "load a representative sample, read it back and diff it field by field", _sample)
    sample.add_argument("--size", type=int, default=200, help="records to sample, 100–500")
    sample.add_argument("--seed", type=int, default=7)
    approve = _job_command(commands, "approve", "approve a sample run for the current mapping (unlocks the full run)", _approve)
    approve.add_argument("--by", required=True, help="who reviewed the sample's field diff")
    approve.add_argument("--run", help="the sample run id (default: the newest sample of the current mapping)")
    approve.add_argument("--note", default="")
    _job_command(commands, "run", "the full run of a migration (needs an approved sample)", _run)
    propose = commands.add_parser("propose", help="draft a mapping from an export: the tool proposes, a person confirms")
    propose.add_argument("--export", required=True, help="the export folder or ZIP")
    propose.add_argument("--source-system", required=True, help="the source CRM's name (e.g. profi): decisions are remembered per system")
    propose.add_argument("--destination", choices=("twenty", "odoo"), default="twenty")
    propose.add_argument("--out", required=True, help="the mapping file to write, e.g. mappings/acme_to_twenty.yaml")
    propose.add_argument("--live", action="store_true", help="read the destination's schema from the real server (else the saved catalog)")
    propose.add_argument("--no-memory", action="store_true", help="ignore decisions confirmed before (cold start)")
    propose.set_defaults(handler=_propose)
    confirm = commands.add_parser("confirm", help="confirm proposed mapping decisions (loading refuses unconfirmed ones)")
    confirm.add_argument("--migration", default="perfect_portal_to_twenty")
    confirm.add_argument("--mapping", help="the mapping file (default: mappings/<migration>.yaml)")
    confirm.add_argument("--decision", action="append", help="<load>.<field> to confirm (repeatable)")
    confirm.add_argument("--all", action="store_true", help="confirm every pending decision")
    confirm.add_argument("--by", required=True, help="who reviewed the decisions")
    confirm.set_defaults(handler=_confirm)

    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
