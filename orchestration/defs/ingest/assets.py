"""Landing -> lake: one asset per canonical entity, plus the reference-data overrides.

Snapshot entities (roster snapshots, teams, services, identities, grants, surveys) are small and re-read
whole on every run. Deployments and usage arrive as one file per UTC day and are daily-partitioned: a run
over a window ingests each day of it in turn (one run per window, not one per day).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import pyarrow as pa

from orchestration.defs.ingest.connectors import generic
from orchestration.defs.ingest.connectors.base import Parsed, UnreadableFile
from orchestration.defs.partitions import daily_partitions
from orchestration.lib import lake, reference
from orchestration.lib.workspace import Workspace

GROUP = "ingest"
CATALOGUE_KEYS = [
    dg.AssetKey(["raw", "reference", "tools"]),
    dg.AssetKey(["raw", "reference", "activity_types"]),
]
DAY_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


@dataclass
class IngestOutcome:
    """What one partition's ingest did, for the materialization metadata and the progress log."""

    files: int = 0
    records_read: int = 0
    accepted: int = 0
    quarantined: int = 0
    duplicates: int = 0

    def add(self, other: "IngestOutcome") -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def metadata(self) -> dict[str, int]:
        return dict(vars(self))


def _relative(workspace: Workspace, path: Path) -> str:
    return path.relative_to(workspace.landing).as_posix()


def _store(
    workspace: Workspace,
    context: dg.AssetExecutionContext,
    entity: str,
    day: date | None,
    parsed: Parsed,
    source_files: list[str],
) -> IngestOutcome:
    records = parsed.records
    table = lake.canonical_table(entity, records)
    load_id, loaded_at = context.run_id, lake.utc_now()
    lake.write_partition(workspace.raw, entity, day, table, load_id, loaded_at)
    lake.write_quarantine(workspace.quarantine, entity, day, parsed.rejects, load_id, loaded_at)
    outcome = IngestOutcome(
        files=len(source_files),
        records_read=parsed.records_read,
        accepted=parsed.records_read - len(parsed.rejects),
        quarantined=len(parsed.rejects),
    )
    lake.write_stats(workspace.lake, entity, day, outcome.metadata())
    where = day.isoformat() if day else "snapshot"
    context.log.info(
        f"{entity} {where}: {outcome.files} file(s), read {outcome.records_read}, "
        f"accepted {outcome.accepted}, quarantined {outcome.quarantined}"
    )
    for reject in parsed.rejects[:5]:
        context.log.warning(f"quarantined {reject.message()}")
    return outcome


def _fail_unreadable(errors: list[str]) -> None:
    if errors:
        raise dg.Failure(description="Unreadable landing file(s):\n" + "\n".join(errors))


# ---- snapshot entities -------------------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotSource:
    entity: str
    folder: str
    description: str
    parse: Callable[[bytes, str, Path], Parsed]  # (data, relative file name, landing) -> Parsed
    required: bool = True


def _with_name(record: dict, name: str) -> dict:
    record["_source_file"] = name
    return record


