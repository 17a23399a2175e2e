"""The dbt lake sources of the optional pull request tables: the columns they declare (which lake_source reads when
an organisation has delivered none) are the lake's."""

import pyarrow as pa
import pytest
import yaml

from orchestration.lib.canonical import ENTITY_SCHEMAS
from orchestration.lib.workspace import DBT_PROJECT_DIR

SOURCES = DBT_PROJECT_DIR / "models" / "staging" / "lake" / "_lake__sources.yml"
# the portable type each Arrow type of the lake is declared as
DECLARED = {
    pa.string(): "string",
    pa.int64(): "bigint",
    pa.bool_(): "boolean",
    pa.timestamp("us", tz="UTC"): "timestamp",
}


def optional_tables() -> dict[str, dict]:
    [lake] = [source for source in yaml.safe_load(SOURCES.read_text())["sources"] if source["name"] == "lake"]
    return {table["name"]: table for table in lake["tables"] if table.get("meta", {}).get("optional")}


def test_the_optional_tables_are_the_pull_request_tables():
    assert set(optional_tables()) == {"pull_requests", "pull_request_commits", "pull_request_labels"}


@pytest.mark.parametrize("table", sorted(optional_tables()))
def test_an_optional_table_declares_the_lakes_columns_and_types(table: str):
    declared = [(column["name"], column["data_type"]) for column in optional_tables()[table]["columns"]]
    assert declared == [(field.name, DECLARED[field.type]) for field in ENTITY_SCHEMAS[table]]
