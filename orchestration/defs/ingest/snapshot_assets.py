"""The snapshot entities' assets (roster snapshots, teams, services, identities, grants, surveys): small, and
re-read whole on every run from their generic files and vendor folders; the roster, one snapshot a week that
accumulates, only for the snapshots of the run's window and the new or changed ones."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg

from orchestration.defs.ingest.connectors import generic
from orchestration.defs.ingest.lake_writes import IngestOutcome, store, with_name
from orchestration.defs.ingest.reference_assets import CATALOGUE_KEYS, GROUP
from orchestration.defs.ingest.screening import fail_unreadable, landing_relative, refuse_links_leaving, report_ignored
from orchestration.defs.ingest.vendor_routing import snapshot_vendor_files, vendor_files
from orchestration.defs.partitions import run_days
from orchestration.defs.resources import WorkspaceResource
from orchestration.lib import lake, landing_files, reference
from orchestration.lib.contracts.records import Parsed, UnreadableFile
from orchestration.lib.workspace import Workspace


@dataclass(frozen=True)
class SnapshotSource:
    entity: str
    folder: str
    description: str
    parse: Callable[[bytes, str, Path], Parsed]  # (data, relative file name, landing) -> Parsed
    required: bool = True


def snapshot_asset(source: SnapshotSource) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", source.entity],
        group_name=GROUP,
        description=source.description,
        deps=CATALOGUE_KEYS,
        kinds={"parquet"},
    )
    def _asset(context: dg.AssetExecutionContext, workspace: WorkspaceResource) -> dg.MaterializeResult:
        return _ingest_snapshot(context, workspace.paths(), source)

    return _asset


def _ingest_snapshot(
    context: dg.AssetExecutionContext, workspace: Workspace, source: SnapshotSource
) -> dg.MaterializeResult:
    refuse_links_leaving(workspace, source.folder)
    parsed, names, errors = snapshot_vendor_files(workspace, source.folder, source.entity)
    files = sorted((workspace.landing / source.folder).glob("*.csv"))
    if source.required and not files:
        raise dg.Failure(
            description=f"{workspace.landing / source.folder}: no CSV file found; "
            f"expected the generic contract's {source.folder}/ files (README, generic contract v1)"
        )
    for file in files:
        name = landing_relative(workspace, file)
        try:
            part = source.parse(file.read_bytes(), name, workspace.landing)
        except UnreadableFile as error:
            errors.append(str(error))
            continue
        for record in part.records:
            with_name(record, name)
        parsed.extend(part)
        names.append(name)
    fail_unreadable(errors)
    report_ignored(context, workspace, source.entity, source.folder, "*.csv")
    outcome = store(workspace, context, source.entity, None, parsed, names)
    return dg.MaterializeResult(metadata=outcome.metadata())


def _snapshot_day(name: str) -> date:
    """The day a roster snapshot holds from: the YYYY-MM-DD in its file name, which must be a real date."""
    expected = "a roster snapshot named roster_YYYY-MM-DD.csv (a real date; roster_YYYY-MM-DD.part2.csv adds to it)"
    found = landing_files.name_day_text(name)
    if not found:
        raise UnreadableFile(name, expected)
    try:
        return date.fromisoformat(found)
    except ValueError:
        raise UnreadableFile(name, expected, f"{found} is not a date") from None


def _roster_day(files: list[tuple[str, Parsed]]) -> tuple[Parsed, int]:
    """One day's roster from its files (a snapshot split over several files is their union) and how many
    rows repeated an engineer identically; an engineer listed differently by two files of the same day
    cannot be resolved by guessing."""
    merged, seen, duplicates = Parsed("roster"), {}, 0
    if not any(parsed.records_read for _, parsed in files):
        # an organisation does not empty overnight: a snapshot with no rows is a broken export, and taking it
        # for "nobody" (or skipping it for the previous snapshot) would move every headcount without a word
        raise UnreadableFile(
            ", ".join(name for name, _ in files),
            "a roster snapshot listing the organisation's people, one row each",
            "it holds the header and no row; export it again, or remove it to keep the previous snapshot",
        )
    for name, parsed in files:
        merged.rejects.extend(parsed.rejects)
        merged.excluded.extend(parsed.excluded)
        merged.records_read += parsed.records_read
        for record in parsed.records:
            content = {key: value for key, value in record.items() if not key.startswith("_")}
            first = seen.setdefault(record["engineer_id"], (name, record["_source_line"], content))
            if first[:2] == (name, record["_source_line"]):
                merged.records.append(record)
            elif first[2] == content:
                duplicates += 1
            else:
                raise UnreadableFile(
                    name,
                    "one row per engineer in a day's roster files",
                    f"line {record['_source_line']} lists {record['engineer_id']} differently from "
                    f"{first[0]} line {first[1]}: keep one of them",
                )
    return merged, duplicates


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
        "AI-tool licence grants and revocations (generic CSV, Copilot seats, Cursor team members).",
        lambda data, name, landing: generic.parse_licence_grants(data, name, reference.load_catalogue(landing)),
        required=False,
    ),
    SnapshotSource(
        "survey_responses",
        "surveys",
        "Engineer survey responses (NPS, 0..10; generic CSV and Qualtrics exports).",
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
def roster(context: dg.AssetExecutionContext, workspace: WorkspaceResource) -> dg.MaterializeResult:
    return _ingest_roster(context, workspace.paths())


def _ingest_roster(context: dg.AssetExecutionContext, workspace: Workspace) -> dg.MaterializeResult:
    """Each snapshot day's files into that day's partition. Like a daily entity's files, a snapshot is read again
    when its day is in the run's window or its files are new or changed since they were stored; the others keep
    their partition, so that a nightly run does not parse a year of weekly snapshots again."""
    refuse_links_leaving(workspace, "roster")
    vendor_files(workspace, "roster", "roster")  # no vendor format: any sub-folder fails, naming the supported
    files = sorted((workspace.landing / "roster").glob("*.csv"))
    if not files:
        raise dg.Failure(description=f"{workspace.landing / 'roster'}: no roster_YYYY-MM-DD.csv snapshot found")
    by_day: dict[date, list[tuple[str, Path]]] = {}
    errors = []
    for file in files:
        name = landing_relative(workspace, file)
        try:
            by_day.setdefault(_snapshot_day(name), []).append((name, file))
        except UnreadableFile as error:
            errors.append(str(error))
    window = set(run_days(context))  # none when materialised alone: every snapshot is read again
    stored = lake.read_manifest(workspace.lake, "roster")
    total, kept, unchanged, manifest = IngestOutcome(), set(), 0, {}
    for snapshot_date, day_files in sorted(by_day.items()):
        kept.add(lake.partition_name(snapshot_date))
        if window and snapshot_date not in window and _stored_unchanged(stored, snapshot_date, day_files):
            manifest.update({name: stored[name] for name, _ in day_files})
            unchanged += 1
            continue
        day = [snapshot_date.isoformat()]
        manifest.update({name: {"fingerprint": lake.fingerprint(file), "days": day} for name, file in day_files})
        parsed_files = _parse_roster_files(day_files, snapshot_date, errors)
        if not parsed_files:
            continue  # no file of the day can be read: each is named in errors
        try:
            merged, duplicates = _roster_day(parsed_files)
        except UnreadableFile as error:
            errors.append(str(error))
            continue
        names = [name for name, _ in parsed_files]
        total.add(store(workspace, context, "roster", snapshot_date, merged, names, duplicates))
    fail_unreadable(errors)
    if unchanged:
        context.log.info(f"roster: {unchanged} snapshot day(s) outside the run's window unchanged since stored")
    report_ignored(context, workspace, "roster", "roster", "*.csv")
    lake.remove_stale_partitions(workspace.raw, workspace.quarantine, "roster", kept, context.run.run_id)
    lake.write_manifest(workspace.lake, "roster", manifest, context.run.run_id)
    return dg.MaterializeResult(metadata={**total.metadata(), "unchanged_snapshot_days": unchanged})


def _parse_roster_files(
    day_files: list[tuple[str, Path]], snapshot_date: date, errors: list[str]
) -> list[tuple[str, Parsed]]:
    """The readable files of a snapshot day, parsed; why each other one cannot be read goes to `errors`."""
    parsed_files = []
    for name, file in day_files:
        try:
            parsed = generic.parse_roster(file.read_bytes(), name, snapshot_date)
        except UnreadableFile as error:
            errors.append(str(error))
            continue
        for record in parsed.records:
            with_name(record, name)
        parsed_files.append((name, parsed))
    return parsed_files


def _stored_unchanged(stored: dict[str, dict], snapshot_date: date, day_files: list[tuple[str, Path]]) -> bool:
    """Whether a day's partition was stored from exactly these files, none of them changed since."""
    stored_names = {name for name, entry in stored.items() if entry["days"] == [snapshot_date.isoformat()]}
    return stored_names == {name for name, _ in day_files} and all(
        lake.is_unchanged(file, stored[name]["fingerprint"]) for name, file in day_files
    )
