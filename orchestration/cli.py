"""`aaw`: a thin command line over the Dagster definitions (it runs them in-process, never around them)."""

import argparse
import fcntl
import importlib.util
import os
import shlex
import shutil
import sys
import tempfile
import time
import uuid
import warnings
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from orchestration.cli_parser import build_parser
from orchestration.lib import lake_fs, landing_files, run_history
from orchestration.lib.journal import Journal, settle_abandoned
from orchestration.lib.lake_fs import LakeUriError
from orchestration.lib.workspace import Workspace
from orchestration.terminal.output import CommandOutput
from orchestration.terminal.progress import RunProgress
from orchestration.terminal.summary import RunFacts, failure_lines, success_lines


def _landing_window(landing: Path, say=print) -> tuple[date, date]:
    """First and last day named by a file of the daily entities (deployments, usage). Snapshot files may
    carry a date too (a roster's validity, a survey's fielding day), but no data of theirs makes a day of
    deployments or usage: they never set the window. The files that set each end are named."""
    dated = landing_files.daily_files(landing)
    if not dated:
        raise SystemExit(f"{landing}: no dated deployment or usage file found; pass --from and --to")
    first_file = min(dated, key=lambda name: (dated[name], name))
    last_file = max(dated, key=lambda name: (dated[name], name))
    say(
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


def run_pipeline(
    workspace: Workspace,
    first: date,
    last: date,
    full_refresh: bool = False,
    output: CommandOutput | None = None,
) -> bool:
    """Materialise every asset for the window [first, last] in one in-process Dagster run.

    The terminal gets a progress display and a summary; everything else goes to the output's log file
    (a new WORKDIR/logs/run-<time>.log without one)."""
    with workdir_lock(workspace):
        if output is not None:
            return _run(workspace, first, last, full_refresh, output)
        with CommandOutput(workspace.workdir, "run").open() as opened:
            return _run(workspace, first, last, full_refresh, opened)


def _load_definitions(workspace: Workspace, output: CommandOutput, first: date):
    """The Definitions over the workspace; their daily partitions must reach back to the run's first day."""
    import dagster as dg

    warnings.filterwarnings("ignore", category=dg.BetaWarning)
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)
    from orchestration.defs.dbt.project import prepare_manifest

    output.log("Preparing the dbt manifest (dbt parse)")
    prepare_manifest()
    from orchestration.defs.partitions import partitions_start

    if first < partitions_start():
        raise SystemExit(
            f"aaw: the run starts on {first}, before the first daily partition ({partitions_start()}); "
            "set AAW_FIRST_DAY to that day or earlier"
        )
    from orchestration.definitions import pipeline_definitions  # loads the manifest just prepared
    from orchestration.defs.resources import WorkspaceResource

    return pipeline_definitions(WorkspaceResource.of(workspace))


