"""`aaw`: a thin command line over the Dagster definitions (it runs them in-process, never around them)."""

import argparse
import fcntl
import os
import shutil
import sys
import tempfile
import uuid
import warnings
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from orchestration.lib import run_history
from orchestration.lib.journal import Journal, settle_abandoned
from orchestration.lib.workspace import DEFAULT_WORKDIR, Workspace


def _landing_window(landing: Path) -> tuple[date, date]:
    """First and last day named by a file of the daily entities (deployments, usage). Snapshot files may
    carry a date too (a roster's validity, a survey's fielding day), but no data of theirs makes a day of
    deployments or usage: they never set the window. The files that set each end are named."""
    from orchestration.lib.landing_files import is_daily_path, path_day_of

    dated = {
        relative: day
        for path in sorted(landing.rglob("*"))
        if path.is_file() and is_daily_path(relative := path.relative_to(landing).as_posix())
        if (day := path_day_of(relative))
    }
    if not dated:
        raise SystemExit(f"{landing}: no dated deployment or usage file found; pass --from and --to")
    first_file = min(dated, key=lambda name: (dated[name], name))
    last_file = max(dated, key=lambda name: (dated[name], name))
    print(
        f"Window from the daily files of {landing}: {dated[first_file]} (landing/{first_file}) "
        f"to {dated[last_file]} (landing/{last_file})"
    )
    return dated[first_file], dated[last_file]


class WorkdirBusy(RuntimeError):
    pass


@contextmanager
def workdir_lock(workspace: Workspace):
    """Hold an exclusive lock on the workdir for a run: a second overlapping run fails at once, clearly.

    The lock dies with the process (a killed run leaves no stale lock behind).
    """
    workspace.workdir.mkdir(parents=True, exist_ok=True)
    with workspace.run_lock.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise WorkdirBusy(
                f"{workspace.workdir} is in use by another run ({handle.read().strip() or 'unknown'}); "
                "runs of one workdir are serialised, try again when it has finished"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
        handle.flush()
        yield


def run_pipeline(workspace: Workspace, first: date, last: date, full_refresh: bool = False) -> bool:
    """Materialise every asset for the window [first, last] in one in-process Dagster run."""
    with workdir_lock(workspace):
        return _run(workspace, first, last, full_refresh)


def _run(workspace: Workspace, first: date, last: date, full_refresh: bool) -> bool:
    workspace.prepare()
    import dagster as dg

    warnings.filterwarnings("ignore", category=dg.BetaWarning)
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)

    from orchestration.defs.dbt.project import prepare_manifest

    print("Preparing the dbt manifest (dbt parse)", flush=True)
    prepare_manifest()
    from orchestration.definitions import pipeline_definitions  # loads the manifest just prepared
    from orchestration.defs.resources import WorkspaceResource

    print(f"Running the pipeline for {first}..{last}: landing {workspace.landing}, workdir {workspace.workdir}")
    run_id = str(uuid.uuid4())  # chosen here so the lake changes can be settled even if the run raises
    # the run history lives in the workdir, whatever DAGSTER_HOME this process was started with
    instance = dg.DagsterInstance.from_config(str(workspace.dagster_home))
    _close_abandoned_runs(workspace, instance, run_id)
    try:
        result = (
            pipeline_definitions(WorkspaceResource.of(workspace))
            .get_job_def("pipeline")
            .execute_in_process(
                instance=instance,
                run_id=run_id,
                tags={
                    "dagster/asset_partition_range_start": first.isoformat(),
                    "dagster/asset_partition_range_end": last.isoformat(),
                    run_history.TRIGGER_TAG: run_history.CLI_TRIGGER,
                    run_history.PID_TAG: str(os.getpid()),
                },
                run_config={
                    "loggers": {"console": {"config": {"log_level": "INFO"}}},
                    "ops": {"warehouse_models": {"config": {"full_refresh": full_refresh}}},
                },
                raise_on_error=False,
            )
        )
    finally:
        # a run that published has committed its lake changes; any other outcome puts the lake back
        Journal(workspace.lake, run_id).settle()
    _print_outcome(workspace, result, first, last)
    return result.success


