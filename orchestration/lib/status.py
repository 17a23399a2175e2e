"""`aaw status`: the last runs, the current publication and the open guard signals of a work folder.

Runs come from the Dagster instance in <workdir>/dagster_home (status, start, the partition window tags, and
for a failed run the checks that failed or the step that failed); the publication from
published/manifest.json; open guard signals from published/current/marts.duckdb (read-only), i.e. what BI
users see. Nothing here writes to the work folder.

read_status() returns a Status (pure data); render_text() turns it into what the CLI prints.
"""

import json
import textwrap
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.lib.run_history import CLI_TRIGGER, UNFINISHED, lock_is_held
from orchestration.lib.workspace import Workspace, write_instance_settings

WINDOW_START_TAG = "dagster/asset_partition_range_start"
WINDOW_END_TAG = "dagster/asset_partition_range_end"
SIGNAL_EXAMPLES = 3


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    status: str
    job: str
    started_at: datetime | None
    ended_at: datetime | None
    window: tuple[str | None, str | None]
    trigger: str | None
    failed_checks: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class Publication:
    release: str
    run_id: str
    published_at: str
    data_window: dict
    row_counts: dict[str, int]
    checks_passed: int
    checks_failed: list[str]
    report: Path | None
    records_left_out: dict[str, dict] = field(default_factory=dict)


@dataclass(frozen=True)
class Status:
    workdir: Path
    runs: list[RunSummary]
    publication: Publication | None
    open_signals: dict[str, int]
    signal_examples: dict[str, list[dict]]
    problems: list[str] = field(default_factory=list)


def _timestamp(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value else None


def read_runs(dagster_home: Path, limit: int = 5) -> list[RunSummary]:
    """The last runs of the Dagster instance in dagster_home, newest first ([] when there is none)."""
    if not (dagster_home / "storage").is_dir():
        return []
    import dagster as dg

    summaries = []
    write_instance_settings(dagster_home)
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        for record in instance.get_run_records(limit=limit):
            run = record.dagster_run
            failed_checks, failed_steps = [], []
            if run.status == dg.DagsterRunStatus.FAILURE:
                failed_checks, failed_steps = _failures(instance, run.run_id)
            summaries.append(
                RunSummary(
                    run_id=run.run_id,
                    status=run.status.value,
                    job=run.job_name,
                    started_at=_timestamp(record.start_time) or record.create_timestamp,
                    ended_at=_timestamp(record.end_time),
                    window=_window(run.tags),
                    trigger=run.tags.get("aaw/trigger") or run.tags.get("dagster/schedule_name"),
                    failed_checks=failed_checks,
                    failed_steps=failed_steps,
                )
            )
    return summaries


def _window(tags: Mapping[str, str]) -> tuple[str | None, str | None]:
    """A range run's first and last day, or the one day of a scheduled run (tag dagster/partition)."""
    day = tags.get("dagster/partition")
    return tags.get(WINDOW_START_TAG) or day, tags.get(WINDOW_END_TAG) or day


def _failures(instance, run_id: str) -> tuple[list[str], list[str]]:
    import dagster as dg

    checks = {}
    for event in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = event.dagster_event.event_specific_data
        if not evaluation.passed:
            where = f"{evaluation.asset_key.to_user_string()} {evaluation.check_name}"
            description = f": {evaluation.description}" if evaluation.description else ""
            checks[where] = f"[{evaluation.severity.value}] {where}{description}"
    steps = []
    for event in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE):
        data = event.dagster_event.step_failure_data
        error = data.error if data else None
        if error is not None and error.cls_name == "DagsterAssetCheckFailedError":
            continue  # a blocking check: listed above
        message = ((error.cause or error).message.strip().splitlines() or [""])[0] if error else "failed"
        steps.append(f"{event.dagster_event.step_key}: {message}")
    if not checks and not steps:  # failed as a whole, e.g. a killed run closed by the next one
        for event in instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_FAILURE):
            steps.append(f"run: {event.dagster_event.message}")
    return list(checks.values()), steps


def read_publication(published: Path) -> Publication | None:
    manifest_path = published / "manifest.json"
    if not manifest_path.exists():
        return None
    manifest = json.loads(manifest_path.read_text())
    checks: dict[tuple[str, str], bool] = {}
    severities: dict[tuple[str, str], str] = {}
    for check in manifest.get("checks", []):
        key = (check["asset"], check["check"])
        checks[key] = checks.get(key, True) and check["passed"]
        if not check["passed"]:
            severities[key] = check["severity"]
    report = published / "report" / "index.html"
    return Publication(
        release=(published / "current").resolve().name,
        run_id=manifest.get("run_id", ""),
        published_at=manifest.get("published_at", ""),
        data_window=manifest.get("data_window") or {},
        row_counts=manifest.get("row_counts", {}),
        checks_passed=sum(1 for passed in checks.values() if passed),
        checks_failed=[
            f"[{severities[key]}] {key[0]} {key[1]}" for key, passed in sorted(checks.items()) if not passed
        ],
        report=report if report.exists() else None,
        records_left_out=manifest.get("records_left_out", {}),
    )