def _run(workspace: Workspace, first: date, last: date, full_refresh: bool, output: CommandOutput) -> bool:
    started = time.monotonic()
    workspace.prepare()
    defs = _load_definitions(workspace, output, first)
    import dagster as dg

    output.say(f"Running the pipeline for {first}..{last} (landing {workspace.landing}, workdir {workspace.workdir})")
    run_id = str(uuid.uuid4())  # chosen here so the lake changes can be settled even if the run raises
    # the run history lives in the workdir, whatever DAGSTER_HOME this process was started with
    instance = dg.DagsterInstance.from_config(str(workspace.dagster_home))
    _close_abandoned_runs(workspace, instance, run_id, output)
    graph = defs.resolve_asset_graph()
    daily_assets = sum(1 for node in graph.asset_nodes if node.partitions_def is not None)
    try:
        with RunProgress(output, instance, run_id, daily_assets * ((last - first).days + 1)):
            result = defs.get_job_def("pipeline").execute_in_process(
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
    finally:
        # a run that published has committed its lake changes; any other outcome puts the lake back
        Journal(workspace.lake, run_id).settle()
    facts = RunFacts(
        workspace=workspace,
        first=first,
        last=last,
        seconds=time.monotonic() - started,
        log_path=output.path,
        rerun=shlex.join(_rerun_command(workspace, first, last)),
        check_meanings={key: graph.get_check_spec(key).description for key in graph.asset_check_keys},
    )
    output.say()
    for line in success_lines(result, facts) if result.success else failure_lines(result, facts):
        output.say(line)
    from orchestration.lib import lake
    from orchestration.lib.status import ignored_lines

    for line in ignored_lines(lake.records_left_out(workspace.lake)):
        output.say(f"Not read:  landing/{line}")
    return result.success


def _rerun_command(workspace: Workspace, first: date, last: date) -> list[str]:
    landing, workdir = (str(workspace.landing), str(workspace.workdir))
    lake = ["--lake", workspace.lake_uri] if workspace.lake_uri else []
    engine = ["--engine", workspace.engine] if workspace.engine != "duckdb" else []
    window = ["--from", str(first), "--to", str(last)]
    return ["aaw", "run", "--landing", landing, "--workdir", workdir, *lake, *window, *engine]


def _close_abandoned_runs(workspace: Workspace, instance, run_id: str, output: CommandOutput | None = None) -> None:
    """Runs killed before they finished stay STARTED in the history: settle their lake changes and mark them
    failed, saying so (this run holds the workdir lock, so none of them is alive)."""
    outcomes = settle_abandoned(workspace.lake)
    for closed in run_history.fail_abandoned_runs(instance, run_id, outcomes):
        lake = outcomes.get(closed, "unchanged")
        say = output.say if output is not None else print
        say(f"Run {closed} did not finish (its process is gone): marked FAILED; its lake changes: {lake}")


def _generate(args: argparse.Namespace, landing: Path, ground_truth: Path, output: CommandOutput) -> bool:
    """Write the demo organisation; False (and why, in one line) when its size cannot hold it."""
    from orchestration.tools.demo.generator import DemoSpec, generate

    spec = DemoSpec(teams=args.teams, engineers_per_team=args.engineers_per_team, days=args.days, seed=args.seed)
    try:
        if not args.vendor_formats:
            summary = generate(spec, landing, ground_truth, progress=output.log)
        else:
            from orchestration.tools.demo.vendor_formats import write_vendor_formats

            with tempfile.TemporaryDirectory() as scratch:
                summary = generate(spec, Path(scratch) / "landing", ground_truth, progress=output.log)
                write_vendor_formats(Path(scratch) / "landing", landing)
    except ValueError as error:  # a size the generator cannot fill: the message says which flag to raise
        output.say(f"aaw: {error}")
        return False
    output.log(f"Demo data: {summary}")
    output.say(
        f"Demo organisation: {summary['teams']} teams, {summary['engineers']} engineers, {summary['days']} days "
        f"from {summary['start']}: {summary['deployments']:,} deployments, {summary['usage_events']:,} usage events, "
        f"{summary['pull_requests']:,} pull requests"
    )
    return True


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bench"]:
        from orchestration.tools.bench.main import main as bench

        return bench(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except (WorkdirBusy, LakeUriError) as error:
        print(f"aaw: {error}", file=sys.stderr)
        return 2


def _explain(args: argparse.Namespace) -> int:
    from orchestration.lib.explain import ExplainError, explain_workdir, parse_month, parse_week, render_text

    try:
        explanation = explain_workdir(
            args.workdir.resolve(),
            args.metric,
            lake=lake_fs.parse(_lake_uri(args.lake), args.workdir.resolve()),
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


def _engine_unavailable(args: argparse.Namespace) -> str | None:
    """Why the engine cannot run here (its optional packages are not installed, or it cannot read the lake)."""
    if getattr(args, "engine", "duckdb") != "spark":
        return None
    if not (importlib.util.find_spec("pyspark") and importlib.util.find_spec("dbt.adapters.spark")):
        return 'aaw: --engine spark needs the spark extra: pip install -e ".[spark]" (and Java 17)'
    try:  # the workspace refuses what the engine cannot read (the UI and the schedule build one too)
        Workspace(landing=Path(), workdir=Path(), lake_uri=getattr(args, "lake", ""), engine="spark")
    except ValueError as refused:
        return f"aaw: {refused}"
    return None


def _dev(args: argparse.Namespace) -> int:
    """`dagster dev` over the workdir, as one process tree that SIGTERM or Ctrl-C stops as a whole."""
    workspace = Workspace(
        landing=(args.landing or args.workdir / "landing").resolve(),
        workdir=args.workdir.resolve(),
        lake_uri=_lake_uri(args.lake),
        engine=args.engine,
    )
    workspace.prepare()
    # a separate process: it builds its workspace resource and its partitions from the variables it starts with
    environ = {**os.environ, **workspace.environ()}
    if args.first_day:
        environ["AAW_FIRST_DAY"] = args.first_day.isoformat()
    from orchestration.defs.dbt.project import prepare_manifest
    from orchestration.lib.process_tree import run_tree

    prepare_manifest()
    dagster = Path(sys.executable).parent / "dagster"
    print(f"Dagster UI over {workspace.workdir} at http://127.0.0.1:{args.port}; Ctrl-C or SIGTERM stops every process")
    return run_tree([str(dagster), "dev", "-m", "orchestration.definitions", "--port", str(args.port)], env=environ)


def _demo(args: argparse.Namespace) -> int:
    landing, workdir = (args.workdir / "landing").resolve(), args.workdir.resolve()
    workspace = Workspace(landing=landing, workdir=workdir, engine=args.engine)
    # a demo starts from scratch: new landing files, lake and warehouse (published/ is kept until replaced)
    for stale in (workspace.landing, workspace.lake, workspace.workdir / "gx"):
        shutil.rmtree(stale, ignore_errors=True)
    workspace.warehouse.unlink(missing_ok=True)
    with CommandOutput(workspace.workdir, "demo", verbose=args.verbose).open() as output:
        output.say(f"aaw demo: the whole log goes to {output.path}" + ("" if args.verbose else " (--verbose shows it)"))
        if not _generate(args, workspace.landing, workspace.workdir / "ground_truth.json", output):
            return 2
        first, last = _landing_window(workspace.landing, output.say)
        return 0 if run_pipeline(workspace, first, last, full_refresh=True, output=output) else 1


def _run_landing(args: argparse.Namespace) -> int:
    workspace = Workspace(
        landing=args.landing.resolve(),
        workdir=args.workdir.resolve(),
        lake_uri=_lake_uri(args.lake),
        engine=args.engine,
    )
    if not workspace.landing.is_dir():
        print(f"aaw run: {workspace.landing} is not a folder: pass the landing folder with --landing", file=sys.stderr)
        return 2
    if problem := lake_fs.unreachable(workspace.lake):
        print(f"aaw run: {problem}", file=sys.stderr)
        return 2
    with CommandOutput(workspace.workdir, "run", verbose=args.verbose).open() as output:
        output.say(f"aaw run: the whole log goes to {output.path}" + ("" if args.verbose else " (--verbose shows it)"))
        first, last = (
            (args.first, args.last) if args.first and args.last else _landing_window(workspace.landing, output.say)
        )
        first, last = args.first or first, args.last or last
        return 0 if run_pipeline(workspace, first, last, full_refresh=args.full_refresh, output=output) else 1


def _lake_uri(given: str) -> str:
    """A lake URI as a workspace keeps it: a local path absolute (the run's processes may start elsewhere),
    an object-store URI as given; LakeUriError (named by `main`) for any other form."""
    lake_fs.parse(given, Path.cwd())  # fails early, naming the accepted forms
    return str(Path(given).resolve()) if given and "://" not in given else given


def _dispatch(args: argparse.Namespace) -> int:
    if unavailable := _engine_unavailable(args):
        print(unavailable, file=sys.stderr)
        return 2
    if args.command == "explain":
        return _explain(args)
    if args.command == "status":
        return _status(args)
    if args.command == "dev":
        return _dev(args)
    if args.command == "generate":
        with CommandOutput(args.out, "generate").open() as output:
            if not _generate(args, args.out / "landing", args.out / "ground_truth.json", output):
                return 2
            output.say(f"Landing files: {args.out / 'landing'}")
        return 0
    if args.command == "demo":
        return _demo(args)
    return _run_landing(args)


if __name__ == "__main__":
    sys.exit(main())