def _close_abandoned_runs(workspace: Workspace, instance, run_id: str) -> None:
    """Runs killed before they finished stay STARTED in the history: settle their lake changes and mark them
    failed, saying so (this run holds the workdir lock, so none of them is alive)."""
    outcomes = settle_abandoned(workspace.lake)
    for closed in run_history.fail_abandoned_runs(instance, run_id, outcomes):
        lake = outcomes.get(closed, "unchanged")
        print(f"Run {closed} did not finish (its process is gone): marked FAILED; its lake changes: {lake}")


def _print_outcome(workspace: Workspace, result, first: date, last: date) -> None:
    print()
    if result.success:
        print(f"Run {result.run_id} succeeded.")
    else:
        print(f"Run {result.run_id} FAILED; the previous publication (if any) and the lake are unchanged.")
        failed_checks = [evaluation for evaluation in result.get_asset_check_evaluations() if not evaluation.passed]
        for evaluation in failed_checks:
            where = f"{evaluation.asset_key.to_user_string()} {evaluation.check_name}"
            print(f"  [{evaluation.severity.value}] {where}: {evaluation.description}")
        for event in result.all_events:
            if event.is_step_failure and event.step_failure_data.error:
                error = event.step_failure_data.error
                if error.cls_name != "DagsterAssetCheckFailedError":
                    print(f"  step {event.step_key} failed: {(error.cause or error).message.strip()}")
        print(
            "  Fix or re-export the files named above (or write an empty file for a day with nothing, acknowledge "
            "a known case in landing/reference/guard_acknowledgements.csv, or override a threshold in "
            "landing/reference/metric_vars.csv), then rerun:\n"
            f"    aaw run --landing {workspace.landing} --workdir {workspace.workdir} --from {first} --to {last}"
        )
    from orchestration.lib import lake
    from orchestration.lib.status import ignored_lines

    for line in ignored_lines(lake.records_left_out(workspace.lake)):
        print(f"  not read:    landing/{line}")
    print(f"  lake:        {workspace.lake}")
    print(f"  quarantine:  {workspace.quarantine}")
    print(f"  warehouse:   {workspace.warehouse}")
    print(f"  published:   {workspace.published}")
    print(f"  run history: {workspace.dagster_home} (DAGSTER_HOME)")


def _generate(args: argparse.Namespace, landing: Path, ground_truth: Path) -> None:
    from orchestration.tools.demo.generator import DemoSpec, generate

    spec = DemoSpec(teams=args.teams, engineers_per_team=args.engineers_per_team, days=args.days, seed=args.seed)
    if not args.vendor_formats:
        summary = generate(spec, landing, ground_truth)
    else:
        from orchestration.tools.demo.vendor_formats import write_vendor_formats

        with tempfile.TemporaryDirectory() as scratch:
            summary = generate(spec, Path(scratch) / "landing", ground_truth)
            write_vendor_formats(Path(scratch) / "landing", landing)
    print(f"Demo data: {summary}")


def _add_size_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--teams", type=int, default=12)
    parser.add_argument("--engineers-per-team", type=int, default=8)
    parser.add_argument("--days", type=int, default=56)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--vendor-formats",
        action="store_true",
        help="write usage, grants, deployments and surveys in the vendors' own export formats where they can "
        "carry them exactly (the marts come out the same)",
    )


