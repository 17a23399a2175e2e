"""Which vendor files an ingest step reads, and to which day each of their records goes.

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
- GitHub REST deployments and pull requests are read a folder at a time (statuses pair with their
  deployments, commits pages with their pull requests), so those folders are parsed whole, once per run.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import dagster as dg

from orchestration.defs.ingest.connectors import registry
from orchestration.defs.ingest.lake_writes import with_name
from orchestration.defs.ingest.screening import landing_relative
from orchestration.lib import lake, landing_files
from orchestration.lib.contracts.records import Parsed, Reject, UnreadableFile
from orchestration.lib.workspace import Workspace


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
        return registry.format_for(landing_relative(workspace, folder))
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
    """Every file in the vendor sub-folders of landing/<folder>/; an unknown sub-folder fails the asset. Spend also
    reads the usage exports that carry it, with their spend formats."""
    found = _files_of_folder(workspace, folder, entity)
    if entity == "spend":
        found += [
            VendorFile(file.name, file.path, registry.SPEND_IN_USAGE[file.fmt.folder], file.path_day)
            for file in _files_of_folder(workspace, "usage", "tool_activity")
            if file.fmt.folder in registry.SPEND_IN_USAGE
        ]
    return found


def _files_of_folder(workspace: Workspace, folder: str, entity: str) -> list[VendorFile]:
    root = workspace.landing / folder
    if not root.is_dir():
        return []
    found = []
    for sub in sorted(path for path in root.iterdir() if path.is_dir() and not landing_files.is_hidden(path)):
        fmt = _format_of(workspace, sub)
        if fmt.entity != entity:
            raise dg.Failure(description=f"landing/{fmt.folder}/ holds {fmt.entity}, not {entity}")
        for path in _files_in(workspace, sub, fmt):
            name = landing_relative(workspace, path)
            found.append(VendorFile(name, path, fmt, landing_files.path_day_of(path.relative_to(sub).as_posix())))
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
            with_name(record, file.name)
            by_day.setdefault(self.record_day(record), []).append(record)
        return _RoutedFile(file, by_day, rejects, parsed.excluded, parsed.records_read)


def deployed_day_of(record: dict) -> date:
    return record["deployed_at"].date()


def activity_day_of(record: dict) -> date:
    return record["activity_date"]


def spend_day_of(record: dict) -> date:
    return record["spend_date"]


def closed_day_of(record: dict) -> date:
    """A pull request's day: when it was merged, else when it was closed (UTC)."""
    return (record["merged_at"] or record["closed_at"]).date()


def _parse_groups(files: list[VendorFile]) -> list[list[VendorFile]]:
    """Files parsed together: one per group, except formats read a folder at a time (GitHub REST)."""
    groups = [[file] for file in files if file.fmt.parse is not None]
    folder_formats = dict.fromkeys(file.fmt for file in files if file.fmt.parse is None)
    return groups + [[file for file in files if file.fmt is fmt] for fmt in folder_formats]


def snapshot_vendor_files(workspace: Workspace, folder: str, entity: str) -> tuple[Parsed, list[str], list[str]]:
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
                with_name(record, file.name)
            parsed.extend(results[file.name])
            names.append(file.name)
    return parsed, names, errors
