"""What a new user sees of `aaw`: help for every option, a short run ending in a summary, a failure explained."""

import argparse
import contextlib
import io
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from dagster._utils.error import SerializableErrorInfo

from orchestration.cli import main
from orchestration.cli_parser import build_parser
from orchestration.lib.workspace import Workspace
from orchestration.terminal.summary import step_problem
from tests.conftest import TINY_LANDING, with_organisation_secret, write_files

MOST_LINES = 60


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    return dict(action.choices)


def test_every_command_and_option_has_help_and_every_command_an_example():
    parser = build_parser()
    assert "examples:" in parser.format_help()
    commands = _subcommands(parser)
    assert set(commands) >= {"demo", "run", "dev", "generate", "explain", "status", "bench"}
    for name, command in commands.items():
        assert command.description, name
        assert re.search(rf"example:\n  aaw {name} ", command.format_help()), name
        for action in command._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            assert action.help and len(action.help) > 10, f"aaw {name} {action.option_strings}: no help text"
    run_help = commands["run"].format_help()
    assert "the folder of exporter files" in run_help and "the work folder that receives lake/" in run_help


def test_the_demo_run_prints_a_short_output_ending_in_the_summary(demo_run):
    """The session's demo organisation is run through `aaw run`, its output captured as a pipe would."""
    lines = demo_run.output.splitlines()
    assert demo_run.succeeded, demo_run.output
    assert len(lines) <= MOST_LINES, demo_run.output
    text = demo_run.output
    assert "START" not in text and " - dagster - " not in text and "Traceback" not in text  # all in the log
    # 21 days of every daily asset: the last one to finish reports all their partitions done
    assert re.search(r"\] ingest raw/tool_activity: done \(21 day\(s\); partitions (\d+)/\1\)", text)
    assert re.search(rf"^Published {demo_run.first}\.\.{demo_run.last} in (\d+m )?\d+s \(run \w{{8}}\)\.$", text, re.M)
    assert re.search(r"^Checks: \d+ passed, \d+ warned \(WARN only informs\), 0 failed\.$", text, re.M)
    published = demo_run.workspace.published
    rows = text[text.index("Rows per mart:") :]
    assert all(re.search(rf"\b{mart}\s+\d", rows) for mart in ("mart_team_weekly", "mart_company_weekly"))
    # the last complete week of a 21-day demo from Monday 2026-01-05 is the third
    assert "Latest complete week, 2026-01-19..2026-01-25:" in text
    assert re.search(r"^  \S.*: \d+ engineers in \d+ teams; AI adoption \d+% of teams", text, re.M)
    assert f"Report:    {published / 'report' / 'index.html'}" in lines
    log = Path(re.search(r"^Log:\s+(\S+)$", text, re.M).group(1))
    assert log.parent == demo_run.workspace.workdir / "logs" and log.name.startswith("run-")
    assert " - dagster - INFO - pipeline - " in log.read_text()  # the full story is in the log file
    assert lines[-1].startswith("Log:") or lines[-1].startswith("Not read:")


def _run_captured(landing: Path, workdir: Path) -> tuple[int, str]:
    with_organisation_secret(Workspace(landing=landing, workdir=workdir))
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        code = main(["run", "--landing", str(landing), "--workdir", str(workdir)])
    return code, captured.getvalue()


def test_a_failing_gate_says_what_it_found_means_and_what_to_do_without_a_traceback(tmp_path: Path):
    landing = write_files(tmp_path / "landing", TINY_LANDING)
    with (landing / "roster" / "roster_2026-03-02.csv").open("a") as roster:
        roster.write("eng-4,ANA@example.com,ana-2,Ana Two,team-a,mia@example.com,engineer,true\n")
    code, output = _run_captured(landing, tmp_path / "work")
    assert code == 1
    lines = output.splitlines()
    assert len(lines) <= MOST_LINES, output
    assert "Traceback" not in output and "DagsterAssetCheckFailedError" not in output
    assert re.search(
        r"^Run \w{8} FAILED at landing gates after .*\. Nothing was published: the previous publication \(if any\)",
        output,
        re.M,
    )
    gate = lines.index("Gate one_engineer_per_identity:roster on raw/roster")
    assert [line.split()[0] for line in lines[gate + 1 : gate + 4]] == ["Found:", "Means:", "Next:"]
    found = "\n".join(lines[gate:])
    assert "ana@example.com" in found and "eng-1" in found and "eng-4" in found
    assert "Correct the rows named (file:line)" in found
    rerun = f"aaw run --landing {landing} --workdir {tmp_path / 'work'} --from 2026-03-02 --to 2026-03-03"
    assert f"  {rerun}" in lines
    log = Path(re.search(r"^Log \(every step, tracebacks\): (\S+)$", output, re.M).group(1))
    assert "one_engineer_per_identity" in log.read_text()


@pytest.mark.parametrize("flags", [["--teams", "1", "--engineers-per-team", "2"]])
def test_a_demo_too_small_for_its_cases_says_so_in_one_line(tmp_path: Path, flags: list[str]):
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        code = main(["demo", "--workdir", str(tmp_path), *flags])
    assert code == 2
    assert "plant_cases needs at least 12 engineers" in captured.getvalue()
    assert "Traceback" not in captured.getvalue()


def test_a_file_that_cannot_be_read_names_the_step_and_the_file_without_a_traceback(tmp_path: Path):
    landing = write_files(tmp_path / "landing", TINY_LANDING)
    with (landing / "usage" / "2026-03-03.ndjson").open("ab") as usage:
        usage.write(b'{"event_id":"e9","occurred_at":"2026-03-03T10:00:00Z","identity":"x\xff"}\n')
    code, output = _run_captured(landing, tmp_path / "work")
    assert code == 1
    assert "Traceback" not in output and "dagster._core" not in output
    lines = output.splitlines()
    step = lines.index("Step ingest raw/tool_activity")
    assert [line.split()[0] for line in lines[step + 1 : step + 4]] == ["Found:", "Means:", "Next:"]
    assert "usage/2026-03-03.ndjson" in lines[step + 1] and "line 2" in output
    assert f"  aaw run --landing {landing} --workdir {tmp_path / 'work'} --from 2026-03-02 --to 2026-03-03" in lines


@pytest.mark.parametrize(
    ("cls_name", "found"),
    [
        ("DagsterExecutionInterruptedError", "Found: the run was interrupted before this step finished"),
        ("KeyError", "Found: an unexpected error in the pipeline (KeyError: 'team_id')"),
    ],
)
def test_an_interrupted_step_is_told_apart_from_a_crash(cls_name: str, found: str):
    error = SerializableErrorInfo(message="'team_id'\n", stack=[], cls_name=cls_name)
    event = SimpleNamespace(step_key="raw__deployments", step_failure_data=SimpleNamespace(error=error))
    assert found in "\n".join(step_problem(event))
