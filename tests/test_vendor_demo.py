"""The demo written through the vendors' own export formats yields the same marts as the generic contract,
however the exports are named; the spend it publishes is what the exports' amounts add up to."""

import re
import tempfile
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.quality.checks import PUBLISHED_MARTS
from orchestration.lib.workspace import Workspace
from orchestration.tools.demo.generator import generate
from orchestration.tools.demo.vendor_formats import write_vendor_formats
from tests.conftest import SMALL_DEMO, DemoRun, run_isolated
from tests.spend_files import spend_in_files

DAY_IN_PATH = re.compile(r"(\d{4})([-/])(\d{2})[-/](\d{2})")


def marts(workspace: Workspace) -> dict[str, list[tuple]]:
    with duckdb.connect(str(workspace.published / "current" / "marts.duckdb"), read_only=True) as con:
        return {mart: con.execute(f"select * from main.{mart} order by all").fetchall() for mart in PUBLISHED_MARTS}


def vendor_landing(target: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        generate(SMALL_DEMO, Path(scratch) / "landing", progress=lambda line: None)
        write_vendor_formats(Path(scratch) / "landing", target)


def test_vendor_formats_give_the_same_marts_as_the_generic_contract(demo_run: DemoRun, tmp_path: Path):
    workspace = Workspace(landing=tmp_path / "landing", workdir=tmp_path / "work")
    vendor_landing(workspace.landing)
    vendor_folders = {path.parent.relative_to(workspace.landing).parts[:2] for path in workspace.landing.rglob("*.*")}
    assert {
        ("usage", "claude_code_analytics"),
        ("deployments", "github_deployment_status"),
        ("pull_requests", "github_rest"),
        ("pull_requests", "github_webhook"),
    } <= vendor_folders
    assert run_isolated(workspace, demo_run.first, demo_run.last)
    assert marts(workspace) == marts(demo_run.workspace)
    assert published_usage_cost(workspace) == pytest.approx(spend_in_files(workspace.landing), abs=0.01)


def published_usage_cost(workspace: Workspace) -> dict[str, float]:
    """USD per tool of mart_tool_spend_monthly's usage_cost (rounded to the cent per month)."""
    with duckdb.connect(str(workspace.published / "current" / "marts.duckdb"), read_only=True) as con:
        rows = con.execute("select tool, sum(usage_cost) from main.mart_tool_spend_monthly group by tool").fetchall()
    return {tool: total for tool, total in rows if total}


def _named_by_week_start(match: re.Match) -> str:
    day = date(int(match.group(1)), int(match.group(3)), int(match.group(4)))
    monday = day - timedelta(days=day.weekday())
    separator = match.group(2)
    return monday.strftime(f"%Y{separator}%m{separator}%d")


def test_exports_named_by_the_first_day_of_their_week_give_the_same_marts(demo_run: DemoRun, tmp_path: Path):
    """Exporters name a file by its range's first day: every record after that day was quarantined."""
    workspace = Workspace(landing=tmp_path / "landing", workdir=tmp_path / "work")
    vendor_landing(workspace.landing)
    daily_vendor_files = sorted(
        path
        for folder in ("usage", "deployments")
        for path in (workspace.landing / folder).glob("*/**/*")
        if path.is_file()
    )
    renamed = 0
    for index, path in enumerate(daily_vendor_files):
        relative = path.relative_to(workspace.landing).as_posix()
        moved = DAY_IN_PATH.sub(_named_by_week_start, relative)
        target = workspace.landing / Path(moved).with_name(f"{index:04d}_{Path(moved).name}")
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)
        renamed += moved != relative
    assert renamed > 20  # most files now name a day before some of their records
    assert run_isolated(workspace, demo_run.first, demo_run.last)
    assert marts(workspace) == marts(demo_run.workspace)
