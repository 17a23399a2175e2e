"""Landing -> lake: one asset per canonical entity, plus the reference-data overrides.

Snapshot entities (roster snapshots, teams, services, identities, grants, surveys) are small and re-read
whole on every run. Deployments and usage arrive as one file per UTC day and are daily-partitioned: a run
over a window ingests each day of it in turn (one run per window, not one per day).

Every asset reads the generic-contract files at the top of its landing folder and the vendor folders of
its entity (connectors/registry.py, the README's table of vendor formats): the folder says the format, and a
sub-folder no format reads fails the asset with the list of supported folders.

Vendor files of the daily entities are routed by date, not by file (`VendorFiles`):
- a record goes to the partition of its own day (deployed_at's UTC date, activity_date), whatever the
  file is called: exporters name files by the range's first day, its last, the export time or nothing;
- what a run reads is decided by what changed, not by dates guessed out of names: the lake keeps a
  manifest of the vendor files read (size, modification time, content digest, and the days their records
  fell on); a run reads every new or changed file and the unchanged files whose days meet its window. A
  nightly run therefore parses the new files, not the history; within a run each file is parsed once.
  A new file with records outside the run's window is named in the log (the landing sensor requests
  those days itself);
- a file's rejects and its read/accepted/quarantined counts are booked to its home partition: the day of
  its earliest record (for a file read with others, such as a GitHub REST statuses file, of its group's
  earliest record), else the day in its path, else the run's first day;
- an export reports a span of days (its first record's to its last): a day inside a format's span without
  any record is a real zero (a holiday; webhooks and REST pages have no empty file), so its partition is
  written empty rather than removed as silent;
- vendor usage rows are daily aggregates: when one identity x tool x day comes from several vendor
  files, the latest file (by path day, then name: a re-downloaded report) wins, and generic event rows
  win over a vendor aggregate of the same identity x tool x day; the rows left out count as duplicates.
  Files are the unit of delivery: one identity-day split across two pages of one export (Claude Code
  splits a day by terminal type) would keep only the later page's rows, so an exporter writes a
  user's day into one page (Amazon Q's part files hold each user once);
- GitHub REST deployments are read a folder at a time (statuses pair with their deployments), so that
  folder is parsed whole, once per run.
"""

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import dagster as dg
import pyarrow as pa

from orchestration.defs.ingest import landing_files
from orchestration.defs.ingest.connectors import generic, registry
from orchestration.defs.ingest.connectors.base import Parsed, Reject, UnreadableFile
from orchestration.defs.partitions import daily_partitions
from orchestration.lib import lake, landing_safety, reference
from orchestration.lib.landing_days import path_day_of
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
    excluded: int = 0
    duplicates: int = 0
    excluded_by_reason: dict[str, int] = field(default_factory=dict)

    def add(self, other: "IngestOutcome") -> None:
        for name, value in vars(other).items():
            if name == "excluded_by_reason":
                for reason, count in value.items():
                    self.excluded_by_reason[reason] = self.excluded_by_reason.get(reason, 0) + count
            else:
                setattr(self, name, getattr(self, name) + value)

    def metadata(self) -> dict:
        return {**vars(self), "excluded_by_reason": dict(self.excluded_by_reason)}


def _relative(workspace: Workspace, path: Path) -> str:
    return path.relative_to(workspace.landing).as_posix()


def _store(
    workspace: Workspace,
    context: dg.AssetExecutionContext,
    entity: str,
    day: date | None,
    parsed: Parsed,
    source_files: list[str],
    duplicates: int = 0,
) -> IngestOutcome:
    table = lake.canonical_table(entity, parsed.records)
    return _write(
        workspace,
        context,
        entity,
        day,
        table,
        parsed.rejects,
        parsed.records_read,
        source_files,
        duplicates,
        excluded=parsed.excluded,
    )


