"""A sensor that requests a run over the days whose landing files are new or changed."""

import contextlib
import hashlib
import json
from datetime import date

import dagster as dg

from orchestration.defs.ingest.vendor_routing import (
    VendorFiles,
    activity_day_of,
    closed_day_of,
    deployed_day_of,
    spend_day_of,
)
from orchestration.defs.resources import WorkspaceResource
from orchestration.defs.schedules import pipeline_job
from orchestration.lib import landing_safety
from orchestration.lib.landing_files import DAILY_FOLDERS as DAILY_ENTITIES
from orchestration.lib.landing_files import OPTIONAL_DAILY_FOLDERS, is_daily_path, path_day_of
from orchestration.lib.workspace import Workspace


def landing_state(workspace: Workspace) -> dict[str, list[int]]:
    """Every landing file (relative path) with its size and modification time (nanoseconds)."""
    if not workspace.landing.exists():
        return {}
    return {
        path.relative_to(workspace.landing).as_posix(): [(status := path.stat()).st_size, status.st_mtime_ns]
        for path in sorted(workspace.landing.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def run_key(first: date, last: date, changed: dict[str, list[int]]) -> str:
    """The same for the same changed files in any process (Python's hash() is salted per process: after a
    daemon restart the same files would be requested again)."""
    digest = hashlib.sha256(json.dumps(sorted(changed.items())).encode()).hexdigest()[:16]
    return f"{first}..{last}:{digest}"


# The daily entities' landing folders, the optional pull requests' too. A vendor file below one
# (usage/<format>/...) may hold records of any days, whatever its name says (a Cursor range export, GitHub REST
# pages of pull requests): the sensor reads it for them, routing each record by the day ingest gives it.
RECORD_DAYS = {
    "tool_activity": activity_day_of,
    "deployments": deployed_day_of,
    "pull_requests": closed_day_of,
    "spend": spend_day_of,
}
DAILY_FOLDERS = {
    folder: (entity, RECORD_DAYS[entity]) for folder, entity in {**DAILY_ENTITIES, **OPTIONAL_DAILY_FOLDERS}.items()
}


def is_daily_vendor_file(path: str) -> bool:
    return any(path.startswith(f"{folder}/") and path.count("/") >= 2 for folder in DAILY_FOLDERS)


def vendor_days(workspace: Workspace, changed: list[str]) -> set[date]:
    """The days of the records in the changed vendor files of the daily entities, now and when last read.
    A folder the pipeline does not know adds none: the run requested for the other days fails naming it."""
    days: set[date] = set()
    for folder, (entity, record_day) in DAILY_FOLDERS.items():
        mine = {path for path in changed if path.startswith(f"{folder}/") and is_daily_vendor_file(path)}
        if mine:
            with contextlib.suppress(dg.Failure):
                days |= VendorFiles(workspace, folder, entity, record_day).days_of(mine)
    return days


def days_touched(changed: list[str], known_days: list[date]) -> list[date]:
    """Days named in the changed paths of the daily entities. Any other file (teams, grants, a survey export
    named by its fielding date) touches the day it names only inside the days the daily sources hold, else
    the latest of them: a date in its name never widens a run to days without deployments or usage."""
    days = set()
    for path in changed:
        day = path_day_of(path)
        if day and (is_daily_path(path) or (known_days and min(known_days) <= day <= max(known_days))):
            days.add(day)
        elif known_days:
            days.add(max(known_days))
    return sorted(days)


def lake_days(workspace: Workspace) -> set[date]:
    """The days the lake already holds of the daily entities (a vendor-only landing names few days)."""
    return {
        date.fromisoformat(path.name.removeprefix("day="))
        for folder in DAILY_FOLDERS.values()
        for path in (workspace.raw / folder[0]).glob("day=*")
    }


@dg.sensor(job=pipeline_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED)
def landing_files_sensor(
    context: dg.SensorEvaluationContext, workspace: WorkspaceResource
) -> dg.SensorResult | dg.SkipReason:
    return _request_changed_days(context, workspace.paths())


def _request_changed_days(context: dg.SensorEvaluationContext, workspace: Workspace) -> dg.SensorResult | dg.SkipReason:
    previous = json.loads(context.cursor) if context.cursor else {}
    current = landing_state(workspace)
    changed = [path for path, state in current.items() if previous.get(path) != state]
    if not changed:
        return dg.SkipReason("no new or changed landing files")
    # a link out of landing is never opened here either: the run requested for its day refuses it, saying so
    refused = landing_safety.links_leaving(workspace.landing, workspace.landing)
    # a daily vendor export's name says nothing reliable about its days: its records do
    named = [path for path in changed if not is_daily_vendor_file(path) or path in refused]
    changed_vendor_days = vendor_days(workspace, [path for path in changed if path not in refused])
    daily_files = [path for path in current if is_daily_path(path) and not is_daily_vendor_file(path)]
    known_days = sorted({*days_touched(daily_files, []), *lake_days(workspace), *changed_vendor_days})
    days = sorted({*days_touched(named, known_days), *changed_vendor_days})
    if not days:
        return dg.SkipReason("changed files name no day and no dated file exists yet")
    first, last = days[0].isoformat(), days[-1].isoformat()
    request = dg.RunRequest(
        run_key=run_key(days[0], days[-1], {path: current[path] for path in changed}),
        tags={
            "dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": last,
            "aaw/trigger": "landing_files_sensor",
        },
    )
    context.log.info(f"{len(changed)} new or changed landing file(s): requesting {first}..{last}")
    return dg.SensorResult(run_requests=[request], cursor=json.dumps(current))
