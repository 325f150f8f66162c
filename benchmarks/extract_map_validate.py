"""Benchmark (a script, not a test): extract → map → validate → dry-run load on generated exports.

For each size it generates a Perfect Portal export, then measures in separate processes (so that
each peak RSS is its own): a plain `pandas.read_csv` of the same files, the engine's
extract + map + validate pass, and the full dry-run load with a SQLite ledger. It prints rows/s
and peak RSS for each. Usage: `python benchmarks/extract_map_validate.py [--sizes 100000 1000000]`.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "mappings" / "perfect_portal_to_twenty.yaml"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _load_passes(spec) -> list[str]:
    """The file each load reads, once per load: loads that share a source read it again."""
    return [spec.source.objects[load.source].file for load in spec.loads]


def raw_read(export: str) -> dict:
    """A plain whole-file `pandas.read_csv` of the same files, in the same passes, told each
    file's delimiter and encoding."""
    import pandas as pd

    from migration_pipeline.mapping.spec import load_spec
    from migration_pipeline.sources.export import sniff_dialect

    spec = load_spec(MAPPING)
    started, rows = time.perf_counter(), 0
    for name in _load_passes(spec):
        path = Path(export) / name
        if path.stat().st_size:
            dialect = sniff_dialect(path.read_bytes()[:65536])
            rows += len(pd.read_csv(path, sep=dialect.delimiter, encoding=dialect.encoding, encoding_errors="replace"))
    return {"rows": rows, "seconds": time.perf_counter() - started, "peak_rss_mb": _peak_rss_mb()}


def map_validate(export: str) -> dict:
    from migration_pipeline.mapping.contracts import check_destination, check_raw
    from migration_pipeline.mapping.engine import explode, map_chunk
    from migration_pipeline.mapping.spec import load_spec
    from migration_pipeline.pipeline import prepare
    from migration_pipeline.sources.export import ExportArchive

    spec = load_spec(MAPPING)
    archive = ExportArchive(export)
    started, rows, problems = time.perf_counter(), 0, 0
    owners = prepare.build_owner_map(spec, archive, [])
    for load in spec.loads:
        context = prepare.mapping_context(spec, archive, owners, load)
        source_object = spec.source.objects[load.source]
        for chunk in archive.read_chunks(source_object.file):
            rows += len(chunk.frame)
            problems += len(check_raw(load.source, source_object, source_object.file, chunk.frame))
            for piece_load, piece in explode(load, chunk.frame, spec):
                mapped = map_chunk(piece_load, piece, context)
                problems += len(mapped.problems) + len(check_destination(spec, load.name, mapped.frame))
    return {"rows": rows, "seconds": time.perf_counter() - started, "peak_rss_mb": _peak_rss_mb(), "problems": problems}


def dry_run_load(export: str) -> dict:
    from migration_pipeline.destinations.dry_run import DryRunDestination
    from migration_pipeline.ledger.store import Ledger
    from migration_pipeline.mapping.spec import load_spec
    from migration_pipeline.pipeline import prepare
    from migration_pipeline.pipeline.load import LoadJob, run_load
    from migration_pipeline.sources.export import ExportArchive

    spec = load_spec(MAPPING)
    archive = ExportArchive(export)
    work = Path(export).parent
    ledger = Ledger(f"sqlite:///{work / 'ledger.sqlite'}")
    destination = DryRunDestination(output_dir=str(work / "dry_run"), batch_size=200)
    owners = prepare.build_owner_map(spec, archive, [])
    rows = sum(len(chunk.frame) for load in spec.loads for chunk in archive.read_chunks(spec.source.objects[load.source].file))
    started = time.perf_counter()
    for load in spec.loads:
        job = LoadJob(spec=spec, load=load, archive=archive, ledger=ledger, destination=destination,
                      context=prepare.mapping_context(spec, archive, owners, load), ledger_run="bench")
        run_load(job)
    return {"rows": rows, "seconds": time.perf_counter() - started, "peak_rss_mb": _peak_rss_mb()}


def _in_process(function, export: str) -> dict:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, (export,))


def _line(label: str, figures: dict) -> str:
    rate = figures["rows"] / figures["seconds"]
    return f"  {label:<32} {figures['rows']:>10,} rows {figures['seconds']:>8.1f} s {rate:>12,.0f} rows/s   peak RSS {figures['peak_rss_mb']:>6.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--skip-load", action="store_true", help="skip the dry-run load (the slowest part)")
    args = parser.parse_args()
    from migration_pipeline.generator.perfect_portal import generate_export

    for size in args.sizes:
        work = Path(tempfile.mkdtemp(prefix="mp_bench_"))
        try:
            export = work / "export"
            started = time.perf_counter()
            generate_export(export, records=size, seed=1, with_files=False)
            print(f"\n{size:,} records (generated in {time.perf_counter() - started:.1f} s, documents' files not written)")
            raw = _in_process(raw_read, str(export))
            engine = _in_process(map_validate, str(export))
            print(_line("pandas.read_csv (raw read)", raw))
            print(_line("extract + map + validate", engine))
            ratio = (engine["rows"] / engine["seconds"]) / (raw["rows"] / raw["seconds"])
            print(f"  engine speed / raw read speed: {ratio:.0%}   ({engine['problems']:,} problems found)")
            if not args.skip_load:
                print(_line("… + dry-run load (SQLite ledger)", _in_process(dry_run_load, str(export))))
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