def _write(
    workspace: Workspace,
    context: dg.AssetExecutionContext,
    entity: str,
    day: date | None,
    table: pa.Table,
    rejects: list[Reject],
    records_read: int,
    source_files: list[str],
    duplicates: int = 0,
    excluded: Iterable[Reject] = (),
) -> IngestOutcome:
    """Replace one partition (records, quarantine, exclusions, stats):
    records read = accepted + quarantined + excluded."""
    load_id, loaded_at = context.run_id, lake.utc_now()
    excluded = list(excluded)
    lake.write_partition(workspace.raw, entity, day, table, load_id, loaded_at)
    lake.write_quarantine(workspace.quarantine, entity, day, rejects, load_id, loaded_at)
    lake.write_quarantine(workspace.excluded, entity, day, excluded, load_id, loaded_at)
    by_reason: dict[str, int] = {}
    for record in excluded:
        by_reason[record.reason] = by_reason.get(record.reason, 0) + 1
    outcome = IngestOutcome(
        files=len(source_files),
        records_read=records_read,
        accepted=records_read - len(rejects) - len(excluded),
        quarantined=len(rejects),
        excluded=len(excluded),
        duplicates=duplicates,
        excluded_by_reason=by_reason,
    )
    lake.write_stats(workspace.lake, entity, day, outcome.metadata(), load_id)
    where = day.isoformat() if day else "snapshot"
    context.log.info(
        f"{entity} {where}: {outcome.files} file(s), read {outcome.records_read}, accepted {outcome.accepted}"
        + (f" ({duplicates} duplicates)" if duplicates else "")
        + f", quarantined {outcome.quarantined}"
        + (f", excluded by definition {outcome.excluded} {by_reason}" if excluded else "")
        + f", {table.num_rows} rows"
    )
    for reject in rejects[:5]:
        context.log.warning(f"quarantined {reject.message()}")
    return outcome


def _fail_unreadable(errors: list[str]) -> None:
    if errors:
        raise dg.Failure(description="Unreadable landing file(s):\n" + "\n".join(dict.fromkeys(errors)))


def _report_ignored(
    context: dg.AssetExecutionContext, workspace: Workspace, entity: str, folder: str, reads: str
) -> None:
    """Name the files at the top of landing/<folder>/ the asset does not read, in the log and in the lake
    (what `aaw status`, the run summary and the report list), so that no delivered file is silently skipped."""
    found = landing_files.ignored_files(workspace.landing / folder, reads)
    ignored = {_relative(workspace, path): reason for path, reason in found.items()}
    for name, reason in ignored.items():
        context.log.warning(f"{entity}: ignored {name}: {reason}")
    lake.write_ignored(workspace.lake, entity, ignored, context.run_id)


def _refuse_links_leaving(workspace: Workspace, folder: str) -> None:
    """Before anything of landing/<folder> is read: a link out of the landing folder fails the asset unread."""
    found = landing_safety.links_leaving(workspace.landing, workspace.landing / folder)
    if found:
        raise dg.Failure(description=landing_safety.refused_links_message(found))


def _with_name(record: dict, name: str) -> dict:
    record["_source_file"] = name
    return record


# ---- vendor folders ----------------------------------------------------------------------------


@dataclass(frozen=True)
class VendorFile:
    name: str  # relative to landing/, the `_source_file` of its records
    path: Path
    fmt: registry.VendorFormat
    path_day: date | None  # the day in its path below the format's folder

    @property
    def rank(self) -> tuple[date, str]:
        """Order of delivery: a later path day, then a later name, is a later file."""
        return self.path_day or date.min, self.name


def _format_of(workspace: Workspace, folder: Path) -> registry.VendorFormat:
    try:
        return registry.format_for(_relative(workspace, folder))
    except ValueError as error:
        raise dg.Failure(description=str(error)) from None


def _files_in(workspace: Workspace, folder: Path, fmt: registry.VendorFormat) -> list[Path]:
    if fmt.any_depth:
        return sorted(
            path
            for path in folder.rglob("*")
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)
        )
    files = []
    for path in sorted(folder.iterdir()):
        if landing_files.is_hidden(path):
            continue
        if path.is_dir():
            _format_of(workspace, path)  # no format reads a sub-folder of this one: fails naming the supported
        elif path.is_file():
            files.append(path)
    return files


def vendor_files(workspace: Workspace, folder: str, entity: str) -> list[VendorFile]:
    """Every file in the vendor sub-folders of landing/<folder>/; an unknown sub-folder fails the asset."""
    root = workspace.landing / folder
    if not root.is_dir():
        return []
    found = []
    for sub in sorted(path for path in root.iterdir() if path.is_dir() and not landing_files.is_hidden(path)):
        fmt = _format_of(workspace, sub)
        if fmt.entity != entity:
            raise dg.Failure(description=f"landing/{fmt.folder}/ holds {fmt.entity}, not {entity}")
        for path in _files_in(workspace, sub, fmt):
            name = _relative(workspace, path)
            found.append(VendorFile(name, path, fmt, path_day_of(path.relative_to(sub).as_posix())))
    return found


