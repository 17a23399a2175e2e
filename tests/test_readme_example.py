"""The README's worked example "Add a metric column" works as written.

Each step's code blocks are applied literally to a copy of the dbt project (a block's first line names the
file and where the block goes); the changed SQL is linted with sqlfluff and the changed models are built
with `dbt build` (models, data tests and unit tests) over a copy of the small generated organisation's
warehouse. Marked slow but run by `make test`: about 45 s on two cores (a sqlfluff lint and a dbt build),
plus the session's demo run (about 3 minutes) when run on its own.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.dbt.project import DBT_EXECUTABLE
from orchestration.lib.workspace import DBT_PROJECT_DIR, REPO_ROOT, SEEDS_DIR

pytestmark = pytest.mark.slow

README = REPO_ROOT / "README.md"
SECTION_START, SECTION_END = "**Add a metric column**", "**Add a dimension attribute**"
FENCE = re.compile(r"^(?P<indent> *)```(?P<language>\w+)\n(?P<body>.*?)^(?P=indent)```$", re.M | re.S)
WHERE = re.compile(r"^(?:--|#) in (?P<path>\S+), (?:(?P<side>before|after) the line: (?P<anchor>.+)|at the end:)$")


@dataclass(frozen=True)
class Edit:
    path: str  # relative to dbt_project/
    side: str  # before, after or end
    anchor: str | None  # the line (stripped) the block goes before or after
    text: str


def readme_edits(readme: str) -> list[Edit]:
    """The code blocks of the README section, as edits: a block without a `-- in <file>, ...` line fails."""
    section = readme[readme.index(SECTION_START) : readme.index(SECTION_END)]
    edits = []
    for block in FENCE.finditer(section):
        indent = len(block["indent"])
        lines = [line[indent:] for line in block["body"].splitlines()]
        where = WHERE.match(lines[0])
        assert where, f"README block does not say where it goes: {lines[0]!r}"
        anchor = where["anchor"].strip() if where["anchor"] else None
        edits.append(Edit(where["path"], where["side"] or "end", anchor, "\n".join(lines[1:]) + "\n"))
    return edits


def apply(edit: Edit, project: Path) -> None:
    path = project / edit.path
    text = path.read_text()
    if edit.side == "end":
        path.write_text(text.rstrip("\n") + "\n" + edit.text)
        return
    lines = text.splitlines(keepends=True)
    matches = [index for index, line in enumerate(lines) if line.strip() == edit.anchor]
    assert len(matches) == 1, f"{edit.path}: the line {edit.anchor!r} occurs {len(matches)} times, expected once"
    at = matches[0] + (1 if edit.side == "after" else 0)
    path.write_text("".join([*lines[:at], edit.text, *lines[at:]]))


def test_readme_blocks_name_their_place():
    edits = readme_edits(README.read_text())
    assert {edit.path for edit in edits} == {
        "models/intermediate/metrics/int_team_weeks_measured.sql",
        "models/intermediate/metrics/int_team_weeks_computed.sql",
        "models/marts/metrics/_metrics__models.yml",
        "models/intermediate/metrics/_int_metrics__unit_tests.yml",
    }


@pytest.fixture
def project_with_example(tmp_path: Path) -> Path:
    """A copy of the dbt project (and the seeds and sqlfluff settings beside it) with the README applied."""
    root = tmp_path / "repo"
    shutil.copytree(DBT_PROJECT_DIR, root / "dbt_project", ignore=shutil.ignore_patterns("target", "logs"))
    shutil.copytree(SEEDS_DIR, root / "seeds")
    shutil.copy(REPO_ROOT / ".sqlfluff", root / ".sqlfluff")
    for edit in readme_edits(README.read_text()):
        apply(edit, root / "dbt_project")
    return root


def _dbt_env(tmp_path: Path, environ: dict[str, str]) -> dict[str, str]:
    target = tmp_path / "dbt_target"
    return {**os.environ, **environ, "DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target)}


def test_readme_example_lints_and_builds(project_with_example: Path, demo_run, tmp_path: Path):
    assert demo_run.succeeded
    project = project_with_example / "dbt_project"
    sql = [
        "dbt_project/models/intermediate/metrics/int_team_weeks_measured.sql",
        "dbt_project/models/intermediate/metrics/int_team_weeks_computed.sql",
    ]
    lint = subprocess.run(
        [str(Path(sys.executable).parent / "sqlfluff"), "lint", *sql],
        cwd=project_with_example,
        env={**os.environ, "AAW_WAREHOUSE_PATH": ":memory:"},
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout[-5000:] + lint.stderr[-2000:]

    warehouse = tmp_path / "warehouse.duckdb"  # the demo's warehouse stays as the other tests read it
    shutil.copy(demo_run.workspace.warehouse, warehouse)
    env = _dbt_env(tmp_path, demo_run.workspace.environ())
    dbt_vars = {**demo_run.workspace.dbt_vars(), "warehouse_path": str(warehouse)}
    build = subprocess.run(
        [DBT_EXECUTABLE, "build", "--select", "int_team_weeks_measured+", "--no-use-colors"]
        + ["--vars", json.dumps(dbt_vars), "--profiles-dir", str(project)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stdout[-5000:]
    results = json.loads((tmp_path / "dbt_target" / "run_results.json").read_text())["results"]
    passed = {result["unique_id"] for result in results if result["status"] in ("pass", "success")}
    assert {
        "unit_test.ai_adoption_warehouse.int_team_weeks_computed.int_team_weeks_computed_multi_tool_share",
        "model.ai_adoption_warehouse.mart_team_weekly",
    } <= passed
    # the new column's range is checked by the model's accepted_ranges test (a named test's id ends in a hash)
    range_test = "test.ai_adoption_warehouse.accepted_ranges_mart_team_weekly."
    assert any(unique_id.startswith(range_test) for unique_id in passed)

    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select multi_tool_share, is_suppressed from main.mart_team_weekly").fetchall()
    assert rows
    assert all(share is None for share, is_suppressed in rows if is_suppressed)
    assert all(0 <= share <= 1 for share, is_suppressed in rows if share is not None)
