"""The demo written through the vendors' own export formats yields the same marts as the generic contract."""

import tempfile
from pathlib import Path

import duckdb

from orchestration.defs.quality.checks import PUBLISHED_MARTS
from orchestration.lib.demo.generator import generate
from orchestration.lib.demo.vendor_formats import write_vendor_formats
from orchestration.lib.workspace import Workspace
from tests.conftest import SMALL_DEMO, DemoRun, run_isolated


def marts(workspace: Workspace) -> dict[str, list[tuple]]:
    with duckdb.connect(str(workspace.published / "current" / "marts.duckdb"), read_only=True) as con:
        return {mart: con.execute(f"select * from main.{mart} order by all").fetchall() for mart in PUBLISHED_MARTS}


def test_vendor_formats_give_the_same_marts_as_the_generic_contract(demo_run: DemoRun, tmp_path: Path):
    workspace = Workspace(landing=tmp_path / "landing", workdir=tmp_path / "work")
    with tempfile.TemporaryDirectory() as scratch:
        generate(SMALL_DEMO, Path(scratch) / "landing", progress=lambda line: None)
        write_vendor_formats(Path(scratch) / "landing", workspace.landing)
    vendor_folders = {path.parent.relative_to(workspace.landing).parts[:2] for path in workspace.landing.rglob("*.*")}
    assert {("usage", "claude_code_analytics"), ("deployments", "github_deployment_status")} <= vendor_folders
    assert run_isolated(workspace, demo_run.first, demo_run.last)
    assert marts(workspace) == marts(demo_run.workspace)