def _add_demo_workdir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workdir",
        type=Path,
        default=DEFAULT_WORKDIR,
        help="work folder (default: demo/ in the repository, where `aaw demo` writes)",
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bench"]:
        from orchestration.tools.bench.main import main as bench

        return bench(argv[1:])
    parser = argparse.ArgumentParser(prog="aaw", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="generate demo data, run everything, print where results are")
    _add_demo_workdir(demo)
    _add_size_flags(demo)

    run = commands.add_parser("run", help="run the pipeline over the landing files in a folder")
    run.add_argument("--landing", type=Path, required=True)
    run.add_argument("--workdir", type=Path, required=True)
    run.add_argument("--from", dest="first", type=date.fromisoformat, help="first UTC day (default: landing's)")
    run.add_argument("--to", dest="last", type=date.fromisoformat, help="last UTC day (default: landing's)")
    run.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from the whole lake")

    # `aaw bench ...` hands its arguments to the benchmark's own parser (see main's first lines)
    commands.add_parser("bench", help="the organisation-scale benchmark (flags: aaw bench --help)", add_help=False)

    dev = commands.add_parser("dev", help="open the Dagster UI (asset graph, runs, backfills) over a workdir")
    _add_demo_workdir(dev)
    dev.add_argument("--landing", type=Path, help="landing folder (default: WORKDIR/landing)")

    generate = commands.add_parser("generate", help="write demo data (generic contract v1) only")
    generate.add_argument("--out", type=Path, required=True, help="writes OUT/landing and OUT/ground_truth.json")
    _add_size_flags(generate)

    from orchestration.lib.explain import METRICS

    explain = commands.add_parser(
        "explain",
        help="explain one published number: definition, value, inputs and the raw records behind it",
        description="Reads WORKDIR/warehouse.duckdb read-only (the analyst's copy, with the facts and their lineage "
        "to landing files and lines) and compares with published/current. Team metrics take --team and --week; "
        "tool metrics (monthly_active_users, licence_utilisation, idle_seats, shadow_users, nps) --tool and --month.",
    )
    explain.add_argument("--metric", required=True, choices=METRICS, metavar="METRIC", help=", ".join(METRICS))
    explain.add_argument("--team", help="team_id (team metrics)")
    explain.add_argument("--week", help="any day of the ISO week, e.g. 2026-01-12, or 2026-W03 (team metrics)")
    explain.add_argument("--tool", help="tool, e.g. claude_code (tool metrics)")
    explain.add_argument("--month", help="month, e.g. 2026-01 (tool metrics)")
    _add_demo_workdir(explain)
    explain.add_argument("--limit", type=int, default=50, help="records listed per table (0: all)")

    status = commands.add_parser(
        "status", help="last runs, the current publication and open guard signals of a work folder"
    )
    _add_demo_workdir(status)
    status.add_argument("--runs", type=int, default=5, help="how many of the last runs to show")

    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except WorkdirBusy as error:
        print(f"aaw: {error}", file=sys.stderr)
        return 2


def _explain(args: argparse.Namespace) -> int:
    from orchestration.lib.explain import ExplainError, explain_workdir, parse_month, parse_week, render_text

    try:
        explanation = explain_workdir(
            args.workdir.resolve(),
            args.metric,
            team=args.team,
            week=parse_week(args.week) if args.week else None,
            tool=args.tool,
            month=parse_month(args.month) if args.month else None,
        )
    except ExplainError as error:
        print(f"aaw explain: {error}", file=sys.stderr)
        return 2
    print(render_text(explanation, limit=args.limit or None), end="")
    return 0


def _status(args: argparse.Namespace) -> int:
    from orchestration.lib.status import read_status, render_text

    workdir = args.workdir.resolve()
    print(render_text(read_status(Workspace(landing=workdir / "landing", workdir=workdir), runs=args.runs)), end="")
    return 0


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "explain":
        return _explain(args)
    if args.command == "status":
        return _status(args)
    if args.command == "dev":
        workspace = Workspace(
            landing=(args.landing or args.workdir / "landing").resolve(), workdir=args.workdir.resolve()
        )
        workspace.prepare()
        from orchestration.defs.dbt.project import prepare_manifest

        prepare_manifest()
        dagster = Path(sys.executable).parent / "dagster"
        # a separate process: it builds its workspace resource from the variables it is started with
        environ = {**os.environ, **workspace.environ()}
        os.execve(dagster, [str(dagster), "dev", "-m", "orchestration.definitions"], environ)
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