def _parse_all(files: list[VendorFile]) -> dict[str, Parsed]:
    """Parse vendor files, each format's files together (GitHub REST pairs deployments with statuses)."""
    parsed: dict[str, Parsed] = {}
    for fmt in dict.fromkeys(file.fmt for file in files):
        group = [file for file in files if file.fmt is fmt]
        parsed.update(fmt.parse_files({file.name: file.path.read_bytes() for file in group}))
    return parsed


@dataclass
class _RoutedFile:
    """One parsed vendor file: its records by day, and what is booked to its home partition."""

    file: VendorFile
    by_day: dict[date, list[dict]]
    rejects: list[Reject]
    excluded: list[Reject]
    records_read: int
    group_day: date | None = None  # the earliest record of the files parsed with it (GitHub REST statuses)

    def home(self, first_day: date) -> date:
        """The day of its earliest record (or its group's), else the day in its path, else the run's first day."""
        return min(self.by_day, default=None) or self.group_day or self.file.path_day or first_day


@dataclass
class VendorDay:
    """The vendor contribution to one daily partition."""

    records: list[tuple[VendorFile, dict]] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    excluded: list[Reject] = field(default_factory=list)
    records_read: int = 0
    files: list[str] = field(default_factory=list)
    covered: bool = False  # inside the span of days an export reports: a day without records is a real zero


class VendorFiles:
    """The vendor files of one daily entity for one run: which to read, each parsed at most once, every
    record routed to the partition of its own day.

    A file's name never decides whether its records are accepted. What a run reads is decided by the lake's
    manifest of files read before (size, modification time, content digest and the days their records
    fell on): a new or changed file is read, and an unchanged one only when its days meet the run's.
    """

    def __init__(
        self,
        workspace: Workspace,
        folder: str,
        entity: str,
        record_day: Callable[[dict], date],
        screen: Callable[[dict], str | None] | None = None,
    ):
        self.workspace = workspace
        self.entity = entity
        self.files = vendor_files(workspace, folder, entity)
        self.record_day = record_day
        self.screen = screen  # why a parsed record is implausible (it is quarantined), or None
        self._groups = {file.name: group for group in _parse_groups(self.files) for file in group}
        self._routed: dict[str, _RoutedFile | UnreadableFile] = {}
        self._manifest = lake.read_manifest(workspace.lake, entity)
        self._read: list[VendorFile] = []
        self._changed: list[VendorFile] = []
        self._spans: list[tuple[date, date]] = []

    def _known_days(self, file: VendorFile) -> set[date] | None:
        """The days the manifest holds for an unchanged file; None for a new or changed one."""
        entry = self._manifest.get(file.name)
        if entry is None or not lake.is_unchanged(file.path, entry["fingerprint"]):
            return None
        return {date.fromisoformat(day) for day in entry["days"]}

    def plan(self, days: list[date]) -> None:
        """Choose the files a run over `days` reads, and the spans of days each format's exports report."""
        window = set(days)
        known = {file.name: self._known_days(file) for file in self.files}
        self._read = [file for file in self.files if known[file.name] is None or known[file.name] & window]
        self._changed = [file for file in self.files if known[file.name] is None]
        spans: dict[str, list[date]] = {}
        for file in self.files:
            file_days = known[file.name] if known[file.name] is not None else self._days_of_file(file)
            spans.setdefault(file.fmt.folder, []).extend(file_days)
        self._spans = [(min(found), max(found)) for found in spans.values() if found]

    def for_day(self, day: date, first_day: date) -> VendorDay:
        """Records dated `day`, and the rejects and counts of the files whose home is `day`."""
        part = VendorDay(covered=any(start <= day <= end for start, end in self._spans))
        for file in self._read:
            routed = self._routed_file(file)
            mine = routed.by_day.get(day, [])
            is_home = routed.home(first_day) == day
            part.records.extend((file, record) for record in mine)
            if is_home:
                part.rejects.extend(routed.rejects)
                part.excluded.extend(routed.excluded)
                part.records_read += routed.records_read
            if mine or is_home:
                part.files.append(file.name)
        return part

    def save_manifest(self, first_day: date, run_id: str) -> None:
        """Record the files read by this run (with the days of their records) beside the unchanged ones."""
        current = {file.name for file in self.files}
        manifest = {name: entry for name, entry in self._manifest.items() if name in current}
        for file in self._read:
            routed = self._routed_file(file)
            days = {*routed.by_day, routed.home(first_day)}
            manifest[file.name] = {
                "fingerprint": lake.fingerprint(file.path),
                "days": sorted(day.isoformat() for day in days),
            }
        lake.write_manifest(self.workspace.lake, self.entity, manifest, run_id)

    def days_outside(self, days: list[date]) -> dict[str, list[date]]:
        """New or changed files with records on days outside `days`: those partitions are not rebuilt by
        this run (the landing sensor requests them; a run from the shell names them)."""
        window = set(days)
        outside = {file.name: sorted(self._days_of_file(file) - window) for file in self._changed}
        return {name: found for name, found in outside.items() if found}

    def days_of(self, names: set[str]) -> set[date]:
        """The days a run must cover for the named (new or changed) files: the days of their records now and
        when last read. An unreadable file counts by the day in its path (the run then reports it)."""
        days: set[date] = set()
        for file in (file for file in self.files if file.name in names):
            days.update(date.fromisoformat(day) for day in self._manifest.get(file.name, {}).get("days", []))
            days.update(self._days_of_file(file))
        return days

    def _days_of_file(self, file: VendorFile) -> set[date]:
        try:
            return set(self._routed_file(file).by_day)
        except UnreadableFile:
            return {file.path_day} if file.path_day else set()

    def _routed_file(self, file: VendorFile) -> _RoutedFile:
        if file.name not in self._routed:
            group = self._groups[file.name]
            try:
                parsed = _parse_all(group)
            except UnreadableFile as error:
                for member in group:
                    self._routed[member.name] = error
            else:
                routed = [self._route(member, parsed[member.name]) for member in group]
                group_day = min((day for member in routed for day in member.by_day), default=None)
                for member in routed:
                    member.group_day = group_day
                    self._routed[member.file.name] = member
        routed = self._routed[file.name]
        if isinstance(routed, UnreadableFile):
            raise routed
        return routed

    def _route(self, file: VendorFile, parsed: Parsed) -> _RoutedFile:
        by_day: dict[date, list[dict]] = {}
        rejects = list(parsed.rejects)
        for record in parsed.records:
            reason = self.screen(record) if self.screen else None
            if reason:
                shown = {key: str(value) for key, value in record.items() if not key.startswith("_")}
                rejects.append(Reject(file.name, record["_source_line"], reason, json.dumps(shown)))
                continue
            _with_name(record, file.name)
            by_day.setdefault(self.record_day(record), []).append(record)
        return _RoutedFile(file, by_day, rejects, parsed.excluded, parsed.records_read)


