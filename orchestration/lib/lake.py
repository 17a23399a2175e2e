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

The lake is a local folder or a prefix on an object store (lake_fs.py): every function takes its folders as
`LakePath`s, writes through `lake_fs.writing` (a rename locally, one whole object on a store) and reads
Parquet through `lake_fs.connect`.
"""

import hashlib
import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.lib import lake_fs
from orchestration.lib.canonical import ENTITY_SCHEMAS, QUARANTINE_SCHEMA
from orchestration.lib.contracts.records import Reject
from orchestration.lib.journal import Journal
from orchestration.lib.lake_fs import LakePath

SNAPSHOT = "snapshot"


def partition_name(day: date | None) -> str:
    return f"day={day.isoformat()}" if day else SNAPSHOT


def write_table(table: pa.Table, target: LakePath, select_sql: str = "select * from batch") -> None:
    with lake_fs.writing(target, str(os.getpid())) as temporary:
        con = duckdb.connect()
        try:
            con.execute("set TimeZone = 'UTC'")
            con.register("batch", table)
            con.execute(f"copy ({select_sql}) to '{temporary}' (format parquet, compression zstd)")
        finally:
            con.close()


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
    lake_raw: LakePath, entity: str, day: date | None, table: pa.Table, load_id: str, loaded_at: datetime
) -> LakePath:
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
    lake_quarantine: LakePath,
    entity: str,
    day: date | None,
    rejects: list[Reject],
    load_id: str,
    loaded_at: datetime,
) -> LakePath | None:
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


def write_reference(lake_raw: LakePath, name: str, table: pa.Table, run_id: str) -> LakePath:
    """The reference table `name` as the run uses it (an override, or empty for the seed)."""
    target = lake_raw / "reference" / name / "data.parquet"
    Journal(lake_raw.parent, run_id).save(target)
    write_table(table, target)
    return target


def _remove(lake_root: LakePath, file: LakePath, run_id: str) -> None:
    if file.exists():
        Journal(lake_root, run_id).save(file)
        file.unlink()


def remove_partition(lake_raw: LakePath, lake_quarantine: LakePath, entity: str, day: date, run_id: str) -> None:
    _remove(lake_raw.parent, lake_raw.parent / "stats" / entity / f"{partition_name(day)}.json", run_id)
    for root in (lake_raw, lake_quarantine, lake_raw.parent / "excluded", lake_raw.parent / KEYS):
        partition = root / entity / partition_name(day)
        _remove(lake_raw.parent, partition / "data.parquet", run_id)
        if partition.exists():
            partition.rmdir()


def remove_stale_partitions(
    lake_raw: LakePath, lake_quarantine: LakePath, entity: str, keep: set[str], run_id: str
) -> None:
    """Drop partitions of a snapshot entity whose landing file is gone, so the lake mirrors landing."""
    for root in (lake_raw / entity, lake_quarantine / entity, lake_raw.parent / "excluded" / entity):
        if not root.exists():
            continue
        for partition in root.iterdir():
            if partition.is_dir() and partition.name not in keep:
                for file in partition.iterdir():
                    _remove(lake_raw.parent, file, run_id)
                partition.rmdir()


def write_stats(lake_root: LakePath, entity: str, day: date | None, stats: dict, run_id: str) -> None:
    """Per-partition ingest counts (read, accepted, quarantined, excluded by reason, files): what the quality
    gates and `aaw status` read."""
    _write_json(lake_root, lake_root / "stats" / entity / f"{partition_name(day)}.json", stats, run_id)


def _write_json(lake_root: LakePath, target: LakePath, content: dict, run_id: str) -> None:
    Journal(lake_root, run_id).save(target)
    lake_fs.write_bytes(target, json.dumps(content, sort_keys=True).encode(), str(os.getpid()))


# Rolled-up entities keep the keys of the records they roll up here (usage: each event_id with its time, file
# and line), so that a key another day delivers again is found without the records themselves.
KEYS = "keys"


def write_keys(lake_root: LakePath, entity: str, day: date, table: pa.Table, run_id: str) -> None:
    target = lake_root / KEYS / entity / partition_name(day) / "data.parquet"
    Journal(lake_root, run_id).save(target)
    write_table(table, target)


def read_keys_matching(
    lake_root: LakePath, entity: str, day: date, radius_days: int, column: str, values: pa.Array
) -> pa.Table | None:
    """The keys among `values` (of the key column `column`) that the other days within `radius_days` of `day`
    hold, with their `day`; None when none of those days holds keys. DuckDB joins the values to those days'
    key files, so their millions of keys are scanned, not loaded into memory."""
    paths = [
        path
        for path in sorted((lake_root / KEYS / entity).glob("day=*/data.parquet"))
        if path.parent.name != partition_name(day)
        and abs((date.fromisoformat(path.parent.name.removeprefix("day=")) - day).days) <= radius_days
    ]
    if not paths:
        return None
    con = lake_fs.connect(lake_root)
    try:
        con.register("wanted", pa.table({column: values}))
        return (
            con.sql(
                "select *, cast(regexp_extract(filename, 'day=([0-9-]+)', 1) as date) as day "
                f"from read_parquet($paths, filename = true) semi join wanted using ({column})",
                params={"paths": [str(path) for path in paths]},
            )
            .to_arrow_table()
            .drop_columns(["filename"])
        )
    finally:
        con.close()


def write_ignored(lake_root: LakePath, entity: str, ignored: dict[str, str], run_id: str) -> None:
    """The landing files of an entity its ingest did not read ({file: reason}); none removes the record."""
    target = lake_root / "ignored" / f"{entity}.json"
    if ignored:
        _write_json(lake_root, target, ignored, run_id)
    else:
        _remove(lake_root, target, run_id)


def read_stats(lake_root: LakePath, entity: str, day: date | None) -> dict | None:
    path = lake_root / "stats" / entity / f"{partition_name(day)}.json"
    return json.loads(path.read_text()) if path.exists() else None


def records_left_out(lake_root: LakePath) -> dict[str, dict]:
    """Per entity, over the whole lake: records read, quarantined (unreadable) and excluded by definition
    (by reason), and the landing files its ingest did not read (ignored_files, {file: reason}). What a leader
    reading the report and an engineer running `aaw status` see of ingest."""
    totals: dict[str, dict] = {}
    for path in sorted((lake_root / "stats").glob("*/*.json")):
        stats = json.loads(path.read_text())
        entity = totals.setdefault(
            path.parent.name, {"records_read": 0, "quarantined": 0, "excluded": 0, "excluded_by_reason": {}}
        )
        for name in ("records_read", "quarantined", "excluded"):
            entity[name] += stats.get(name, 0)
        for reason, count in stats.get("excluded_by_reason", {}).items():
            entity["excluded_by_reason"][reason] = entity["excluded_by_reason"].get(reason, 0) + count
    for path in sorted((lake_root / "ignored").glob("*.json")):
        entity = totals.setdefault(
            path.stem, {"records_read": 0, "quarantined": 0, "excluded": 0, "excluded_by_reason": {}}
        )
        entity["ignored_files"] = json.loads(path.read_text())
    return totals


def repeated_keys(
    lake_raw: LakePath, entity: str, key: str, load_id: str, limit: int = 20
) -> list[tuple[str, list[str]]]:
    """Keys of an entity delivered more than once anywhere in the lake (in two files, two days' partitions or
    twice in one file), at least once by the load `load_id`: each with its deliveries as `file:line`."""
    pattern = lake_raw / entity / "day=*" / "data.parquet"
    if not any((lake_raw / entity).glob("day=*/data.parquet")):
        return []
    con = lake_fs.connect(lake_raw)
    try:
        rows = con.execute(
            f"""
            with deliveries as (
                select {key} as key, _source_file || ':' || _source_line as place, _load_id
                from read_parquet(?)
            )
            select key, list(distinct place order by place) as places
            from deliveries
            group by key
            having count(*) > 1 and bool_or(_load_id = ?)
            order by key
            limit ?
            """,
            [str(pattern), load_id, limit],
        ).fetchall()
    finally:
        con.close()
    return [(found, places) for found, places in rows]


def fingerprint(path: Path) -> dict:
    """What identifies a landing file's content: size, modification time and SHA-256 digest."""
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    status = path.stat()
    return {"size": status.st_size, "mtime_ns": status.st_mtime_ns, "sha256": digest.hexdigest()}


def is_unchanged(path: Path, known: dict) -> bool:
    """Whether a file still holds what `known` (a fingerprint) describes: same size and modification time,
    or, when only the time moved (copied, touched), the same digest."""
    status = path.stat()
    if status.st_size != known["size"]:
        return False
    return status.st_mtime_ns == known["mtime_ns"] or fingerprint(path)["sha256"] == known["sha256"]


def _manifest_path(lake_root: LakePath, entity: str) -> LakePath:
    return lake_root / "manifest" / f"{entity}.json"


def read_manifest(lake_root: LakePath, entity: str) -> dict[str, dict]:
    """The landing files of an entity read by earlier runs: {file: {fingerprint, days}}."""
    path = _manifest_path(lake_root, entity)
    return json.loads(path.read_text()) if path.exists() else {}


def write_manifest(lake_root: LakePath, entity: str, manifest: dict[str, dict], run_id: str) -> None:
    _write_json(lake_root, _manifest_path(lake_root, entity), manifest, run_id)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