def _snapshot_asset(source: SnapshotSource) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", source.entity],
        group_name=GROUP,
        description=source.description,
        deps=CATALOGUE_KEYS,
        kinds={"parquet"},
    )
    def _asset(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        workspace = Workspace.from_env()
        files = sorted((workspace.landing / source.folder).glob("*.csv"))
        if source.required and not files:
            raise dg.Failure(
                description=f"{workspace.landing / source.folder}: no CSV file found; "
                f"expected the generic contract's {source.folder}/ files (DESIGN.md)"
            )
        parsed, errors, names = Parsed(source.entity), [], []
        for file in files:
            name = _relative(workspace, file)
            try:
                part = source.parse(file.read_bytes(), name, workspace.landing)
            except UnreadableFile as error:
                errors.append(str(error))
                continue
            for record in part.records:
                _with_name(record, name)
            parsed.extend(part)
            names.append(name)
        _fail_unreadable(errors)
        outcome = _store(workspace, context, source.entity, None, parsed, names)
        return dg.MaterializeResult(metadata=outcome.metadata())

    return _asset


def _parse_roster_file(data: bytes, name: str, landing: Path) -> Parsed:
    found = DAY_IN_NAME.search(Path(name).name)
    if not found:
        raise UnreadableFile(name, "a roster snapshot named roster_YYYY-MM-DD.csv")
    return generic.parse_roster(data, name, date.fromisoformat(found.group(1)))


SNAPSHOT_SOURCES = (
    SnapshotSource(
        "teams",
        "teams",
        "Teams with their org, parent org and velocity target tier.",
        lambda data, name, landing: generic.parse_teams(data, name),
    ),
    SnapshotSource(
        "services",
        "services",
        "Service ownership periods: which team owns a service when.",
        lambda data, name, landing: generic.parse_services(data, name),
    ),
    SnapshotSource(
        "identities",
        "identities",
        "Vendor user ids, extra logins and aliases mapped to roster engineers.",
        lambda data, name, landing: generic.parse_identities(data, name),
        required=False,
    ),
    SnapshotSource(
        "licence_grants",
        "licences",
        "AI-tool licence grants and revocations.",
        lambda data, name, landing: generic.parse_licence_grants(data, name, reference.load_catalogue(landing)),
        required=False,
    ),
    SnapshotSource(
        "survey_responses",
        "surveys",
        "Engineer survey responses (NPS, 0..10).",
        lambda data, name, landing: generic.parse_survey_responses(data, name),
        required=False,
    ),
)


@dg.asset(
    key=["raw", "roster"],
    group_name=GROUP,
    description="Org roster snapshots: one partition per snapshot day (a snapshot holds until the next).",
    deps=CATALOGUE_KEYS,
    kinds={"parquet"},
)
def roster(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    workspace = Workspace.from_env()
    files = sorted((workspace.landing / "roster").glob("*.csv"))
    if not files:
        raise dg.Failure(description=f"{workspace.landing / 'roster'}: no roster_YYYY-MM-DD.csv snapshot found")
    total, errors, kept = IngestOutcome(), [], set()
    for file in files:
        name = _relative(workspace, file)
        try:
            parsed = _parse_roster_file(file.read_bytes(), name, workspace.landing)
        except UnreadableFile as error:
            errors.append(str(error))
            continue
        for record in parsed.records:
            _with_name(record, name)
        snapshot_date = date.fromisoformat(DAY_IN_NAME.search(file.name).group(1))
        total.add(_store(workspace, context, "roster", snapshot_date, parsed, [name]))
        kept.add(lake.partition_name(snapshot_date))
    _fail_unreadable(errors)
    lake.remove_stale_partitions(workspace.raw, workspace.quarantine, "roster", kept)
    return dg.MaterializeResult(metadata=total.metadata())


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["raw", "reference", name],
            group_name=GROUP,
            description=f"Override of seeds/{name}.csv from landing/reference/{name}.csv (empty when none).",
            kinds={"parquet"},
        )
        for name in reference.REFERENCE_TABLES
    ]
)
def reference_overrides(context: dg.AssetExecutionContext):
    """Each reference table gets a Parquet file, empty without an override, so dbt can always read it."""
    workspace = Workspace.from_env()
    for name in reference.REFERENCE_TABLES:
        header = reference.seed_header(name)
        path = reference.effective_path(workspace.landing, name)
        is_override = path.parent != reference.SEEDS_DIR
        rows: list[dict] = []
        if is_override:
            reader = generic.read_csv(path.read_bytes(), _relative(workspace, path), tuple(header))
            rows = [{column: (row.get(column) or "").strip() for column in header} for row in reader]
        table = pa.Table.from_pylist(rows, schema=pa.schema([(column, pa.string()) for column in header]))
        lake.write_table(table, workspace.raw / "reference" / name / "data.parquet")
        source = _relative(workspace, path) if is_override else f"seeds/{name}.csv"
        context.log.info(f"reference {name}: using {source}")
        yield dg.MaterializeResult(asset_key=["raw", "reference", name], metadata={"source": source, "rows": len(rows)})


# ---- daily entities ----------------------------------------------------------------------------


def _day_files(folder: Path, day: date) -> list[Path]:
    """Generic-contract files of one day: YYYY-MM-DD.ndjson and any resend such as YYYY-MM-DD.part2.ndjson."""
    return sorted(folder.glob(f"{day.isoformat()}*.ndjson"))


