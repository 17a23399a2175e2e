"""The daily entities' assets (deployments, usage, pull requests): one partition per UTC day; a run over a window
ingests each day of it in turn, generic day files and vendor records routed to their own days."""

from collections.abc import Callable, Iterable
from datetime import date

import dagster as dg
import pyarrow as pa

from orchestration.defs.ingest.connectors import generic, registry
from orchestration.defs.ingest.lake_writes import IngestOutcome, store, store_pull_requests, with_name, write_outcome
from orchestration.defs.ingest.reference_assets import CATALOGUE_KEYS, GROUP
from orchestration.defs.ingest.screening import (
    check_day_file_names,
    fail_unreadable,
    landing_relative,
    refuse_links_leaving,
    report_ignored,
)
from orchestration.defs.ingest.vendor_routing import (
    VendorDay,
    VendorFile,
    VendorFiles,
    activity_day_of,
    closed_day_of,
    deployed_day_of,
    spend_day_of,
)
from orchestration.defs.partitions import daily_partitions
from orchestration.defs.resources import WorkspaceResource
from orchestration.lib import lake, landing_files, reference
from orchestration.lib.canonical import PULL_REQUEST_CHILDREN
from orchestration.lib.contracts.records import Parsed, UnreadableFile
from orchestration.lib.workspace import Workspace

DayIngest = Callable[[dg.AssetExecutionContext, Workspace, date, VendorFiles, date], IngestOutcome]


def _ingest_days(
    context: dg.AssetExecutionContext, workspace: Workspace, ingest_day: DayIngest, vendor: VendorFiles
) -> dg.MaterializeResult:
    window = context.partition_time_window
    days = [date.fromisoformat(key) for key in context.partition_keys]
    total, errors = IngestOutcome(), []
    vendor.plan(days)
    for index, day in enumerate(days, start=1):
        context.log.info(f"[{index}/{len(days)}] raw/{vendor.entity} {day.isoformat()}")
        try:
            total.add(ingest_day(context, workspace, day, vendor, days[0]))
        except UnreadableFile as error:
            errors.append(str(error))
    fail_unreadable(errors)
    vendor.save_manifest(days[0], context.run.run_id)
    _warn_days_outside(context, vendor, days)
    repeated = _warn_repeated_keys(context, workspace, vendor.entity)
    return dg.MaterializeResult(
        metadata={
            **total.metadata(),
            "repeated_keys": repeated,
            "vendor_files": len(vendor.files),
            "window": f"{window.start.date()}..{window.end.date()}",
        }
    )


Screen = Callable[[Workspace], Callable[[dict], str | None]]  # the workspace's check of one vendor record


def _daily_asset(
    entity: str,
    folder: str,
    record_day: Callable[[dict], date],
    description: str,
    screen: Screen | None = None,
    companions: dict[str, str] | None = None,
):
    """A daily ingest asset `raw/<entity>`; with `companions` (lake table -> description), the lake tables it writes
    beside its own partitions (pull requests' commits and labels) are assets of the same step, so that every dbt
    source has the asset that writes it."""
    specs = [
        dg.AssetSpec(["raw", name], description=text, group_name=GROUP, deps=CATALOGUE_KEYS, kinds={"parquet"})
        for name, text in {entity: description, **(companions or {})}.items()
    ]

    def decorator(ingest_one: DayIngest):
        @dg.multi_asset(
            name=f"raw__{entity}",
            specs=specs,
            partitions_def=daily_partitions,
            backfill_policy=dg.BackfillPolicy.single_run(),
            pool="lake_writer",
        )
        def _asset(context: dg.AssetExecutionContext, workspace: WorkspaceResource):
            paths = workspace.paths()
            # listed once per run, before any partition is written: an unknown folder fails the run up front
            refuse_links_leaving(paths, folder)
            check_day_file_names(paths, folder)
            report_ignored(context, paths, entity, folder, "*")  # only hidden files: strays fail the run
            vendor = VendorFiles(paths, folder, entity, record_day, screen(paths) if screen else None)
            result = _ingest_days(context, paths, ingest_one, vendor)
            yield result._replace(asset_key=dg.AssetKey(["raw", entity]))
            for companion in companions or {}:
                yield dg.MaterializeResult(asset_key=["raw", companion])

        return _asset

    return decorator


