"""The last lines of a run: what it published and what the numbers say, or why it stopped and what to do.

A data problem is explained in four parts (the gate or step, what it found, what that means, what to do
next) with the command that reruns the window; the traceback and every log line stay in the log file.
"""

import json
import re
import textwrap
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

from orchestration.lib.workspace import Workspace
from orchestration.terminal.progress import elapsed, stage_name

WIDTH = 110
MOST_FAILURES_SHOWN = 5
MOST_ORGS_SHOWN = 6
GATE_TEXT = re.compile(
    r"^gate (?P<gate>\S+) failed: (?P<explanation>.*?); (?P<count>\d+) violation\(s\): (?P<sample>.*)$", re.S
)
NEXT_BY_STAGE = {
    "raw": "fix or re-export the landing files named above (lake/quarantine/<entity>/ lists each rejected "
    "record's file, line and reason; write an empty file for a day with nothing), or override the threshold in "
    "landing/reference/metric_vars.csv if it does not fit your organisation",
    "warehouse": "if the case is known and acceptable, acknowledge it in landing/reference/guard_acknowledgements.csv; "
    "if the threshold does not fit your organisation, override it in landing/reference/metric_vars.csv; otherwise "
    "fix the feed it comes from",
}
UNCHANGED = "Nothing was published: the previous publication (if any) and the lake are as they were before the run"
FAILURE_PREFIX = re.compile(r"^[\w.]*Failure: ")


@dataclass(frozen=True)
class RunFacts:
    """What the summary needs to know of a finished run besides its result."""

    workspace: Workspace
    first: date
    last: date
    seconds: float
    log_path: Path
    rerun: str
    check_meanings: dict  # AssetCheckKey -> the check's description (what it guarantees)


def _part(label: str, text: str) -> list[str]:
    """One part of a problem as one line (a terminal wraps it; a file or a grep keeps it whole)."""
    text = " ".join(text.split())
    if len(text) > 1500:
        text = text[:1500] + " ... (the whole text is in the log)"
    return [f"  {label:<7}{text}"]


def failure_lines(result, facts: RunFacts) -> list[str]:
    failed_checks = [
        evaluation
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity.value == "ERROR"
    ]
    failed_steps = [
        event
        for event in result.all_events
        if event.is_step_failure
        and event.step_failure_data.error
        and event.step_failure_data.error.cls_name != "DagsterAssetCheckFailedError"
    ]
    failed_stages = [event.step_key for event in result.all_events if event.is_step_failure]
    where = ", ".join(dict.fromkeys(stage_name(step) for step in failed_stages)) or "a gate"
    lines = [f"Run {result.run_id[:8]} FAILED at {where} after {elapsed(facts.seconds)}. {UNCHANGED}.", ""]
    problems = [_check_problem(evaluation, facts) for evaluation in failed_checks]
    problems += [step_problem(event) for event in failed_steps if not _only_blocked_by_checks(event, failed_checks)]
    for problem in problems[:MOST_FAILURES_SHOWN]:
        lines += [*problem, ""]
    if len(problems) > MOST_FAILURES_SHOWN:
        lines += [f"... and {len(problems) - MOST_FAILURES_SHOWN} more: see the log.", ""]
    lines += ["Then rerun the window:", f"  {facts.rerun}", f"Log (every step, tracebacks): {facts.log_path}"]
    return lines


def _only_blocked_by_checks(event, failed_checks) -> bool:
    """A gate's step fails because its checks did; the checks say it better than the step."""
    return bool(failed_checks) and event.step_key in ("landing_gates", "publication_gates")


def _check_problem(evaluation, facts: RunFacts) -> list[str]:
    subject = evaluation.asset_key.to_user_string()
    text = evaluation.description or "the check failed without a description"
    next_step = NEXT_BY_STAGE.get(evaluation.asset_key.path[0], "see the log")
    if found := GATE_TEXT.match(text):
        explanation, next_step = _split_remedy(found["explanation"], next_step)
        text = f"{explanation}: {found['count']} violation(s), e.g. {found['sample']}"
    elif "To fix:" in text:
        text, next_step = (part.strip() for part in text.split("To fix:", 1))
    meaning = facts.check_meanings.get(evaluation.asset_check_key) or f"the {evaluation.check_name} gate holds"
    gate = getattr(evaluation.metadata.get("gate"), "value", None) or evaluation.check_name  # with its entity
    return [
        f"Gate {gate} on {subject}",
        *_part("Found:", text),
        *_part("Means:", f"{meaning} It does not, so the run stopped before publishing."),
        *_part("Next:", next_step),
    ]