def _ingest_days(
    context: dg.AssetExecutionContext, ingest_day: Callable[[Workspace, date], IngestOutcome]
) -> dg.MaterializeResult:
    workspace = Workspace.from_env()
    window = context.partition_time_window
    days = [date.fromisoformat(key) for key in context.partition_keys]
    total, errors = IngestOutcome(), []
    for index, day in enumerate(days, start=1):
        context.log.info(f"[{index}/{len(days)}] {context.asset_key.to_user_string()} {day.isoformat()}")
        try:
            total.add(ingest_day(workspace, day))
        except UnreadableFile as error:
            errors.append(str(error))
    _fail_unreadable(errors)
    return dg.MaterializeResult(metadata={**total.metadata(), "window": f"{window.start.date()}..{window.end.date()}"})


def _daily_asset(entity: str, description: str):
    def decorator(ingest_one: Callable[[dg.AssetExecutionContext, Workspace, date], IngestOutcome]):
        @dg.asset(
            key=["raw", entity],
            group_name=GROUP,
            description=description,
            partitions_def=daily_partitions,
            backfill_policy=dg.BackfillPolicy.single_run(),
            deps=CATALOGUE_KEYS,
            kinds={"parquet"},
            pool="lake_writer",
        )
        def _asset(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
            return _ingest_days(context, lambda workspace, day: ingest_one(context, workspace, day))

        return _asset

    return decorator


@_daily_asset("deployments", "Deployments, one UTC day per partition (generic NDJSON and vendor exports).")
def deployments(context: dg.AssetExecutionContext, workspace: Workspace, day: date) -> IngestOutcome:
    files = _day_files(workspace.landing / "deployments", day)
    parsed, names = Parsed("deployments"), []
    for file in files:
        name = _relative(workspace, file)
        part = generic.parse_deployments(file.read_bytes(), name, day)
        for record in part.records:
            _with_name(record, name)
        parsed.extend(part)
        names.append(name)
    if not files:
        # No file is silence, not zero: the partition is removed so the silent-source gate sees the gap.
        lake.remove_partition(workspace.raw, workspace.quarantine, "deployments", day)
        context.log.warning(f"deployments {day}: no file in landing/deployments/ (source silent)")
        return IngestOutcome()
    return _store(workspace, context, "deployments", day, parsed, names)


@_daily_asset("tool_activity", "AI-tool usage rolled up to identity x tool x activity type x UTC day.")
def tool_activity(context: dg.AssetExecutionContext, workspace: Workspace, day: date) -> IngestOutcome:
    files = _day_files(workspace.landing / "usage", day)
    if not files:
        lake.remove_partition(workspace.raw, workspace.quarantine, "tool_activity", day)
        context.log.warning(f"tool_activity {day}: no file in landing/usage/ (source silent)")
        return IngestOutcome()
    names = [_relative(workspace, file) for file in files]
    usage = generic.parse_usage_events(
        [(name, file.read_bytes()) for name, file in zip(names, files, strict=True)],
        day,
        reference.load_catalogue(workspace.landing),
    )
    table = lake.canonical_table("tool_activity", usage.activity)
    load_id, loaded_at = context.run_id, lake.utc_now()
    lake.write_partition(workspace.raw, "tool_activity", day, table, load_id, loaded_at)
    lake.write_quarantine(workspace.quarantine, "tool_activity", day, usage.rejects, load_id, loaded_at)
    outcome = IngestOutcome(
        files=len(files),
        records_read=usage.records_read,
        accepted=usage.records_read - len(usage.rejects),
        quarantined=len(usage.rejects),
        duplicates=usage.duplicates,
    )
    lake.write_stats(workspace.lake, "tool_activity", day, outcome.metadata())
    context.log.info(
        f"tool_activity {day}: {len(files)} file(s), read {outcome.records_read} events, accepted "
        f"{outcome.accepted} ({outcome.duplicates} duplicates), quarantined {outcome.quarantined}, "
        f"{table.num_rows} activity rows"
    )
    return outcome


ingest_assets = [
    reference_overrides,
    roster,
    *(_snapshot_asset(source) for source in SNAPSHOT_SOURCES),
    deployments,
    tool_activity,
]