def read_open_signals(marts: Path) -> tuple[dict[str, int], dict[str, list[dict]]]:
    """Open (not acknowledged) guard signals of the publication: counts by type, and a few of each."""
    if not marts.exists():
        return {}, {}
    with duckdb.connect(str(marts), read_only=True) as con:
        cursor = con.execute(
            "select signal_type, entity_type, entity_id, period_start, detail, is_excluded "
            "from mart_guard_signals where not is_acknowledged "
            "order by signal_type, period_start desc, entity_id"
        )
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    counts = Counter(row["signal_type"] for row in rows)
    examples: dict[str, list[dict]] = {}
    for row in rows:
        if len(examples.setdefault(row["signal_type"], [])) < SIGNAL_EXAMPLES:
            examples[row["signal_type"]].append(row)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0]))), examples


def _interrupted(run: RunSummary) -> RunSummary:
    """A command-line run still in progress while no process holds the workdir lock lost its process."""
    if run.trigger != CLI_TRIGGER or run.status not in UNFINISHED:
        return run
    return replace(run, note="its process is gone (killed?): the next aaw run of this workdir marks it FAILED")


def read_status(workspace: Workspace, runs: int = 5) -> Status:
    problems = []
    try:
        run_summaries = read_runs(workspace.dagster_home, runs)
    except Exception as error:  # a broken or newer instance must not hide the publication
        run_summaries = []
        problems.append(f"cannot read the run history in {workspace.dagster_home}: {error}")
    if not lock_is_held(workspace.run_lock):
        run_summaries = [_interrupted(run) for run in run_summaries]
    publication = read_publication(workspace.published)
    try:
        counts, examples = read_open_signals(workspace.published / "current" / "marts.duckdb")
    except duckdb.Error as error:
        counts, examples = {}, {}
        problems.append(f"cannot read the published guard signals: {error}")
    return Status(workspace.workdir, run_summaries, publication, counts, examples, problems)


def _when(moment: datetime | None) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC" if moment else "–"


def left_out_lines(records_left_out: dict[str, dict]) -> list[str]:
    """One line per entity with records quarantined (unreadable) or excluded by definition (with reasons), and
    one per landing file its ingest did not read."""
    lines = []
    for entity, counts in sorted(records_left_out.items()):
        if counts["quarantined"] or counts["excluded"]:
            reasons = ", ".join(f"{reason} {count:,}" for reason, count in sorted(counts["excluded_by_reason"].items()))
            lines.append(
                f"{entity}: {counts['quarantined']:,} quarantined (lake/quarantine), "
                f"{counts['excluded']:,} excluded by definition"
                + (f" ({reasons})" if reasons else "")
                + f" of {counts['records_read']:,} read"
            )
    return lines + ignored_lines(records_left_out)


def ignored_lines(records_left_out: dict[str, dict]) -> list[str]:
    """One line per landing file an ingest did not read, with the reason."""
    return [
        f"{name} ignored ({reason})"
        for counts in records_left_out.values()
        for name, reason in sorted(counts.get("ignored_files", {}).items())
    ]


def render_text(status: Status) -> str:
    lines = [f"Work folder: {status.workdir}", "", "Last runs (newest first):"]
    if not status.runs:
        lines.append("  none (no Dagster run history in dagster_home)")
    for run in status.runs:
        window = f"{run.window[0]}..{run.window[1]}" if run.window[0] else "no window tags"
        duration = ""
        if run.started_at and run.ended_at:
            duration = f", {(run.ended_at - run.started_at).total_seconds():.0f}s"
        lines.append(
            f"  {run.run_id}  {run.status:<9} started {_when(run.started_at)}{duration}  window {window}"
            f"  job {run.job}" + (f"  ({run.trigger})" if run.trigger else "")
        )
        lines += [f"      {run.note}"] if run.note else []
        lines += [f"      failed check {check}" for check in run.failed_checks]
        lines += [f"      failed step  {step}" for step in run.failed_steps]
    lines += ["", "Current publication:"]
    publication = status.publication
    if publication is None:
        lines.append("  none yet (published/manifest.json does not exist)")
    else:
        window = publication.data_window
        lines += [
            f"  release      {publication.release}",
            f"  run          {publication.run_id}",
            f"  published at {publication.published_at}",
            f"  data window  {window.get('first_day', '–')} to {window.get('last_day', '–')}",
            f"  checks       {publication.checks_passed} passed, {len(publication.checks_failed)} failed",
            *(f"               {check}" for check in publication.checks_failed),
            *textwrap.wrap(
                ", ".join(f"{mart} {count:,}" for mart, count in publication.row_counts.items()),
                110,
                initial_indent="  row counts   ",
                subsequent_indent=" " * 15,
            ),
        ]
        lines += [f"  left out     {line}" for line in left_out_lines(publication.records_left_out)]
        if publication.report:
            lines.append(f"  report       {publication.report}")
    lines += ["", "Open guard signals (published, not acknowledged):"]
    if not status.open_signals:
        lines.append("  none")
    for signal_type, count in status.open_signals.items():
        lines.append(f"  {signal_type}: {count}")
        for example in status.signal_examples.get(signal_type, []):
            lines.append(
                f"      {example['entity_type']} {example['entity_id']} from {example['period_start']}: "
                f"{example['detail']}" + ("" if example["is_excluded"] else " (not excluded)")
            )
    if status.problems:
        lines += ["", "Problems:", *(f"  - {problem}" for problem in status.problems)]
    return "\n".join(lines) + "\n"