def _split_remedy(explanation: str, fallback: str) -> tuple[str, str]:
    """A gate's explanation says what is wrong, then what to do: its last sentence (or clause after a colon)."""
    for separator in (". ", ": "):
        head, _, remedy = explanation.rpartition(separator)
        if head:
            return head, remedy[:1].upper() + remedy[1:]
    return explanation, fallback


def step_problem(event) -> list[str]:
    error = event.step_failure_data.error
    inner = error.cause or error
    message = FAILURE_PREFIX.sub("", inner.message.strip())
    if inner.cls_name == "Failure":  # raised on purpose by a step that found a data problem
        found, next_step = message, "fix or re-export the file the message names (it says how), then rerun"
        for marker in (". Rename", ". Fix", ": fix", "; fix", ", then rerun", ". Re-export", ": re-export"):
            head, _, tail = message.partition(marker)
            if tail:
                found, next_step = head, marker.lstrip(".:;, ") + tail
                break
    elif inner.cls_name == "DagsterExecutionInterruptedError":  # Ctrl-C, or a stop from the UI: no fault
        found = "the run was interrupted before this step finished"
        next_step = "run it again when you are ready"
    else:
        found = f"an unexpected error in the pipeline ({inner.cls_name}: {message.splitlines()[0] if message else ''})"
        next_step = "rerun once; if it fails again, report it with the log file"
    return [
        f"Step {stage_name(event.step_key)}",
        *_part("Found:", found),
        *_part("Means:", f"the step could not finish, so the run stopped. {UNCHANGED}."),
        *_part("Next:", next_step),
    ]


def success_lines(result, facts: RunFacts) -> list[str]:
    evaluations = list(result.get_asset_check_evaluations())
    passed = sum(evaluation.passed for evaluation in evaluations)
    warned = len(evaluations) - passed
    published = facts.workspace.published
    lines = [
        f"Published {facts.first}..{facts.last} in {elapsed(facts.seconds)} (run {result.run_id[:8]}).",
        f"Checks: {passed} passed, {warned} warned (WARN only informs), 0 failed.",
        *_row_count_lines(published / "current" / "manifest.json"),
        *_headline_lines(published / "current" / "marts.duckdb", facts.last),
        f"Report:    {published / 'report' / 'index.html'}",
        f"BI reads:  {published / 'current' / 'marts.duckdb'} (read-only)",
        f"Log:       {facts.log_path}",
    ]
    return lines


def _row_count_lines(manifest: Path) -> list[str]:
    try:
        counts = json.loads(manifest.read_text())["row_counts"]
    except (OSError, ValueError, KeyError):
        return []
    cells = [f"{name}\N{NO-BREAK SPACE}{rows:,}" for name, rows in counts.items()]  # a name keeps its count on its line
    return ["Rows per mart:", *textwrap.wrap(", ".join(cells), WIDTH, initial_indent="  ", subsequent_indent="  ")]


def _share(value) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _number(value) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _headline_lines(marts: Path, last: date) -> list[str]:
    """The org headline numbers of the latest week whose seven days are all in the data."""
    if not marts.exists():
        return []
    with duckdb.connect(str(marts), read_only=True) as con:
        week = con.execute(
            "select max(week_start) from mart_org_weekly where week_start + interval 6 day <= ?", [last]
        ).fetchone()[0]
        if week is None:
            return ["Headline: no complete week in the data yet."]
        rows = con.execute(
            "select org, teams, adopting_teams, adoption_rate, headcount, deploys_per_engineer, change_failure_rate, "
            "teams_on_track from mart_org_weekly where week_start = ? order by org",
            [week],
        ).fetchall()
    end = week + timedelta(days=6)
    lines = [f"Latest complete week, {week}..{end}:"]
    for org, teams, adopting, adoption, headcount, deploys, failure_rate, on_track in rows[:MOST_ORGS_SHOWN]:
        lines.append(
            f"  {org}: {headcount} engineers in {teams} teams; AI adoption {_share(adoption)} of teams "
            f"({adopting}); {_number(deploys)} deploys per engineer; change failure {_share(failure_rate)}; "
            f"{on_track} team(s) on track"
        )
    if len(rows) > MOST_ORGS_SHOWN:
        lines.append(f"  ... and {len(rows) - MOST_ORGS_SHOWN} more orgs: see the report")
    return lines