def _warn_days_outside(context: dg.AssetExecutionContext, vendor: VendorFiles, days: list[date]) -> None:
    for name, outside in vendor.days_outside(days).items():
        context.log.warning(
            f"{name} is new or changed and holds records of {len(outside)} day(s) outside this run "
            f"({outside[0]}..{outside[-1]}): run them too, e.g. aaw run --from {outside[0]} --to {outside[-1]}"
        )


# the key each daily entity is deduplicated on downstream, and which delivery counts (tool_activity is rolled up:
# its event ids are deduplicated within a day's files at ingest). The lake keeps every delivery; intermediate
# models keep one.
RECORD_KEYS = {
    "deployments": (
        "deployment_id",
        "one deployment counts once, the report with the later deployed_at, then the later status "
        "(rolled_back > success > error > failure), then the later file and line",
    ),
    "pull_requests": (
        "pr_id",
        "one pull request counts once, the delivery with the latest updated_at (a resend replaces it), "
        "then the later file and line",
    ),
}


def _warn_repeated_keys(context: dg.AssetExecutionContext, workspace: Workspace, entity: str) -> int:
    """Name every key this run delivered that another file or day also delivers: the warehouse keeps one of
    them by the data (e.g. the later deployed_at), never by which day was loaded last."""
    if entity not in RECORD_KEYS:
        return 0
    key, which_counts = RECORD_KEYS[entity]
    repeated = lake.repeated_keys(workspace.raw, entity, key, context.run.run_id)
    for found, places in repeated:
        context.log.warning(
            f"{entity}: {key} {found[:80]!r} is delivered {len(places)} times ({', '.join(places)}): {which_counts}"
        )
    return len(repeated)


def _silent(
    context: dg.AssetExecutionContext, workspace: Workspace, entity: str, folder: str, day: date
) -> IngestOutcome:
    """No file at all is silence, not zero: the partition is removed so the silent-source gate sees the gap."""
    lake.remove_partition(workspace.raw, workspace.quarantine, entity, day, context.run.run_id)
    context.log.warning(f"{entity} {day}: no file in landing/{folder}/ or its vendor folders (source silent)")
    return IngestOutcome()


@_daily_asset(
    "deployments",
    "deployments",
    deployed_day_of,
    "Deployments, one UTC day (of deployed_at) per partition: generic NDJSON and GitHub exports.",
)
def deployments(
    context: dg.AssetExecutionContext, workspace: Workspace, day: date, vendor: VendorFiles, first_day: date
) -> IngestOutcome:
    files = landing_files.day_files(workspace.landing / "deployments", day)
    vendor_day = vendor.for_day(day, first_day)
    if not files and not vendor_day.files and not vendor_day.covered:
        return _silent(context, workspace, "deployments", "deployments", day)
    # deployment ids repeated across deliveries are deduplicated downstream (latest wins), as for generic files
    parsed, names = _day_records(
        workspace, "deployments", files, vendor_day, lambda data, name: generic.parse_deployments(data, name, day)
    )
    return store(workspace, context, "deployments", day, parsed, names)


def _day_records(
    workspace: Workspace, entity: str, files: list, vendor_day: VendorDay, parse: Callable[[bytes, str], Parsed]
) -> tuple[Parsed, list[str]]:
    """A day's generic files parsed, with the vendor records routed to the day: every record kept (a key delivered
    twice is deduplicated downstream), and the names of the files read."""
    parsed, names = Parsed(entity), []
    for file in files:
        name = landing_relative(workspace, file)
        part = parse(file.read_bytes(), name)
        for record in part.records:
            with_name(record, name)
        parsed.extend(part)
        names.append(name)
    parsed.records.extend(record for _, record in vendor_day.records)
    parsed.rejects.extend(vendor_day.rejects)
    parsed.excluded.extend(vendor_day.excluded)
    parsed.records_read += vendor_day.records_read
    return parsed, names + vendor_day.files


# An event's id is looked for on the days this close to its own: a resend that moved an event to another
# day (a time zone fixed, a clock corrected) lands near it, and comparing with all history would make a run's
# cost grow with the lake instead of with the new day.
REPEAT_RADIUS_DAYS = 7


