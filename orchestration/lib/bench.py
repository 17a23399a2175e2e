"""The organisation-scale benchmark (issue #7): `python -m orchestration.lib.bench` (`make bench`).

It generates the target organisation once (2,100 teams x 8 engineers, 5 AI tools, ~2 million usage events
a day, 60 days; flags make it smaller) and measures, each as wall time and peak memory (RSS summed over the
whole process tree: the `aaw run` Python process, dbt and anything they start):

- full_backfill: every day in one run, from an empty work folder (`--full-refresh`);
- nightly_early / nightly_late: one nightly incremental day, the day after `days // 2` days of history
  (day 30 of 60) and the last day (day 60 of 60). Each starts from exactly what a real nightly sees: the
  lake and warehouse of every earlier day, built by unmeasured-but-recorded setup backfills
  (setup_before_early: days 1..29, setup_before_late: days 31..59);
- reference: plain DuckDB SQL, no orchestration, computing weekly production deployments per engineer and
  team and monthly active users per tool straight from the same landing files (the engine's floor);
- ingest_probe: `generic.parse_usage_events` alone on the last day's usage file (ingest's core cost).

Every measured run is a child process (`python -m orchestration.cli run ...`), sampled every 0.2 s through
/proc. After a pipeline run the Dagster event log of its work folder gives each step's duration (grouped as
ingest, dbt, checks, publish; overhead = wall - their sum, split into startup, between steps and shutdown),
and dbt's run_results.json (moved out of dbt_project/target into the run's folder) the slowest models.

Results go to bench/results.json and a table on stdout. Timings on a shared machine are noisy: the load
average before and after every run is recorded next to it.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from orchestration.cli import run_command
from orchestration.lib.workspace import DBT_PROJECT_DIR, REPO_ROOT, SEEDS_DIR

GIB = 1024**3
SAMPLE_SECONDS = 0.2
DEFAULT_RESULTS = REPO_ROOT / "bench" / "results.json"
TARGET_SCALE = {"teams": 2100, "engineers_per_team": 8, "days": 60, "events_per_engineer_day": 450.0}
TARGETS = {
    "nightly_wall_seconds": 60.0,  # one nightly day at full scale, end to end
    "nightly_late_over_early": 1.3,  # day-60 nightly / day-30 nightly
    "full_backfill_over_reference": 3.0,
    "peak_rss_gib": 4.0,  # every pipeline run
}
CHECK_STEPS = ("landing_gates", "publication_gates")  # the multi-asset checks of defs/quality


# ---- process-tree memory sampling ----------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                text = stat.read()
        except OSError:
            continue
        # the command name may hold spaces or parentheses: fields start after the last ')'
        ppid = int(text[text.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss(root: int) -> tuple[int, int, int]:
    """(RSS summed over `root` and its descendants, the largest single process's RSS, process count)."""
    children = _children_map()
    total, largest, count, stack = 0, 0, 0, [root]
    while stack:
        pid = stack.pop()
        rss = _rss_bytes(pid)
        total, largest, count = total + rss, max(largest, rss), count + 1
        stack.extend(children.get(pid, ()))
    return total, largest, count


@dataclass
class Measured:
    label: str
    command: list[str]
    wall_seconds: float = 0.0
    peak_rss_bytes: int = 0
    peak_single_process_rss_bytes: int = 0
    max_processes: int = 0
    returncode: int | None = None
    cpu_seconds: float = 0.0  # user + system CPU of the child and every descendant it waited for
    max_rss_rusage_bytes: int = 0  # getrusage's ru_maxrss: the largest single process of the tree
    started_at: float = 0.0  # epoch seconds
    ended_at: float = 0.0
    load_average_before: list[float] = field(default_factory=list)
    load_average_after: list[float] = field(default_factory=list)
    log: str = ""

    @property
    def peak_rss_gib(self) -> float:
        return self.peak_rss_bytes / GIB

    def figures(self) -> dict:
        figures = asdict(self)
        figures["peak_rss_gib"] = round(self.peak_rss_gib, 3)
        figures["wall_seconds"] = round(self.wall_seconds, 2)
        figures["cpu_seconds"] = round(self.cpu_seconds, 2)
        figures["success"] = self.returncode == 0
        return figures


def measure(label: str, command: list[str], log: Path, env: dict[str, str] | None = None) -> Measured:
    """Run `command` as a child process; wall time and peak RSS of its process tree (sampled every 0.2 s)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    result = Measured(label, [str(part) for part in command], log=str(log))
    result.load_average_before = [round(value, 2) for value in os.getloadavg()]
    with log.open("wb") as output:
        result.started_at = time.time()
        start = time.perf_counter()
        child = subprocess.Popen(
            result.command, cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        done = threading.Event()

        def sample() -> None:
            while True:
                total, largest, count = tree_rss(child.pid)
                result.peak_rss_bytes = max(result.peak_rss_bytes, total)
                result.peak_single_process_rss_bytes = max(result.peak_single_process_rss_bytes, largest)
                result.max_processes = max(result.max_processes, count)
                if done.wait(SAMPLE_SECONDS):
                    return

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            # wait4, not Popen.wait: its rusage is the CPU time of the whole tree (contention-robust)
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = result.returncode = os.waitstatus_to_exitcode(status)
            result.cpu_seconds = usage.ru_utime + usage.ru_stime
            result.max_rss_rusage_bytes = usage.ru_maxrss * 1024
        except BaseException:
            child.kill()
            child.wait()
            raise
        finally:
            result.wall_seconds = time.perf_counter() - start
            result.ended_at = time.time()
            done.set()
            sampler.join()
    result.load_average_after = [round(value, 2) for value in os.getloadavg()]
    return result


# ---- the environment -------------------------------------------------------------------------------


def machine() -> dict:
    memory_kib = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    return {
        "cores": os.cpu_count(),
        "memory_bytes": memory_kib * 1024,
        "memory_gib": round(memory_kib / 1024**2, 2),
        "python": sys.version.split()[0],
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
    }


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "GX_ANALYTICS_ENABLED": "false",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    # a child computes its own workspace from its flags; never inherit the caller's
    for name in ("AAW_WORKDIR", "AAW_LANDING", "AAW_LAKE", "AAW_WAREHOUSE_PATH", "DAGSTER_HOME", "DBT_TARGET_PATH"):
        env.pop(name, None)
    return env


# ---- landing -----------------------------------------------------------------------------------------


def _spec_dict(args: argparse.Namespace) -> dict:
    return {
        "teams": args.teams,
        "engineers_per_team": args.engineers_per_team,
        "days": args.days,
        "events_per_engineer_day": args.events_per_engineer_day,
        "seed": args.seed,
    }


def ensure_landing(args: argparse.Namespace, workdir: Path) -> dict:
    """Generate <workdir>/landing once; with --reuse-landing keep one generated with the same spec."""
    landing = workdir / "landing"
    stamp = workdir / "landing.json"
    spec = _spec_dict(args)
    if args.reuse_landing and landing.is_dir() and stamp.exists():
        recorded = json.loads(stamp.read_text())
        if recorded.get("spec") == spec:
            return {**recorded, "reused": True}
        print(f"bench: {landing} was generated with {recorded.get('spec')}; regenerating for {spec}", flush=True)
    shutil.rmtree(landing, ignore_errors=True)
    stamp.unlink(missing_ok=True)
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from orchestration.lib.demo.generator import DemoSpec, generate\n"
        f"spec = DemoSpec(**json.loads({json.dumps(json.dumps(spec))}))\n"
        f"summary = generate(spec, Path({str(landing)!r}), None)\n"
        f"Path({str(workdir / 'generate_summary.json')!r}).write_text(json.dumps(summary, default=str))\n"
    )
    print(f"bench: generating the landing {spec} into {landing}", flush=True)
    run = measure("generate", [sys.executable, "-c", code], workdir / "logs" / "generate.log", child_env())
    if run.returncode != 0:
        raise SystemExit(f"bench: generating the landing failed; see {run.log}")
    summary = json.loads((workdir / "generate_summary.json").read_text())
    usage = sorted((landing / "usage").glob("*.ndjson"))
    recorded = {
        "spec": spec,
        "seconds": round(run.wall_seconds, 2),
        "peak_rss_gib": round(run.peak_rss_gib, 3),
        "landing_bytes": sum(path.stat().st_size for path in landing.rglob("*") if path.is_file()),
        "usage_files": len(usage),
        "usage_bytes_per_day": int(sum(path.stat().st_size for path in usage) / max(len(usage), 1)),
        "first_day": usage[0].stem if usage else None,
        "last_day": usage[-1].stem if usage else None,
        "summary": summary,
    }
    stamp.write_text(json.dumps(recorded, indent=2, default=str))
    return {**recorded, "reused": False}


def usage_events_per_day(landing: Path) -> dict[str, int]:
    """Lines of each usage file (one event a line), counted without parsing."""
    counts = {}
    for path in sorted((landing / "usage").glob("*.ndjson")):
        lines = 0
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 24):
                lines += chunk.count(b"\n")
        counts[path.stem] = lines
    return counts


# ---- pipeline runs -------------------------------------------------------------------------------------


def _step_group(step_key: str) -> str:
    if step_key == "warehouse_models":
        return "dbt"
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

    previous = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    try:
        with dg.DagsterInstance.get() as instance:
            runs = instance.get_runs(limit=1)
            if not runs:
                return {}
            run = runs[0]
            entries = instance.all_logs(run.run_id)
    finally:
        if previous is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = previous
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
    groups = {"ingest": 0.0, "dbt": 0.0, "checks": 0.0, "publish": 0.0, "other": 0.0}
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


def collect_dbt_results(run_id: str, into: Path, top: int = 15) -> dict:
    """Move dagster-dbt's per-invocation target folders of this run out of dbt_project/target and summarise
    its run_results.json: the slowest models and tests."""
    found = sorted((DBT_PROJECT_DIR / "target").glob(f"warehouse_models-{run_id[:7]}-*"))
    into.mkdir(parents=True, exist_ok=True)
    summary: dict = {"models": [], "tests": []}
    for folder in found:
        results = folder / "run_results.json"
        if results.exists():
            shutil.copyfile(results, into / "run_results.json")
        shutil.rmtree(folder, ignore_errors=True)
    results = into / "run_results.json"
    if not results.exists():
        return summary
    document = json.loads(results.read_text())
    rows = document.get("results", [])
    summary["elapsed_seconds"] = round(document.get("elapsed_time") or 0.0, 2)  # dbt's own wall time
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
    label: str, workdir: Path, landing: Path, first: date, last: date, full_refresh: bool, events: dict[str, int]
) -> dict:
    """Run `aaw run` for [first, last] in a child process over the work folder `workdir`; all its figures."""
    command = run_command(landing, workdir, first, last, full_refresh)
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
            "stages": stages(measured, run_log),
            "steps": run_log.get("steps", {}),
            "ingest_per_day": run_log.get("ingest_per_day", {}),
            "dbt": collect_dbt_results(run_log["run_id"], runs) if run_log.get("run_id") else {},
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


# ---- the reference: plain DuckDB over the landing files ---------------------------------------------

REFERENCE_SQL = """
set TimeZone = 'UTC';
create table environments as select * from read_csv('{seeds}/environments.csv', header = true);
create table activity_types as select * from read_csv('{seeds}/activity_types.csv', header = true);
create table roster as
    select *, cast(regexp_extract(filename, '(\\d{{4}}-\\d{{2}}-\\d{{2}})', 1) as date) as snapshot_date
    from read_csv('{landing}/roster/*.csv', header = true, filename = true, all_varchar = true);
create table services as
    select service, team_id, cast(valid_from as date) as valid_from, cast(nullif(valid_to, '') as date) as valid_to
    from read_csv('{landing}/services/*.csv', header = true, all_varchar = true);
create table identities as
    select * from read_csv('{landing}/identities/*.csv', header = true, all_varchar = true);

-- identity -> engineer: roster emails and GitHub logins, and identities.csv (vendor ids, aliases)
create table identity_map as
    select distinct identity, engineer_id from (
        select lower(email) as identity, engineer_id from roster
        union all select lower(github_login), engineer_id from roster where coalesce(github_login, '') <> ''
        union all select lower(identity), engineer_id from identities
    )
    qualify row_number() over (partition by identity order by engineer_id) = 1;

-- weekly production deployments per engineer and team: successful production deploys, one per
-- service x environment x commit, owned by the service's team that day, over the team's engineers on
-- the roster snapshot in force on the week's Monday
create table weekly_production_deployments as
with deployments as (
    select * from read_json(
        '{landing}/deployments/*.ndjson', format = 'newline_delimited',
        columns = {{deployment_id: 'VARCHAR', service: 'VARCHAR', environment: 'VARCHAR', commit_sha: 'VARCHAR',
                   status: 'VARCHAR', deployed_at: 'TIMESTAMPTZ', triggered_by: 'VARCHAR', lines_changed: 'BIGINT',
                   rollback_of: 'VARCHAR'}})
),
production as (
    select service, environment, commit_sha, min(deployed_at) as deployed_at
    from deployments
    where status = 'success' and environment in (select environment from environments where is_production)
    group by all
),
owned as (
    select services.team_id, cast(date_trunc('week', production.deployed_at) as date) as week_start
    from production
    inner join services
        on production.service = services.service
        and cast(production.deployed_at as date) >= services.valid_from
        and (services.valid_to is null or cast(production.deployed_at as date) < services.valid_to)
),
weekly as (
    select team_id, week_start, count(*) as production_deploys from owned group by all
),
headcount as (
    select team_id, snapshot_date, count(*) filter (where is_engineer = 'true') as engineers
    from roster group by all
)
select weekly.team_id, weekly.week_start, weekly.production_deploys, headcount.engineers,
    weekly.production_deploys / nullif(headcount.engineers, 0) as production_deploys_per_engineer
from weekly
asof left join headcount
    on weekly.team_id = headcount.team_id and weekly.week_start >= headcount.snapshot_date;

-- monthly active users per tool: distinct engineers with an active-type event in the month
create table monthly_active_users as
with events as (
    select * from read_json(
        '{landing}/usage/*.ndjson', format = 'newline_delimited',
        columns = {{event_id: 'VARCHAR', occurred_at: 'TIMESTAMPTZ', identity: 'VARCHAR', tool: 'VARCHAR',
                   event_type: 'VARCHAR', quantity: 'BIGINT'}})
)
select events.tool, cast(date_trunc('month', events.occurred_at) as date) as month_start,
    count(distinct identity_map.engineer_id) as monthly_active_users,
    count(*) as active_events
from events
inner join identity_map on lower(events.identity) = identity_map.identity
where events.event_type in (select activity_type from activity_types where is_active)
group by all;
"""


def reference_run(workdir: Path, landing: Path) -> dict:
    folder = workdir / "reference"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sql = REFERENCE_SQL.format(landing=landing.as_posix(), seeds=SEEDS_DIR.as_posix())
    (folder / "reference.sql").write_text(sql)
    code = (
        "import json, sys, duckdb\n"
        f"con = duckdb.connect({str(folder / 'reference.duckdb')!r})\n"
        f"con.execute(\"set temp_directory = '{(folder / 'tmp').as_posix()}'\")\n"
        f"con.execute(open({str(folder / 'reference.sql')!r}).read())\n"
        "rows = {name: con.execute(f'select count(*) from {name}').fetchall()[0][0]\n"
        "        for name in ('weekly_production_deployments', 'monthly_active_users')}\n"
        "mau = con.execute('select tool, month_start, monthly_active_users from monthly_active_users "
        "order by all').fetchall()\n"
        f"open({str(folder / 'rows.json')!r}, 'w').write(json.dumps({{'rows': rows, 'monthly_active_users': "
        "[[tool, str(month), users] for tool, month, users in mau]}))\n"
    )
    print("bench: reference (plain DuckDB over the landing files)", flush=True)
    measured = measure("reference", [sys.executable, "-c", code], folder / "run.log", child_env())
    figures = measured.figures()
    if (folder / "rows.json").exists():
        figures.update(json.loads((folder / "rows.json").read_text()))
    print(f"bench: reference: {figures['wall_seconds']:.1f} s, peak {figures['peak_rss_gib']:.2f} GiB", flush=True)
    return figures


# ---- ingest probe: parse_usage_events alone on one day --------------------------------------------------


def ingest_probe(workdir: Path, landing: Path, day: date) -> dict:
    folder = workdir / "ingest_probe"
    folder.mkdir(parents=True, exist_ok=True)
    code = (
        "import json, time\n"
        "from datetime import date\n"
        "from pathlib import Path\n"
        "from orchestration.defs.ingest.connectors import generic\n"
        "from orchestration.lib import reference\n"
        f"landing, day = Path({str(landing)!r}), date.fromisoformat({day.isoformat()!r})\n"
        "files = sorted((landing / 'usage').glob(f'{day.isoformat()}*.ndjson'))\n"
        "start = time.perf_counter()\n"
        "data = [(f'usage/{path.name}', path.read_bytes()) for path in files]\n"
        "read = time.perf_counter()\n"
        "usage = generic.parse_usage_events(data, day, reference.load_catalogue(landing))\n"
        "parsed = time.perf_counter()\n"
        f"open({str(folder / 'probe.json')!r}, 'w').write(json.dumps({{'day': day.isoformat(), "
        "'bytes': sum(len(blob) for _, blob in data), 'events': usage.records_read, "
        "'rows_out': usage.activity.num_rows, 'rejects': len(usage.rejects), "
        "'read_seconds': round(read - start, 3), 'parse_seconds': round(parsed - read, 3)}))\n"
    )
    print(f"bench: ingest probe: generic.parse_usage_events on {day}", flush=True)
    measured = measure("ingest_probe", [sys.executable, "-c", code], folder / "run.log", child_env())
    figures = measured.figures()
    if (folder / "probe.json").exists():
        figures.update(json.loads((folder / "probe.json").read_text()))
    print(
        f"bench: ingest probe: parse {figures.get('parse_seconds')} s for {figures.get('events')} events, "
        f"peak {figures['peak_rss_gib']:.2f} GiB",
        flush=True,
    )
    return figures


# ---- results -------------------------------------------------------------------------------------------


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, 3)


def _wall(runs: dict, name: str) -> float | None:
    run = runs.get(name)
    return run["wall_seconds"] if run and run.get("success") else None


def evaluate(results: dict) -> dict:
    runs, reference = results["runs"], results.get("reference") or {}
    nightly = [wall for wall in (_wall(runs, "nightly_early"), _wall(runs, "nightly_late")) if wall is not None]
    ratios = {
        "full_backfill_over_reference": _ratio(
            _wall(runs, "full_backfill"), reference.get("wall_seconds") if reference.get("success") else None
        ),
        "nightly_late_over_early": _ratio(_wall(runs, "nightly_late"), _wall(runs, "nightly_early")),
    }
    pipeline_peaks = [run["peak_rss_gib"] for run in runs.values() if run]
    values = {
        "nightly_wall_seconds": max(nightly) if nightly else None,
        "nightly_late_over_early": ratios["nightly_late_over_early"],
        "full_backfill_over_reference": ratios["full_backfill_over_reference"],
        "peak_rss_gib": max(pipeline_peaks) if pipeline_peaks else None,
    }
    targets = {
        name: {"limit": limit, "value": values[name], "passed": None if values[name] is None else values[name] <= limit}
        for name, limit in TARGETS.items()
    }
    return {"ratios": ratios, "targets": targets}


def table(results: dict) -> str:
    rows = [("figure", "wall s", "cpu s", "peak GiB", "ingest", "dbt", "checks", "publish", "overhead", "ok")]
    for name, run in results["runs"].items():
        if not run:
            continue
        part = run.get("stages", {})
        rows.append(
            (
                f"{name} ({run['first_day']}..{run['last_day']})",
                f"{run['wall_seconds']:.1f}",
                f"{run['cpu_seconds']:.0f}",
                f"{run['peak_rss_gib']:.2f}",
                *(f"{part.get(stage, 0):.1f}" for stage in ("ingest", "dbt", "checks", "publish", "overhead")),
                "yes" if run["success"] else "NO",
            )
        )
    for name in ("reference", "ingest_probe"):
        run = results.get(name)
        if run:
            rows.append(
                (
                    name,
                    f"{run['wall_seconds']:.1f}",
                    f"{run['cpu_seconds']:.0f}",
                    f"{run['peak_rss_gib']:.2f}",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "yes" if run["success"] else "NO",
                )
            )
    widths = [max(len(str(row[column])) for row in rows) for column in range(len(rows[0]))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    lines.append("")
    for name, value in results["ratios"].items():
        lines.append(f"{name}: {value}")
    for name, target in results["targets"].items():
        verdict = {True: "pass", False: "FAIL", None: "n/a"}[target["passed"]]
        lines.append(f"target {name} <= {target['limit']}: {target['value']} {verdict}")
    if not results["at_target_scale"]:
        lines.append("(smaller than the target organisation: the targets are evaluated but not meaningful)")
    return "\n".join(lines)


# ---- main --------------------------------------------------------------------------------------------


MEASUREMENTS = ("reference", "nightly", "backfill", "probe")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="aaw bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--teams", type=int, default=TARGET_SCALE["teams"])
    parser.add_argument("--engineers-per-team", type=int, default=TARGET_SCALE["engineers_per_team"])
    parser.add_argument("--days", type=int, default=TARGET_SCALE["days"])
    parser.add_argument("--events-per-engineer-day", type=float, default=TARGET_SCALE["events_per_engineer_day"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=REPO_ROOT / "bench" / "work")
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS, help="where results.json goes")
    parser.add_argument(
        "--reuse-landing", action="store_true", help="keep <workdir>/landing if it was generated with the same spec"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=MEASUREMENTS,
        help="measure only these (repeatable); default: all of " + ", ".join(MEASUREMENTS),
    )
    parser.add_argument(
        "--setup",
        choices=("backfill", "daily"),
        default="backfill",
        help="history before each measured nightly: one backfill run (fast), or one nightly run per day "
        "(slow; the run history of Dagster and Great Expectations grows as in production)",
    )
    parser.add_argument("--keep-state", action="store_true", help="keep the lake/warehouse work folders afterwards")
    args = parser.parse_args(argv)
    if args.days < 2:
        parser.error("--days must be at least 2 (a nightly run needs a day of history)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    only = set(args.only or MEASUREMENTS)
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    landing_info = ensure_landing(args, workdir)
    landing = workdir / "landing"
    events = usage_events_per_day(landing)
    start = date.fromisoformat(landing_info["first_day"])
    day = lambda number: start + timedelta(days=number - 1)  # noqa: E731 - day number 1..days
    early, late = max(args.days // 2, 2), args.days

    results: dict = {
        "generated_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "spec": _spec_dict(args),
        "at_target_scale": all(_spec_dict(args)[name] >= value for name, value in TARGET_SCALE.items()),
        "machine": machine(),
        "landing": {
            **{key: value for key, value in landing_info.items() if key != "summary"},
            "usage_events_total": sum(events.values()),
            "usage_events_per_day_mean": round(sum(events.values()) / max(len(events), 1)),
            "engineers": args.teams * args.engineers_per_team,
        },
        "nightly_days": {"early": early, "late": late},
        "setup": args.setup,
        "runs": {},
        "setup_daily": [],
        "reference": None,
        "ingest_probe": None,
    }
    runs = results["runs"]

    if "reference" in only:
        results["reference"] = reference_run(workdir, landing)
    if "nightly" in only:
        state = workdir / "nightly"
        shutil.rmtree(state, ignore_errors=True)
        setup = _setup_daily if args.setup == "daily" else _setup_backfill
        setup(results, state, landing, day(1), day(early - 1), True, events, "setup_before_early")
        runs["nightly_early"] = pipeline_run("nightly_early", state, landing, day(early), day(early), False, events)
        if late - 1 > early:
            setup(results, state, landing, day(early + 1), day(late - 1), False, events, "setup_before_late")
        runs["nightly_late"] = pipeline_run("nightly_late", state, landing, day(late), day(late), False, events)
        results["nightly_state_bytes"] = _folder_bytes(state)
        if not args.keep_state:
            _drop_state(state)
    if "backfill" in only:
        state = workdir / "backfill"
        shutil.rmtree(state, ignore_errors=True)
        runs["full_backfill"] = pipeline_run("full_backfill", state, landing, day(1), day(late), True, events)
        results["backfill_state_bytes"] = _folder_bytes(state)
        if not args.keep_state:
            _drop_state(state)
    if "probe" in only:
        results["ingest_probe"] = ingest_probe(workdir, landing, day(late))

    results.update(evaluate(results))
    results["bench_seconds"] = round(time.perf_counter() - began, 1)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print()
    print(table(results))
    print(f"\nbench: results in {args.results}")
    measured = [run for run in runs.values() if run] + [
        results[name] for name in ("reference", "ingest_probe") if results[name]
    ]
    return 0 if all(run["success"] for run in measured) else 1


def _setup_backfill(
    results: dict, state: Path, landing: Path, first: date, last: date, full_refresh: bool, events: dict, label: str
) -> None:
    """The history before a measured nightly, as one backfill run (fast; recorded as a smaller backfill)."""
    results["runs"][label] = pipeline_run(label, state, landing, first, last, full_refresh, events)


def _setup_daily(
    results: dict, state: Path, landing: Path, first: date, last: date, full_refresh: bool, events: dict, label: str
) -> None:
    """The history before a measured nightly, one nightly run per day as in production: the run history
    (Dagster event log, Great Expectations results, releases) grows as it would. Each run is summarised."""
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        run = pipeline_run(f"{label}_{day.isoformat()}", state, landing, day, day, full_refresh and offset == 0, events)
        results["setup_daily"].append(
            {key: run[key] for key in ("first_day", "wall_seconds", "cpu_seconds", "peak_rss_gib", "success", "stages")}
        )
        if not run["success"]:
            raise SystemExit(f"bench: setup run for {day} failed; see {run['log']}")


def _folder_bytes(folder: Path) -> dict[str, int]:
    if not folder.exists():
        return {}
    sizes = {}
    for child in sorted(folder.iterdir()):
        paths = [child] if child.is_file() else [path for path in child.rglob("*") if path.is_file()]
        sizes[child.name] = sum(path.stat().st_size for path in paths)
    return sizes


def _drop_state(folder: Path) -> None:
    """Free the disk a run's lake and warehouse took (the logs and run results under runs/ stay)."""
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