def deployed_day_of(record: dict) -> date:
    return record["deployed_at"].date()


def activity_day_of(record: dict) -> date:
    return record["activity_date"]


def _parse_groups(files: list[VendorFile]) -> list[list[VendorFile]]:
    """Files parsed together: one per group, except formats read a folder at a time (GitHub REST)."""
    groups = [[file] for file in files if file.fmt.parse is not None]
    folder_formats = dict.fromkeys(file.fmt for file in files if file.fmt.parse is None)
    return groups + [[file for file in files if file.fmt is fmt] for fmt in folder_formats]


def _snapshot_vendor_files(workspace: Workspace, folder: str, entity: str) -> tuple[Parsed, list[str], list[str]]:
    """All records of the vendor folders of a snapshot entity, their file names, and unreadable files' errors."""
    parsed, names, errors = Parsed(entity), [], []
    for group in _parse_groups(vendor_files(workspace, folder, entity)):
        try:
            results = _parse_all(group)
        except UnreadableFile as error:
            errors.append(str(error))
            continue
        for file in group:
            for record in results[file.name].records:
                _with_name(record, file.name)
            parsed.extend(results[file.name])
            names.append(file.name)
    return parsed, names, errors


# ---- snapshot entities -------------------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotSource:
    entity: str
    folder: str
    description: str
    parse: Callable[[bytes, str, Path], Parsed]  # (data, relative file name, landing) -> Parsed
    required: bool = True


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
        _refuse_links_leaving(workspace, source.folder)
        parsed, names, errors = _snapshot_vendor_files(workspace, source.folder, source.entity)
        files = sorted((workspace.landing / source.folder).glob("*.csv"))
        if source.required and not files:
            raise dg.Failure(
                description=f"{workspace.landing / source.folder}: no CSV file found; "
                f"expected the generic contract's {source.folder}/ files (README, Generic contract v1)"
            )
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
        _report_ignored(context, workspace, source.entity, source.folder, "*.csv")
        outcome = _store(workspace, context, source.entity, None, parsed, names)
        return dg.MaterializeResult(metadata=outcome.metadata())

    return _asset


