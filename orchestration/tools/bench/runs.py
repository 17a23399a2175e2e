"""Pipeline runs under measure: `aaw run` as a child process, then its Dagster event log and dbt's run results
read for the time of each stage and the slowest models."""

import json
import shutil
import sys
from datetime import date
from pathlib import Path

from orchestration.lib.workspace import Workspace
from orchestration.tools.bench.measure import Measured, child_env, measure

CHECK_STEPS = ("landing_gates", "publication_gates")  # the multi-asset checks of defs/quality
DBT_STEPS = ("warehouse_models", "impact_models")  # the warehouse build, then mart_ai_impact after the estimates


def run_command(
    landing: Path, workdir: Path, first: date, last: date, full_refresh: bool = False, engine: str = "duckdb"
) -> list[str]:
    """`aaw run` as a child process's command line (the benchmark and the recovery tests start runs so, and read
    the whole log from its output: --verbose)."""
    command = [sys.executable, "-m", "orchestration.cli", "run", "--landing", str(landing), "--workdir", str(workdir)]
    command += ["--from", first.isoformat(), "--to", last.isoformat(), "--engine", engine, "--verbose"]
    return command + (["--full-refresh"] if full_refresh else [])


def _step_group(step_key: str) -> str:
    if step_key in DBT_STEPS:
        return "dbt"
    if step_key.startswith("impact__"):
        return "impact"
    if step_key.startswith("published"):
        return "publish"
    if step_key in CHECK_STEPS:
        return "checks"
    if step_key.startswith("raw__") or step_key == "reference_overrides":
        return "ingest"
    return "other"


