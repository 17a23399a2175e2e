"""The dbt unit tests (`unit_tests:` beside the models) run here; the pipeline's `dbt build` excludes them.

dbt reads the column types of a unit test's inputs from the warehouse, so the models they need are built
first with `--empty` (no rows) over a one-day lake of the tiny landing, in the test's own warehouse.
"""

import json
import os
import subprocess

import dagster as dg

from orchestration.defs.dbt.project import DBT_EXECUTABLE
from orchestration.defs.ingest.assets import ingest_assets
from orchestration.lib.pseudonym import ensure_key
from orchestration.lib.workspace import DBT_PROJECT_DIR
from tests.conftest import resources_of


def test_every_dbt_unit_test_passes(tiny_workspace, tmp_path):
    resources = resources_of(tiny_workspace)
    ingested = dg.materialize(
        ingest_assets, partition_key="2026-03-02", instance=dg.DagsterInstance.ephemeral(), resources=resources
    )
    assert ingested.success  # the sources dbt reads exist (as Parquet files in the lake)
    ensure_key(tiny_workspace.pseudonym_key)  # the models dbt builds first read it (the tests fix their own)
    target = tmp_path / "dbt_target"  # not dbt_project/target: other runs may be using it
    command = [
        DBT_EXECUTABLE,
        "build",
        "--select",
        "+test_type:unit",  # the unit tests and the models upstream of them
        "--exclude-resource-type",
        "test",  # data tests check data, and --empty builds none
        "--empty",
        "--no-use-colors",
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--vars",
        json.dumps(resources["workspace"].dbt_vars()),
    ]
    env = {**os.environ, "DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target)}
    build = subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True)

    declared = set(json.loads((target / "manifest.json").read_text())["unit_tests"])
    results = json.loads((target / "run_results.json").read_text())["results"]
    passed = {result["unique_id"] for result in results if result["status"] == "pass"}
    assert declared, "the dbt project declares no unit test"
    assert declared <= passed and build.returncode == 0, (
        f"not passed: {sorted(declared - passed)}\n{build.stdout[-5000:]}"
    )