def _snapshot_day(name: str) -> date:
    """The day a roster snapshot holds from: the YYYY-MM-DD in its file name, which must be a real date."""
    expected = "a roster snapshot named roster_YYYY-MM-DD.csv (a real date; roster_YYYY-MM-DD.part2.csv adds to it)"
    found = DAY_IN_NAME.search(Path(name).name)
    if not found:
        raise UnreadableFile(name, expected)
    try:
        return date.fromisoformat(found.group(1))
    except ValueError:
        raise UnreadableFile(name, expected, f"{found.group(1)} is not a date") from None


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
def roster(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    workspace = Workspace.from_env()
    _refuse_links_leaving(workspace, "roster")
    vendor_files(workspace, "roster", "roster")  # no vendor format: any sub-folder fails, naming the supported
    files = sorted((workspace.landing / "roster").glob("*.csv"))
    if not files:
        raise dg.Failure(description=f"{workspace.landing / 'roster'}: no roster_YYYY-MM-DD.csv snapshot found")
    by_day: dict[date, list[tuple[str, Parsed]]] = {}
    errors = []
    for file in files:
        name = _relative(workspace, file)
        try:
            snapshot_date = _snapshot_day(name)
            parsed = generic.parse_roster(file.read_bytes(), name, snapshot_date)
        except UnreadableFile as error:
            errors.append(str(error))
            continue
        for record in parsed.records:
            _with_name(record, name)
        by_day.setdefault(snapshot_date, []).append((name, parsed))
    total, kept = IngestOutcome(), set()
    for snapshot_date, day_files in sorted(by_day.items()):
        try:
            merged, duplicates = _roster_day(day_files)
        except UnreadableFile as error:
            errors.append(str(error))
            continue
        names = [name for name, _ in day_files]
        total.add(_store(workspace, context, "roster", snapshot_date, merged, names, duplicates))
        kept.add(lake.partition_name(snapshot_date))
    _fail_unreadable(errors)
    _report_ignored(context, workspace, "roster", "roster", "*.csv")
    lake.remove_stale_partitions(workspace.raw, workspace.quarantine, "roster", kept, context.run_id)
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
    _refuse_links_leaving(workspace, "reference")
    try:
        reference.metric_var_overrides(workspace.landing)
        reference.activity_ceilings(workspace.landing)
    except reference.ReferenceError as error:
        raise dg.Failure(description=str(error)) from None
    for name in reference.REFERENCE_TABLES:
        header = reference.seed_header(name)
        path = reference.effective_path(workspace.landing, name)
        is_override = path.parent != reference.SEEDS_DIR
        rows: list[dict] = []
        if is_override:
            try:
                required = tuple(reference.required_header(name))
                reader = generic.read_csv(path.read_bytes(), _relative(workspace, path), required)
                rows = [{column: (row.get(column) or "").strip() for column in header} for row in reader]
            except UnreadableFile as error:
                raise dg.Failure(description=f"{error}; write it with the header of seeds/{name}.csv") from None
        table = pa.Table.from_pylist(rows, schema=pa.schema([(column, pa.string()) for column in header]))
        lake.write_reference(workspace.raw, name, table, context.run_id)
        source = _relative(workspace, path) if is_override else f"seeds/{name}.csv"
        context.log.info(f"reference {name}: using {source}")
        yield dg.MaterializeResult(asset_key=["raw", "reference", name], metadata={"source": source, "rows": len(rows)})


# ---- daily entities ----------------------------------------------------------------------------


def _check_day_file_names(workspace: Workspace, folder: str) -> None:
    """Every file at the top of a daily folder is read by the day in its name: a file no day would read
    fails the run rather than being silently skipped."""
    strays = [_relative(workspace, path) for path in landing_files.stray_day_files(workspace.landing / folder)]
    if strays:
        raise dg.Failure(
            description=f"landing/{folder}/ holds file(s) no day reads: {', '.join(strays)}. Expected "
            f"{landing_files.DAY_FILE_FORMS}; a vendor export goes in its format's sub-folder. Rename or remove "
            "them, then rerun."
        )


DayIngest = Callable[[dg.AssetExecutionContext, Workspace, date, VendorFiles, date], IngestOutcome]


def _ingest_days(context: dg.AssetExecutionContext, ingest_day: DayIngest, vendor: VendorFiles) -> dg.MaterializeResult:
    workspace = Workspace.from_env()
    window = context.partition_time_window
    days = [date.fromisoformat(key) for key in context.partition_keys]
    total, errors = IngestOutcome(), []
    vendor.plan(days)
    for index, day in enumerate(days, start=1):
        context.log.info(f"[{index}/{len(days)}] {context.asset_key.to_user_string()} {day.isoformat()}")
        try:
            total.add(ingest_day(context, workspace, day, vendor, days[0]))
        except UnreadableFile as error:
            errors.append(str(error))
    _fail_unreadable(errors)
    vendor.save_manifest(days[0], context.run_id)
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
    entity: str, folder: str, record_day: Callable[[dict], date], description: str, screen: Screen | None = None
):
    def decorator(ingest_one: DayIngest):
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
            # listed once per run, before any partition is written: an unknown folder fails the run up front
            workspace = Workspace.from_env()
            _refuse_links_leaving(workspace, folder)
            _check_day_file_names(workspace, folder)
            _report_ignored(context, workspace, entity, folder, "*")  # only hidden files: strays fail the run
            vendor = VendorFiles(workspace, folder, entity, record_day, screen(workspace) if screen else None)
            return _ingest_days(context, ingest_one, vendor)

        return _asset

    return decorator