def read_run_log(dagster_home: Path) -> dict:
    """Step durations and ingest progress of the latest run of the instance at `dagster_home`."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        runs = instance.get_runs(limit=1)
        if not runs:
            return {}
        run = runs[0]
        entries = instance.all_logs(run.run_id)
    starts, ends, status = {}, {}, {}
    run_start = run_end = None
    day_marks: dict[str, list[float]] = {}
    for entry in entries:
        event = entry.dagster_event
        if event is None:
            message = entry.user_message or ""
            # "[i/n] raw/<entity> <day>" marks the start of each day of a daily ingest asset
            if entry.step_key and message.startswith("[") and "/" in message.split("]")[0]:
                day_marks.setdefault(entry.step_key, []).append(entry.timestamp)
            continue
        kind = event.event_type
        if kind == dg.DagsterEventType.RUN_START:
            run_start = entry.timestamp
        elif kind in (dg.DagsterEventType.RUN_SUCCESS, dg.DagsterEventType.RUN_FAILURE):
            run_end = entry.timestamp
        elif kind == dg.DagsterEventType.STEP_START:
            starts[entry.step_key] = entry.timestamp
        elif kind in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
            ends[entry.step_key] = entry.timestamp
            status[entry.step_key] = "success" if kind == dg.DagsterEventType.STEP_SUCCESS else "failure"
    steps = {
        key: {
            "seconds": round(ends.get(key, run_end or starts[key]) - starts[key], 3),
            "group": _step_group(key),
            "status": status.get(key, "unfinished"),
        }
        for key in starts
    }
    per_day = {}
    for key, marks in day_marks.items():
        bounds = [*marks, ends.get(key, marks[-1])]
        durations = [later - earlier for earlier, later in zip(bounds, bounds[1:], strict=False)]
        if durations:
            per_day[key] = {
                "days": len(durations),
                "mean_seconds": round(sum(durations) / len(durations), 3),
                "max_seconds": round(max(durations), 3),
            }
    return {
        "run_id": run.run_id,
        "status": run.status.value,
        "run_start": run_start,
        "run_end": run_end,
        "steps": dict(sorted(steps.items(), key=lambda item: -item[1]["seconds"])),
        "ingest_per_day": per_day,
    }


def stages(measured: Measured, run_log: dict) -> dict:
    groups = {"ingest": 0.0, "dbt": 0.0, "impact": 0.0, "checks": 0.0, "publish": 0.0, "other": 0.0}
    for step in run_log.get("steps", {}).values():
        groups[step["group"]] += step["seconds"]
    breakdown = {name: round(seconds, 2) for name, seconds in groups.items() if name != "other" or seconds}
    breakdown["overhead"] = round(measured.wall_seconds - sum(groups.values()), 2)
    if run_log.get("run_start") and run_log.get("run_end"):
        # overhead = startup (imports, dbt parse, definitions) + between steps (Dagster) + shutdown
        breakdown["overhead_startup"] = round(run_log["run_start"] - measured.started_at, 2)
        breakdown["overhead_between_steps"] = round(run_log["run_end"] - run_log["run_start"] - sum(groups.values()), 2)
        breakdown["overhead_shutdown"] = round(measured.ended_at - run_log["run_end"], 2)
    return breakdown


def collect_dbt_results(workspace: Workspace, into: Path, top: int = 15) -> dict:
    """Copy the run results of the run's dbt steps (the warehouse build, then the impact models) beside the run's
    figures and summarise them together: the slowest models and tests."""
    into.mkdir(parents=True, exist_ok=True)
    summary: dict = {"models": [], "tests": []}
    for built in sorted((workspace.dbt_target / "build").glob("run_results.*.json")):
        shutil.copyfile(built, into / built.name)
    documents = [json.loads(path.read_text()) for path in sorted(into.glob("run_results.*.json"))]
    if not documents:
        return summary
    rows = [row for document in documents for row in document.get("results", [])]
    # dbt's own wall time, its steps one after the other
    summary["elapsed_seconds"] = round(sum(document.get("elapsed_time") or 0.0 for document in documents), 2)
    timed = sorted(
        (
            {
                "node": row["unique_id"].split(".", 2)[-1]
                if row["unique_id"].startswith("model.")
                else row["unique_id"],
                "kind": row["unique_id"].split(".")[0],
                "seconds": round(row.get("execution_time") or 0.0, 3),
                "status": row.get("status"),
            }
            for row in rows
        ),
        key=lambda row: -row["seconds"],
    )
    summary["models"] = [row for row in timed if row["kind"] in ("model", "seed", "snapshot")][:top]
    summary["tests"] = [row for row in timed if row["kind"] in ("test", "unit_test")][:5]
    summary["total_seconds"] = {
        kind: round(sum(row["seconds"] for row in timed if row["kind"] == kind), 2)
        for kind in sorted({row["kind"] for row in timed})
    }
    summary["nodes"] = len(timed)
    return summary


def pipeline_run(
    label: str,
    workdir: Path,
    landing: Path,
    first: date,
    last: date,
    full_refresh: bool,
    events: dict[str, int],
    engine: str = "duckdb",
) -> dict:
    """Run `aaw run` for [first, last] in a child process over the work folder `workdir`; all its figures."""
    command = run_command(landing, workdir, first, last, full_refresh, engine)
    runs = workdir.parent / "runs" / label
    shutil.rmtree(runs, ignore_errors=True)
    print(f"bench: {label}: {first}..{last}{' (full refresh)' if full_refresh else ''} in {workdir}", flush=True)
    measured = measure(label, command, runs / "run.log", child_env())
    run_log = read_run_log(workdir / "dagster_home")
    figures = measured.figures()
    figures.update(
        {
            "first_day": first.isoformat(),
            "last_day": last.isoformat(),
            "days": (last - first).days + 1,
            "usage_events": sum(count for day, count in events.items() if first.isoformat() <= day <= last.isoformat()),
            "full_refresh": full_refresh,
            "engine": engine,
            "stages": stages(measured, run_log),
            "steps": run_log.get("steps", {}),
            "ingest_per_day": run_log.get("ingest_per_day", {}),
            "dbt": collect_dbt_results(Workspace(landing=landing, workdir=workdir), runs),
            "run_id": run_log.get("run_id"),
        }
    )
    state = "ok" if figures["success"] else f"FAILED (see {measured.log})"
    print(
        f"bench: {label}: {figures['wall_seconds']:.1f} s (cpu {figures['cpu_seconds']:.0f} s), "
        f"peak {figures['peak_rss_gib']:.2f} GiB, "
        f"stages {figures['stages']} {state}",
        flush=True,
    )
    return figures