def _warn_repeated_events(context: dg.AssetExecutionContext, day: date, repeated: list) -> None:
    """Name each event_id this day delivers that another day delivers too, with both files. The earlier
    occurred_at counts; when that is this day's and the other day counted it too, that day must be ingested
    again (it then leaves the event out)."""
    for event in repeated[:20]:
        if not event.counts_here:
            outcome = f"it counts on {event.there_day}, not here"
        elif event.counted_there:
            outcome = (
                f"it counts here, and {event.there_day} counts it until it is ingested again: "
                f"aaw run --from {event.there_day} --to {event.there_day}"
            )
        else:
            outcome = "it counts here"
        context.log.warning(
            f"tool_activity {day}: event_id {event.event_id[:80]!r} is delivered by {event.here} and by "
            f"{event.there}: one event counts once, the delivery with the earlier occurred_at; {outcome}"
        )
    if len(repeated) > 20:
        context.log.warning(f"tool_activity {day}: {len(repeated) - 20} more event_id(s) delivered on other days")


def _usage_key(record: dict) -> tuple[str, str]:
    return record["identity"].lower(), record["tool"]


def _latest_vendor_rows(
    records: Iterable[tuple[VendorFile, dict]], generic_keys: set[tuple[str, str]]
) -> tuple[list[dict], int]:
    """Vendor activity rows of one day, one delivery per identity x tool: generic event rows win over a
    vendor aggregate, and among vendor files the latest file wins. Returns the rows kept and the count left out."""
    latest: dict[tuple[str, str], tuple[date, str]] = {}
    records = list(records)
    for file, record in records:
        key = _usage_key(record)
        if key not in generic_keys:
            latest[key] = max(latest.get(key, file.rank), file.rank)
    kept = [record for file, record in records if latest.get(_usage_key(record)) == file.rank]
    return kept, len(records) - len(kept)


def _activity_ceiling(workspace: Workspace) -> Callable[[dict], str | None]:
    """A vendor's daily count above its activity type's ceiling is quarantined, as an event's quantity is."""
    catalogue = reference.load_catalogue(workspace.landing)
    return lambda record: catalogue.above_ceiling(record["activity_type"], record["activity_count"])


@_daily_asset(
    "tool_activity",
    "usage",
    activity_day_of,
    "AI-tool usage rolled up to identity x tool x activity type x UTC day: generic events and vendor daily reports.",
    screen=_activity_ceiling,
)
def tool_activity(
    context: dg.AssetExecutionContext, workspace: Workspace, day: date, vendor: VendorFiles, first_day: date
) -> IngestOutcome:
    files = landing_files.day_files(workspace.landing / "usage", day)
    vendor_day = vendor.for_day(day, first_day)
    if not files and not vendor_day.files and not vendor_day.covered:
        return _silent(context, workspace, "tool_activity", "usage", day)
    names = [landing_relative(workspace, file) for file in files]
    # paths, not bytes: DuckDB reads a day's events (hundreds of MB) straight from the file
    usage = generic.parse_usage_events(
        list(zip(names, files, strict=True)),
        day,
        reference.load_catalogue(workspace.landing),
        elsewhere=lambda event_ids: lake.read_keys_matching(
            workspace.lake, "tool_activity", day, REPEAT_RADIUS_DAYS, "event_id", event_ids
        ),
    )
    lake.write_keys(workspace.lake, "tool_activity", day, usage.keys, context.run.run_id)
    _warn_repeated_events(context, day, usage.repeated)
    generic_table = lake.canonical_table("tool_activity", usage.activity)
    generic_keys = {
        (identity.lower(), tool)
        for identity, tool in zip(
            generic_table.column("identity").to_pylist(), generic_table.column("tool").to_pylist(), strict=True
        )
    }
    vendor_rows, superseded = _latest_vendor_rows(vendor_day.records, generic_keys)
    table = pa.concat_tables([generic_table, lake.canonical_table("tool_activity", vendor_rows)])
    return write_outcome(
        workspace,
        context,
        "tool_activity",
        day,
        table,
        usage.rejects + vendor_day.rejects,
        usage.records_read + vendor_day.records_read,
        names + vendor_day.files,
        duplicates=usage.duplicates + superseded,
        excluded=vendor_day.excluded,
    )


