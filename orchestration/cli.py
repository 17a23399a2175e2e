"""`aaw`: a thin command line over the Dagster definitions (it runs them in-process, never around them)."""

import argparse
import shutil
import sys
import warnings
from datetime import date
from pathlib import Path

from orchestration.lib.workspace import DEFAULT_WORKDIR, Workspace


def _landing_window(landing: Path) -> tuple[date, date]:
    """First and last day named by a file of the landing folder (deployments and usage are daily)."""
    from orchestration.defs.ingest.sensors import DAY_IN_PATH

    days = [
        date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        for path in landing.rglob("*")
        if path.is_file() and path.parent.name not in ("roster",)
        for found in [DAY_IN_PATH.search(path.relative_to(landing).as_posix())]
        if found
    ]
    if not days:
        raise SystemExit(f"{landing}: no dated deployment or usage file found; pass --from and --to")
    return min(days), max(days)


def run_pipeline(workspace: Workspace, first: date, last: date, full_refresh: bool = False) -> bool:
    """Materialise every asset for the window [first, last] in one in-process Dagster run."""
    workspace.activate()
    import dagster as dg

    warnings.filterwarnings("ignore", category=dg.BetaWarning)
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)

    from orchestration.defs.dbt.project import prepare_manifest

    print("Preparing the dbt manifest (dbt parse)", flush=True)
    prepare_manifest()
    from orchestration.definitions import defs  # loads the manifest just prepared

    print(f"Running the pipeline for {first}..{last}: landing {workspace.landing}, workdir {workspace.workdir}")
    result = defs.get_job_def("pipeline").execute_in_process(
        instance=dg.DagsterInstance.get(),
        tags={
            "dagster/asset_partition_range_start": first.isoformat(),
            "dagster/asset_partition_range_end": last.isoformat(),
            "aaw/trigger": "cli",
        },
        run_config={
            "loggers": {"console": {"config": {"log_level": "INFO"}}},
            "ops": {"warehouse_models": {"config": {"full_refresh": full_refresh}}},
        },
        raise_on_error=False,
    )
    _print_outcome(workspace, result)
    return result.success


def _print_outcome(workspace: Workspace, result) -> None:
    print()
    if result.success:
        print(f"Run {result.run_id} succeeded.")
    else:
        print(f"Run {result.run_id} FAILED; the previous publication (if any) is unchanged.")
        failed_checks = [evaluation for evaluation in result.get_asset_check_evaluations() if not evaluation.passed]
        for evaluation in failed_checks:
            where = f"{evaluation.asset_key.to_user_string()} {evaluation.check_name}"
            print(f"  [{evaluation.severity.value}] {where}: {evaluation.description}")
        for event in result.all_events:
            if event.is_step_failure and event.step_failure_data.error:
                error = event.step_failure_data.error
                if error.cls_name != "DagsterAssetCheckFailedError":
                    print(f"  step {event.step_key} failed: {(error.cause or error).message.strip()}")
    print(f"  lake:        {workspace.lake}")
    print(f"  quarantine:  {workspace.quarantine}")
    print(f"  warehouse:   {workspace.warehouse}")
    print(f"  published:   {workspace.published}")
    print(f"  run history: {workspace.dagster_home} (DAGSTER_HOME)")


def _generate(args: argparse.Namespace, landing: Path, ground_truth: Path) -> None:
    from orchestration.lib.demo.generator import DemoSpec, generate

    spec = DemoSpec(teams=args.teams, engineers_per_team=args.engineers_per_team, days=args.days, seed=args.seed)
    summary = generate(spec, landing, ground_truth)
    print(f"Demo data: {summary}")


def _add_size_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--teams", type=int, default=12)
    parser.add_argument("--engineers-per-team", type=int, default=8)
    parser.add_argument("--days", type=int, default=56)
    parser.add_argument("--seed", type=int, default=7)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="aaw", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="generate demo data, run everything, print where results are")
    demo.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    _add_size_flags(demo)

    run = commands.add_parser("run", help="run the pipeline over the landing files in a folder")
    run.add_argument("--landing", type=Path, required=True)
    run.add_argument("--workdir", type=Path, required=True)
    run.add_argument("--from", dest="first", type=date.fromisoformat, help="first UTC day (default: landing's)")
    run.add_argument("--to", dest="last", type=date.fromisoformat, help="last UTC day (default: landing's)")
    run.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from the whole lake")

    generate = commands.add_parser("generate", help="write demo data (generic contract v1) only")
    generate.add_argument("--out", type=Path, required=True, help="writes OUT/landing and OUT/ground_truth.json")
    _add_size_flags(generate)

    args = parser.parse_args(argv)
    if args.command == "generate":
        _generate(args, args.out / "landing", args.out / "ground_truth.json")
        print(f"Landing files: {args.out / 'landing'}")
        return 0
    if args.command == "demo":
        workspace = Workspace(landing=(args.workdir / "landing").resolve(), workdir=args.workdir.resolve())
        # a demo starts from scratch: new landing files, lake and warehouse (published/ is kept until replaced)
        for stale in (workspace.landing, workspace.lake, workspace.workdir / "gx"):
            shutil.rmtree(stale, ignore_errors=True)
        workspace.warehouse.unlink(missing_ok=True)
        _generate(args, workspace.landing, workspace.workdir / "ground_truth.json")
        first, last = _landing_window(workspace.landing)
        return 0 if run_pipeline(workspace, first, last, full_refresh=True) else 1
    workspace = Workspace(landing=args.landing.resolve(), workdir=args.workdir.resolve())
    first, last = _landing_window(workspace.landing)
    first, last = args.first or first, args.last or last
    return 0 if run_pipeline(workspace, first, last, full_refresh=args.full_refresh) else 1


if __name__ == "__main__":
    sys.exit(main())
