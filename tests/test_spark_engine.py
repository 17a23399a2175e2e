"""`aaw run --engine spark` publishes the same marts as the DuckDB build of the same landing.

One Spark run (a local session, a few minutes) over the session's small demo, compared with the demo's own
DuckDB run. Skipped when the spark extra (`pip install -e ".[spark]"`) is not installed.
"""

import contextlib
import io
import math
import os
import time
from pathlib import Path

import duckdb
import pytest

pytest.importorskip("pyspark")
pytest.importorskip("dbt.adapters.spark")

from orchestration.cli import main  # noqa: E402
from orchestration.defs.quality.checks import PUBLISHED  # noqa: E402
from orchestration.lib.workspace import DBT_PROJECT_DIR, Workspace  # noqa: E402
from tests.conftest import DemoRun, with_organisation_secret  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("spark")]

TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def spark_run(demo_run: DemoRun, tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, bool, str]:
    workspace = Workspace(landing=demo_run.workspace.landing, workdir=tmp_path_factory.mktemp("spark") / "work")
    with_organisation_secret(workspace)
    command = ["run", "--landing", str(workspace.landing), "--workdir", str(workspace.workdir), "--full-refresh"]
    command += ["--from", demo_run.first.isoformat(), "--to", demo_run.last.isoformat(), "--engine", "spark"]
    output = io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(output):
        succeeded = main(command) == 0
    print(f"aaw run --engine spark: {time.monotonic() - started:.0f} s")
    return Workspace(workspace.landing, workspace.workdir, engine="spark"), succeeded, output.getvalue()


def published(workspace: Workspace) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(workspace.published / "current" / "marts.duckdb"), read_only=True)


def columns(con: duckdb.DuckDBPyConnection, mart: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns where table_name = ? order by ordinal_position",
        [mart],
    ).fetchall()


def same_value(left, right) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=0, abs_tol=TOLERANCE) or (math.isnan(left) and math.isnan(right))
    return left == right


def test_the_spark_run_publishes(spark_run):
    workspace, succeeded, output = spark_run
    assert succeeded, output
    assert "Published" in output
    assert (workspace.spark_warehouse / "main.db" / "mart_team_weekly").is_dir()


@pytest.mark.parametrize("mart", PUBLISHED)
def test_every_published_mart_is_the_duckdb_builds(spark_run, demo_run: DemoRun, mart: str):
    workspace, succeeded, output = spark_run
    assert succeeded and demo_run.succeeded, output
    with published(workspace) as spark, published(demo_run.workspace) as duck:
        assert columns(spark, mart) == columns(duck, mart)
        spark_rows = spark.execute(f"select * from main.{mart} order by all").fetchall()
        duck_rows = duck.execute(f"select * from main.{mart} order by all").fetchall()
    assert len(spark_rows) == len(duck_rows)
    for spark_row, duck_row in zip(spark_rows, duck_rows, strict=True):
        assert all(map(same_value, spark_row, duck_row)), (spark_row, duck_row)


def test_spark_writes_its_metastore_and_tables_in_the_workdir_only(spark_run):
    workspace, succeeded, _ = spark_run
    assert succeeded
    assert (workspace.spark / "metastore_db").is_dir()
    for folder in (Path(os.getcwd()), DBT_PROJECT_DIR):
        assert not (folder / "metastore_db").exists()
        assert not (folder / "spark-warehouse").exists()
