"""The warehouse of a Spark build as DuckDB reads it: one view per table over the table's Parquet files.

Built by Spark (`--engine spark`), every model, seed and mart is a Parquet table under the workspace's Spark
warehouse folder (`<schema>.db/<name>/`, day partitions as `<column>=<day>/` folders). The gates, the
publication, `aaw status` and `aaw explain` read the warehouse through DuckDB at workspace.warehouse: after a
Spark build that file is rewritten to hold, under the same schema.name, a view over each table's files, so they
read what Spark built without knowing it. A model with an enforced contract is read with its documented column
order and types (Spark puts a partition column last), so the published marts come out as a DuckDB build's.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

# what dbt materialises as files on Spark (staging and intermediate models are tables there, see dbt_project.yml)
MATERIALISED = {"table", "incremental", "seed"}


@dataclass(frozen=True)
class SparkTable:
    schema: str
    name: str
    partitioned: bool
    columns: dict[str, str]  # name -> data type, in contract order; empty when the model has no enforced contract
    declared: dict[str, str]  # the contract's columns, or a seed's column_types: the columns of an empty table


def spark_tables(manifest_path: Path) -> list[SparkTable]:
    """Every table of the dbt project that a Spark build writes, from the manifest of that build."""
    manifest = json.loads(manifest_path.read_text())
    tables = []
    for node in manifest["nodes"].values():
        config = node["config"]
        if node["resource_type"] not in ("model", "seed") or config.get("materialized") not in MATERIALISED:
            continue
        enforced = config.get("contract", {}).get("enforced", False)
        columns = {name: column["data_type"] for name, column in node["columns"].items()} if enforced else {}
        declared = columns or config.get("column_types") or {}
        tables.append(SparkTable(node["schema"], node["alias"], bool(config.get("partition_by")), columns, declared))
    return sorted(tables, key=lambda table: (table.schema, table.name))


def table_folder(spark_warehouse: Path, table: SparkTable) -> Path:
    """Where Spark's default catalog keeps a table of a database other than `default`."""
    return spark_warehouse / f"{table.schema.lower()}.db" / table.name.lower()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def view_sql(spark_warehouse: Path, table: SparkTable) -> str:
    """The DuckDB view of one Spark table. A table without rows may have no file (a partitioned one has no day
    partition, an empty seed is created and never inserted into): its view is then empty, typed by the contract
    or the seed's column_types."""
    target = f"{_quote(table.schema)}.{_quote(table.name)}"
    folder = table_folder(spark_warehouse, table)
    files = sorted(folder.rglob("*.parquet"))
    if not files and table.declared:
        columns = ", ".join(f"cast(null as {kind}) as {_quote(name)}" for name, kind in table.declared.items())
        return f"create view {target} as select {columns} where false"
    if not files:
        raise FileNotFoundError(f"{folder}: the Spark build wrote no Parquet file for {table.schema}.{table.name}")
    pattern = str(folder / "**" / "*.parquet").replace("'", "''")
    source = f"read_parquet('{pattern}', hive_partitioning = {str(table.partitioned).lower()})"
    if not table.columns:
        return f"create view {target} as select * from {source}"
    columns = ", ".join(f"cast({_quote(name)} as {kind}) as {_quote(name)}" for name, kind in table.columns.items())
    return f"create view {target} as select {columns} from {source}"


def expose_as_duckdb(manifest_path: Path, spark_warehouse: Path, warehouse: Path) -> int:
    """Rewrite `warehouse` (a DuckDB file) as views over the Spark build's tables; returns how many.

    Written beside it and renamed over it, so a reader never finds it half-written."""
    tables = spark_tables(manifest_path)
    partial = warehouse.with_name(f".{warehouse.name}.{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        with duckdb.connect(str(partial)) as con:
            for schema in sorted({table.schema for table in tables}):
                con.execute(f"create schema if not exists {_quote(schema)}")
            for table in tables:
                con.execute(view_sql(spark_warehouse, table))
        os.replace(partial, warehouse)
    finally:
        partial.unlink(missing_ok=True)
    return len(tables)
