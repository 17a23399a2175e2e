"""After a Spark build, warehouse.duckdb holds a view over each Spark table's Parquet files (no Spark needed here:
the files are written as Spark lays them out)."""

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.spark_warehouse import expose_as_duckdb


def node(schema: str, name: str, materialized: str, columns: dict[str, str] | None = None, partition_by=None) -> dict:
    return {
        "resource_type": "seed" if materialized == "seed" else "model",
        "schema": schema,
        "alias": name,
        "config": {
            "materialized": materialized,
            "partition_by": partition_by,
            "contract": {"enforced": columns is not None},
        },
        "columns": {column: {"data_type": kind} for column, kind in (columns or {}).items()},
    }


@pytest.fixture
def spark_build(tmp_path: Path) -> tuple[Path, Path]:
    """A manifest and the files of three tables, as a Spark build leaves them."""
    spark_warehouse = tmp_path / "spark" / "warehouse"
    manifest = tmp_path / "manifest.json"
    nodes = {
        # a partitioned incremental mart: Spark puts the partition column last, as a folder
        "model.p.mart_daily": node(
            "main",
            "mart_daily",
            "incremental",
            {"activity_date": "date", "tool": "string", "share": "double"},
            partition_by=["activity_date"],
        ),
        # an intermediate model without contract, read as it is
        "model.p.int_things": node("intermediate", "int_things", "table"),
        # a partitioned mart without any row has no file at all
        "model.p.mart_empty": node("main", "mart_empty", "incremental", {"day": "date", "n": "bigint"}, ["day"]),
        "seed.p.tools": node("reference", "tools", "seed"),
        # a seed with a header and no row: Spark creates its table and never writes a file
        "seed.p.acknowledgements": {
            **node("reference", "acknowledgements", "seed"),
            "config": {"materialized": "seed", "column_types": {"entity_id": "string", "period_start": "date"}},
        },
        "test.p.not_null": {"resource_type": "test", "config": {"materialized": "test"}},
    }
    manifest.write_text(json.dumps({"nodes": nodes}))
    with duckdb.connect() as con:
        daily = spark_warehouse / "main.db" / "mart_daily"
        daily.mkdir(parents=True)
        con.execute(
            "copy (select * from (values ('cursor', 0.5, date '2026-01-05'), ('copilot', 0.25, date '2026-01-06')) "
            f"as t(tool, share, activity_date)) to '{daily}' (format parquet, partition_by (activity_date))"
        )
        (daily / "_SUCCESS").write_text("")
        things = spark_warehouse / "intermediate.db" / "int_things"
        things.mkdir(parents=True)
        con.execute(f"copy (select 1 as thing_id) to '{things}/part-00000.snappy.parquet' (format parquet)")
        tools = spark_warehouse / "reference.db" / "tools"
        tools.mkdir(parents=True)
        con.execute(f"copy (select 'cursor' as tool) to '{tools}/part-00000.parquet' (format parquet)")
    (spark_warehouse / "main.db" / "mart_empty").mkdir(parents=True)
    (spark_warehouse / "reference.db" / "acknowledgements").mkdir(parents=True)
    return manifest, spark_warehouse


def test_each_table_becomes_a_view_under_its_schema_and_name_with_its_contract_columns(spark_build, tmp_path):
    manifest, spark_warehouse = spark_build
    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.write_text("the last build's file, replaced whole")
    assert expose_as_duckdb(manifest, spark_warehouse, warehouse) == 5
    with duckdb.connect(str(warehouse), read_only=True) as con:
        daily = con.execute("select * from main.mart_daily order by activity_date")
        assert [column[0] for column in daily.description] == ["activity_date", "tool", "share"]
        assert daily.fetchall() == [(date(2026, 1, 5), "cursor", 0.5), (date(2026, 1, 6), "copilot", 0.25)]
        assert con.execute("select * from intermediate.int_things").fetchall() == [(1,)]
        assert con.execute("select tool from reference.tools").fetchall() == [("cursor",)]
        empty = con.execute("select * from main.mart_empty")
        assert empty.fetchall() == []
        types = con.execute("select data_type from information_schema.columns where table_name = 'mart_empty'")
        assert [kind for (kind,) in types.fetchall()] == ["DATE", "BIGINT"]
        assert con.execute("select * from reference.acknowledgements").fetchall() == []
        types = con.execute("select data_type from information_schema.columns where table_name = 'acknowledgements'")
        assert [kind for (kind,) in types.fetchall()] == ["VARCHAR", "DATE"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["manifest.json", "spark", "warehouse.duckdb"]


def test_a_table_without_files_or_contract_is_named(spark_build, tmp_path):
    manifest, spark_warehouse = spark_build
    for path in (spark_warehouse / "intermediate.db" / "int_things").iterdir():
        path.unlink()
    with pytest.raises(FileNotFoundError, match="intermediate.int_things"):
        expose_as_duckdb(manifest, spark_warehouse, tmp_path / "warehouse.duckdb")
    assert not (tmp_path / "warehouse.duckdb").exists()