@_daily_asset(
    "pull_requests",
    "pull_requests",
    closed_day_of,
    "Pull requests merged or closed, one UTC day (of merged_at, else closed_at) per partition, with their commits "
    "and labels (lake tables pull_request_commits and pull_request_labels): generic NDJSON and GitHub exports.",
    companions={
        name: f"The {name.removeprefix('pull_request_')} of each pull request delivery in raw/pull_requests, keyed by "
        "(pr_id, pr_updated_at), in the partition of their pull request, written and replaced with it."
        for name in PULL_REQUEST_CHILDREN.values()
    },
)
def pull_requests(
    context: dg.AssetExecutionContext, workspace: Workspace, day: date, vendor: VendorFiles, first_day: date
) -> IngestOutcome:
    folder = workspace.landing / "pull_requests"
    if not folder.is_dir():
        # an organisation without pull requests in its landing is normal, not a silent feed: nothing to say per day
        if day == first_day:
            context.log.info("pull_requests: no landing/pull_requests/ folder, no pull requests ingested")
        _remove_children(context, workspace, day)
        lake.remove_partition(workspace.raw, workspace.quarantine, "pull_requests", day, context.run.run_id)
        return IngestOutcome()
    files = landing_files.day_files(folder, day)
    vendor_day = vendor.for_day(day, first_day)
    if not files and not vendor_day.files and not vendor_day.covered:
        _remove_children(context, workspace, day)
        return _silent(context, workspace, "pull_requests", "pull_requests", day)
    # a pull request delivered again is a new row; int_pull_requests_deduplicated keeps the latest updated_at
    parsed, names = _day_records(
        workspace, "pull_requests", files, vendor_day, lambda data, name: generic.parse_pull_requests(data, name, day)
    )
    return store_pull_requests(workspace, context, day, parsed, names)


def _remove_children(context: dg.AssetExecutionContext, workspace: Workspace, day: date) -> None:
    """The commits and labels of a day without pull requests go with its partition."""
    for entity in PULL_REQUEST_CHILDREN.values():
        lake.remove_partition(workspace.raw, workspace.quarantine, entity, day, context.run.run_id)


def _unpriced(workspace: Workspace) -> Callable[[dict], str | None]:
    """A vendor amount whose tool or currency cannot be costed is quarantined, as a generic one is."""
    return reference.load_catalogue(workspace.landing).unpriced


@_daily_asset(
    "spend",
    "spend",
    spend_day_of,
    "Amounts spent on AI tools, one UTC day per partition: generic NDJSON, Cursor usage events, and the cost "
    "fields of the Claude Code and Copilot usage exports.",
    screen=_unpriced,
)
def spend(
    context: dg.AssetExecutionContext, workspace: Workspace, day: date, vendor: VendorFiles, first_day: date
) -> IngestOutcome:
    files = landing_files.day_files(workspace.landing / "spend", day)
    vendor_day = vendor.for_day(day, first_day)
    if not files and not vendor_day.files and not vendor_day.covered:
        # spend is optional (an organisation may pay by seat only): no file is no spend, not a silent feed
        lake.remove_partition(workspace.raw, workspace.quarantine, "spend", day, context.run.run_id)
        return IngestOutcome()
    # a usage export's daily figures are re-downloaded whole, so its latest file counts (as for its activity);
    # event pages (Cursor) hold distinct events and are all kept
    daily = [(file, record) for file, record in vendor_day.records if file.fmt.folder in registry.SPEND_IN_USAGE]
    kept, superseded = _latest_vendor_rows(daily, set())
    kept_ids = {id(record) for record in kept}
    vendor_day.records = [
        (file, record)
        for file, record in vendor_day.records
        if file.fmt.folder not in registry.SPEND_IN_USAGE or id(record) in kept_ids
    ]
    catalogue = reference.load_catalogue(workspace.landing)
    parsed, names = _day_records(
        workspace, "spend", files, vendor_day, lambda data, name: generic.parse_spend(data, name, day, catalogue)
    )
    return store(workspace, context, "spend", day, parsed, names, duplicates=superseded)
