"""The progress of a Dagster run: stage, partitions done of total, elapsed time.

It follows the run's event log (polled from a thread while the run executes in-process), so it needs
nothing from the assets but what they record anyway: step starts and ends, the `[k/n] asset day` line an
ingest step logs per day, the dbt models and tests as they finish. On a terminal a live bar sits below one
line per finished step; elsewhere (CI, a pipe) only the lines are printed, never an animation.
"""

import re
import threading
import time
from dataclasses import dataclass, field

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from orchestration.terminal.output import CommandOutput

DAY_PROGRESS = re.compile(r"^\[(\d+)/(\d+)\] ")
POLL_SECONDS = 0.5
STAGES = {
    "reference_overrides": "reference data",
    "landing_gates": "landing gates",
    "warehouse_models": "dbt build",
    "impact__ai_impact_estimates": "impact estimates",
    "impact_models": "dbt build of mart_ai_impact",
    "publication_gates": "publication gates",
    "published__marts": "publish",
}


def stage_name(step_key: str) -> str:
    if step_key in STAGES:
        return STAGES[step_key]
    if step_key.startswith("raw__"):
        return f"ingest raw/{step_key.removeprefix('raw__')}"
    return step_key


def elapsed(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"


@dataclass
class StepCounts:
    days: int = 0
    materialized: int = 0
    checks_passed: int = 0
    checks_warned: int = 0
    checks_failed: int = 0
    failed: bool = False

    def detail(self) -> str:
        parts = [f"{self.days} day(s)"] if self.days else []
        if self.materialized and not self.days:
            parts.append(f"{self.materialized} asset(s)")
        if self.checks_passed or self.checks_warned or self.checks_failed:
            warned = f", {self.checks_warned} warned" if self.checks_warned else ""
            failed = f", {self.checks_failed} FAILED" if self.checks_failed else ""
            parts.append(f"{self.checks_passed} check(s) passed{warned}{failed}")
        return ", ".join(parts)


@dataclass
class RunProgress:
    """Follows one run's events and shows them. Use as a context manager around the run's execution."""

    output: CommandOutput
    instance: object  # dagster.DagsterInstance
    run_id: str
    partitions_total: int
    started: float = field(default_factory=time.monotonic)
    partitions_done: int = 0
    _cursor: str | None = None
    _steps: dict[str, StepCounts] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _bar: Progress | None = None
    _task: int | None = None

    def __enter__(self) -> "RunProgress":
        if self.output.interactive and not self.output.verbose:  # --verbose prints the log there instead
            console = Console(file=self.output.terminal, force_terminal=True)
            self._bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("partitions  {task.fields[elapsed]}"),
                console=console,
                transient=True,
                # the run's own output (dbt's lines) goes to the log, never above the bar
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._task = self._bar.add_task("starting", total=self.partitions_total or None, elapsed="0s")
            self._bar.start()
        self._thread = threading.Thread(target=self._follow, name="run-progress", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        try:
            self._poll()  # whatever the run recorded after the last poll
        except Exception as error:  # the run's outcome matters more than its last progress lines
            self.output.log(f"progress display stopped: {error!r}")
        if self._bar is not None:
            self._bar.stop()

    def _follow(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                self._poll()
                self._update()  # the elapsed time moves on between events too
            except Exception as error:  # a display must never break a run: say so in the log and stop showing
                self.output.log(f"progress display stopped: {error!r}")
                return

    def _poll(self) -> None:
        while True:
            connection = self.instance.get_records_for_run(self.run_id, cursor=self._cursor, limit=500)
            for record in connection.records:
                self._handle(record.event_log_entry)
            self._cursor = connection.cursor
            if not connection.has_more:
                return

    def _handle(self, entry) -> None:
        step, event = entry.step_key, entry.dagster_event
        if step is None:
            return
        counts = self._steps.setdefault(step, StepCounts())
        if event is None:
            found = DAY_PROGRESS.match(entry.user_message or "")
            if found:
                counts.days = int(found.group(1))
                self._update(f"{stage_name(step)} (day {found.group(1)}/{found.group(2)})")
            return
        kind = event.event_type_value
        if kind == "STEP_START":
            self._update(stage_name(step))
        elif kind == "ASSET_MATERIALIZATION":
            counts.materialized += 1
            if event.partition:
                self.partitions_done += 1
            if step == "warehouse_models":
                self._update(f"dbt build ({counts.materialized} models, {counts.checks_passed} tests passed)")
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if evaluation.passed:
                counts.checks_passed += 1
            elif evaluation.severity.value == "WARN":
                counts.checks_warned += 1
            else:
                counts.checks_failed += 1
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            counts.failed = kind == "STEP_FAILURE"
            mark = "failed" if counts.failed else "done"
            detail = counts.detail()
            if counts.days and self.partitions_total:
                detail += f"; partitions {self.partitions_done}/{self.partitions_total}"
            self._line(
                f"[{elapsed(time.monotonic() - self.started):>7}] {stage_name(step)}: {mark}"
                + (f" ({detail})" if detail else "")
            )

    def _update(self, description: str | None = None) -> None:
        if self._bar is not None:
            since = elapsed(time.monotonic() - self.started)
            self._bar.update(self._task, description=description, completed=self.partitions_done, elapsed=since)

    def _line(self, line: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=self.partitions_done)
            self._bar.console.print(line, highlight=False, markup=False)
            self.output.log(line)
        else:
            self.output.say(line)
