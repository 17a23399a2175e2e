"""The lake: canonical Parquet partitions with lineage columns, and the quarantine beside them.

One file per partition (`<entity>/day=YYYY-MM-DD/data.parquet`, or `<entity>/snapshot/data.parquet` for
entities that are whole snapshots), written to a temporary name and renamed into place, so a rerun replaces
a partition atomically and a reader never sees half a file. A file is never changed in place.

A run's changes are kept only if the run publishes: the lake feeds the landing gates and, through dbt, the
publication gates, so only a run that passed both may leave its partitions for later runs to build on. A run
that materialises ingest assets on its own is therefore a trial, put back when it ends. Every function here
that writes or deletes a lake file takes the run id (the load id) and first saves the file it replaces in
the run's journal (journal.py): the run's own gates and dbt read its new partitions where they always are,
and a run that fails a gate, fails a step or is killed is rolled back to the lake it started from, file for
file. The journal keeps the old files as hard links, so it costs no copy of a large partition. The
alternative, writing a run into a staging lake swapped in at the end, would need every reader (dbt
sources, gates) to know where the run's partitions are, and a copy or a merge of every untouched one.
"""

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.defs.ingest.connectors.base import Reject
from orchestration.lib.canonical import ENTITY_SCHEMAS, QUARANTINE_SCHEMA
from orchestration.lib.journal import Journal

SNAPSHOT = "snapshot"


def partition_name(day: date | None) -> str:
    return f"day={day.isoformat()}" if day else SNAPSHOT


def write_table(table: pa.Table, target: Path, select_sql: str = "select * from batch") -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        con.register("batch", table)
        con.execute(f"copy ({select_sql}) to '{temporary}' (format parquet, compression zstd)")
    finally:
        con.close()
    os.replace(temporary, target)


def canonical_table(entity: str, records: list[dict] | pa.Table) -> pa.Table:
    """Records (dicts with `_source_line` and `_source_file`, or an Arrow table) in the canonical schema."""
    schema = (
        ENTITY_SCHEMAS[entity]
        .append(pa.field("_source_file", pa.string()))
        .append(pa.field("_source_line", pa.int64()))
    )
    if isinstance(records, pa.Table):
        return records.select(schema.names).cast(schema)
    return pa.Table.from_pylist(records, schema=schema)


def write_partition(
    lake_raw: Path, entity: str, day: date | None, table: pa.Table, load_id: str, loaded_at: datetime
) -> Path:
    """Write one partition of canonical records, adding `_record_hash`, `_load_id` and `_loaded_at`."""
    fields = ENTITY_SCHEMAS[entity].names
    record_hash = "md5(concat_ws('|', " + ", ".join(f"coalesce(cast({name} as varchar), '')" for name in fields) + "))"
    target = lake_raw / entity / partition_name(day) / "data.parquet"
    Journal(lake_raw.parent, load_id).save(target)
    write_table(
        table,
        target,
        f"select {', '.join(fields)}, _source_file, _source_line, {record_hash} as _record_hash, "
        f"'{load_id}' as _load_id, cast('{loaded_at.isoformat()}' as timestamptz) as _loaded_at "
        "from batch order by _source_file, _source_line",
    )
    return target


def write_quarantine(
    lake_quarantine: Path,
    entity: str,
    day: date | None,
    rejects: list[Reject],
    load_id: str,
    loaded_at: datetime,
) -> Path | None:
    """Replace the partition's quarantine with these rejects (removing it when there are none)."""
    target = lake_quarantine / entity / partition_name(day) / "data.parquet"
    if not rejects:
        _remove(lake_quarantine.parent, target, load_id)
        return None
    Journal(lake_quarantine.parent, load_id).save(target)
    table = pa.Table.from_pylist(
        [
            {
                "source_file": reject.source_file,
                "source_line": reject.source_line,
                "reason": reject.reason,
                "raw": reject.raw,
                "_load_id": load_id,
                "_loaded_at": loaded_at,
            }
            for reject in rejects
        ],
        schema=QUARANTINE_SCHEMA,
    )
    write_table(table, target)
    return target


def write_reference(lake_raw: Path, name: str, table: pa.Table, run_id: str) -> Path:
    """The reference table `name` as the run uses it (an override, or empty for the seed)."""
    target = lake_raw / "reference" / name / "data.parquet"
    Journal(lake_raw.parent, run_id).save(target)
    write_table(table, target)
    return target


def _remove(lake_root: Path, file: Path, run_id: str) -> None:
    if file.exists():
        Journal(lake_root, run_id).save(file)
        file.unlink()


def remove_partition(lake_raw: Path, lake_quarantine: Path, entity: str, day: date, run_id: str) -> None:
    _remove(lake_raw.parent, lake_raw.parent / "stats" / entity / f"{partition_name(day)}.json", run_id)
    for root in (lake_raw, lake_quarantine):
        partition = root / entity / partition_name(day)
        _remove(lake_raw.parent, partition / "data.parquet", run_id)
        if partition.exists():
            partition.rmdir()


def remove_stale_partitions(lake_raw: Path, lake_quarantine: Path, entity: str, keep: set[str], run_id: str) -> None:
    """Drop partitions of a snapshot entity whose landing file is gone, so the lake mirrors landing."""
    for root in (lake_raw / entity, lake_quarantine / entity):
        if not root.exists():
            continue
        for partition in root.iterdir():
            if partition.is_dir() and partition.name not in keep:
                for file in partition.iterdir():
                    _remove(lake_raw.parent, file, run_id)
                partition.rmdir()


def write_stats(lake_root: Path, entity: str, day: date | None, stats: dict, run_id: str) -> None:
    """Per-partition ingest counts (read, accepted, quarantined, files): what the quality gates read."""
    target = lake_root / "stats" / entity / f"{partition_name(day)}.json"
    Journal(lake_root, run_id).save(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(stats, sort_keys=True))
    os.replace(temporary, target)


def read_stats(lake_root: Path, entity: str, day: date | None) -> dict | None:
    path = lake_root / "stats" / entity / f"{partition_name(day)}.json"
    return json.loads(path.read_text()) if path.exists() else None


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
