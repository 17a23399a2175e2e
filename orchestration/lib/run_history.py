"""Runs a killed process left behind in the run history, and how the next run of the workdir closes them.

A run killed with -9 (or a machine that stopped) never writes its end: Dagster keeps it STARTED for good.
Only a run holding the workdir lock may close such runs: while it holds the lock, no other `aaw run` of the
workdir is alive, so a run of that trigger still marked in progress has lost its process.
"""

import fcntl
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # dagster is imported where runs are read: `aaw status` of a fresh workdir needs none of it
    import dagster as dg

TRIGGER_TAG = "aaw/trigger"
PID_TAG = "aaw/pid"
CLI_TRIGGER = "cli"
UNFINISHED = ("NOT_STARTED", "STARTING", "STARTED", "CANCELING")  # DagsterRunStatus values


def lock_is_held(lock_file: Path) -> bool:
    """Whether a live process holds the workdir lock (read-only probe: it never creates the file)."""
    try:
        descriptor = os.open(lock_file, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False


def abandoned_message(run: "dg.DagsterRun", closed_by: str, lake_outcome: str | None) -> str:
    pid = run.tags.get(PID_TAG)
    process = f"its process (pid {pid})" if pid else "its process"
    lake = {
        "committed": "it had switched its publication in, which stays current, and its lake changes were kept",
        "rolled back": "its lake changes were rolled back and the previous publication stayed current",
    }.get(lake_outcome or "", "it had left no lake changes to settle; the previous publication stayed current")
    return (
        f"did not finish: {process} ended without recording an outcome (killed, or the machine stopped); "
        f"{lake}. Marked failed by run {closed_by} of the same workdir."
    )


def fail_abandoned_runs(
    instance: "dg.DagsterInstance", closed_by: str, lake_outcomes: dict[str, str] | None = None
) -> list[str]:
    """Mark the command-line runs still in progress as failed, each with what became of its lake changes
    (`lake_outcomes`, run id -> committed / rolled back); the caller must hold the workdir lock. Runs launched
    from the UI or the schedule are left to Dagster's own run monitoring."""
    import dagster as dg

    statuses = [dg.DagsterRunStatus(status) for status in UNFINISHED]
    records = instance.get_run_records(filters=dg.RunsFilter(statuses=statuses, tags={TRIGGER_TAG: CLI_TRIGGER}))
    closed = []
    for record in records:
        run = record.dagster_run
        if run.run_id == closed_by:
            continue
        outcome = (lake_outcomes or {}).get(run.run_id)
        instance.report_run_failed(run, message=abandoned_message(run, closed_by, outcome))
        closed.append(run.run_id)
    return closed
