"""The dbt lake sources of the optional pull request tables: the columns they declare (which lake_source reads when
an organisation has delivered none) are the lake's, and the models read a real lake of them: staging keeps every
delivery, intermediate the delivery that counts per pull request, with its commits and labels only."""

import json
import os
import subprocess
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
import pytest
import yaml

from orchestration.defs.dbt.project import DBT_EXECUTABLE
from orchestration.defs.ingest.daily_assets import pull_requests
from orchestration.lib.canonical import ENTITY_SCHEMAS
from orchestration.lib.journal import Journal
from orchestration.lib.workspace import DBT_PROJECT_DIR, Workspace
from tests.conftest import resources_of

SOURCES = DBT_PROJECT_DIR / "models" / "staging" / "lake" / "_lake__sources.yml"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "generic_contract" / "pull_requests" / "2026-03-02.ndjson"
# the portable type each Arrow type of the lake is declared as
DECLARED = {
    pa.string(): "string",
    pa.int64(): "bigint",
    pa.bool_(): "boolean",
    pa.timestamp("us", tz="UTC"): "timestamp",
    pa.date32(): "date",
    pa.float64(): "double",
}


def optional_tables() -> dict[str, dict]:
    [lake] = [source for source in yaml.safe_load(SOURCES.read_text())["sources"] if source["name"] == "lake"]
    return {table["name"]: table for table in lake["tables"] if table.get("meta", {}).get("optional")}


def test_the_optional_tables_are_the_pull_request_tables_and_spend():
    assert set(optional_tables()) == {"pull_requests", "pull_request_commits", "pull_request_labels", "spend"}


@pytest.mark.parametrize("table", sorted(optional_tables()))
def test_an_optional_table_declares_the_lakes_columns_and_types(table: str):
    declared = [(column["name"], column["data_type"]) for column in optional_tables()[table]["columns"]]
    assert declared == [(field.name, DECLARED[field.type]) for field in ENTITY_SCHEMAS[table]]


def test_the_intermediate_models_keep_the_delivery_that_counts_with_its_commits_and_labels(tiny_workspace, tmp_path):
    lines = FIXTURE.read_text().splitlines()
    first = json.loads(lines[0])
    # #412 sent again, later updated: one commit and no label now
    resent = first | {
        "title": "Retry once",
        "labels": [],
        "commits": first["commits"][:1],
        "updated_at": "2026-03-02T11:00:00Z",
    }
    folder = tiny_workspace.landing / "pull_requests"
    folder.mkdir()
    (folder / "2026-03-02.ndjson").write_text("\n".join(lines) + "\n")
    (folder / "2026-03-02.part2.ndjson").write_text(json.dumps(resent) + "\n")
    ingested = dg.materialize(
        [pull_requests],
        partition_key="2026-03-02",
        instance=dg.DagsterInstance.ephemeral(),
        resources=resources_of(tiny_workspace),
    )
    assert ingested.success
    Journal(tiny_workspace.lake, ingested.run_id).commit()

    build = dbt_build(tiny_workspace, tmp_path, "stg_lake__pull_request* int_pull_request*_deduplicated")
    assert build.returncode == 0, build.stdout[-5000:]

    with duckdb.connect(str(tiny_workspace.warehouse), read_only=True) as con:
        deliveries = con.sql("select pr_id, title from staging.stg_lake__pull_requests").fetchall()
        pulls = dict(con.sql("select pr_id, title from intermediate.int_pull_requests_deduplicated").fetchall())
        commits = con.sql("select pr_id, commit_sha from intermediate.int_pull_request_commits_deduplicated").fetchall()
        labels = con.sql("select pr_id, label from intermediate.int_pull_request_labels_deduplicated").fetchall()
    assert sorted(deliveries) == sorted(
        [(json.loads(line)["pr_id"], json.loads(line)["title"]) for line in lines] + [(first["pr_id"], "Retry once")]
    )
    assert pulls == {
        "acme/checkout#412": "Retry once",
        "acme/checkout#415": "Try a new cache key",
        "acme/ledger#88": "Update dependency pyarrow to v19",
    }
    assert sorted(commits) == sorted(
        [
            ("acme/checkout#412", first["commits"][0]["sha"]),
            ("acme/checkout#415", "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"),
            ("acme/ledger#88", "2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e"),
        ]
    )
    assert labels == [("acme/ledger#88", "dependencies")]


def dbt_build(workspace: Workspace, target: Path, select: str) -> subprocess.CompletedProcess:
    """`dbt build` of the selected models and their data tests in the workspace's warehouse."""
    command = [DBT_EXECUTABLE, "build", "--select", select, "--no-use-colors", "--profiles-dir", str(DBT_PROJECT_DIR)]
    command += ["--vars", json.dumps(workspace.dbt_vars())]
    env = {**os.environ, "DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target)}
    return subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True)