def _warn_days_outside(context: dg.AssetExecutionContext, vendor: VendorFiles, days: list[date]) -> None:
    for name, outside in vendor.days_outside(days).items():
        context.log.warning(
            f"{name} is new or changed and holds records of {len(outside)} day(s) outside this run "
            f"({outside[0]}..{outside[-1]}): run them too, e.g. aaw run --from {outside[0]} --to {outside[-1]}"
        )


# the key each daily entity is deduplicated on downstream (tool_activity is rolled up: its event ids are
# deduplicated within a day's files at ingest)
RECORD_KEYS = {"deployments": "deployment_id"}


def _warn_repeated_keys(context: dg.AssetExecutionContext, workspace: Workspace, entity: str) -> int:
    """Name every key this run delivered that another file or day also delivers: the warehouse keeps one of
    them by the data (the later deployed_at, then the later status), never by which day was loaded last."""
    key = RECORD_KEYS.get(entity)
    if key is None:
        return 0
    repeated = lake.repeated_keys(workspace.raw, entity, key, context.run_id)
    for found, places in repeated:
        context.log.warning(
            f"{entity}: {key} {found[:80]!r} is delivered {len(places)} times ({', '.join(places)}): one deployment "
            "counts once, the report with the later deployed_at, then the later status "
            "(rolled_back > success > error > failure), then the later file and line"
        )
    return len(repeated)


def _silent(
    context: dg.AssetExecutionContext, workspace: Workspace, entity: str, folder: str, day: date
) -> IngestOutcome:
    """No file at all is silence, not zero: the partition is removed so the silent-source gate sees the gap."""
    lake.remove_partition(workspace.raw, workspace.quarantine, entity, day, context.run_id)
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
    parsed, names = Parsed("deployments"), []
    for file in files:
        name = _relative(workspace, file)
        part = generic.parse_deployments(file.read_bytes(), name, day)
        for record in part.records:
            _with_name(record, name)
        parsed.extend(part)
        names.append(name)
    # deployment ids repeated across deliveries are deduplicated downstream (latest wins), as for generic files
    parsed.records.extend(record for _, record in vendor_day.records)
    parsed.rejects.extend(vendor_day.rejects)
    parsed.excluded.extend(vendor_day.excluded)
    parsed.records_read += vendor_day.records_read
    return _store(workspace, context, "deployments", day, parsed, names + vendor_day.files)


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
    names = [_relative(workspace, file) for file in files]
    # paths, not bytes: DuckDB reads a day's events (hundreds of MB) straight from the file
    usage = generic.parse_usage_events(
        list(zip(names, files, strict=True)),
        day,
        reference.load_catalogue(workspace.landing),
        elsewhere=lake.read_keys_around(workspace.lake, "tool_activity", day, REPEAT_RADIUS_DAYS),
    )
    lake.write_keys(workspace.lake, "tool_activity", day, usage.keys, context.run_id)
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
    return _write(
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


ingest_assets = [
    reference_overrides,
    roster,
    *(_snapshot_asset(source) for source in SNAPSHOT_SOURCES),
    deployments,
    tool_activity,
]
