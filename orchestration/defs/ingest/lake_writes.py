"""Writing what one ingest step read into the lake: a partition's records, quarantine and exclusions
replaced together, and the counts (read = accepted + quarantined + excluded) its materialization reports."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import dagster as dg
import pyarrow as pa

from orchestration.lib import lake
from orchestration.lib.canonical import PULL_REQUEST_CHILDREN, pull_request_rows
from orchestration.lib.contracts.records import Parsed, Reject
from orchestration.lib.workspace import Workspace


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


def store(
    workspace: Workspace,
    context: dg.AssetExecutionContext,
    entity: str,
    day: date | None,
    parsed: Parsed,
    source_files: list[str],
    duplicates: int = 0,
) -> IngestOutcome:
    table = lake.canonical_table(entity, parsed.records)
    return write_outcome(
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


def store_pull_requests(
    workspace: Workspace,
    context: dg.AssetExecutionContext,
    day: date,
    parsed: Parsed,
    source_files: list[str],
) -> IngestOutcome:
    """A day of pull requests: their partition (with quarantine and counts, as any entity's) and, replaced with it,
    the partitions of their commits and labels (one row per commit and per label, keyed by pr_id and updated_at)."""
    rows: dict[str, list[dict]] = {entity: [] for entity in ("pull_requests", *PULL_REQUEST_CHILDREN.values())}
    for record in parsed.records:
        for entity, found in pull_request_rows(record).items():
            rows[entity].extend(found)
    loaded_at = lake.utc_now()
    for entity in PULL_REQUEST_CHILDREN.values():
        table = lake.canonical_table(entity, rows[entity])
        lake.write_partition(workspace.raw, entity, day, table, context.run.run_id, loaded_at)
    parsed = Parsed("pull_requests", rows["pull_requests"], parsed.rejects, parsed.records_read, parsed.excluded)
    return store(workspace, context, "pull_requests", day, parsed, source_files)


def write_outcome(
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
    load_id, loaded_at = context.run.run_id, lake.utc_now()
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


def with_name(record: dict, name: str) -> dict:
    record["_source_file"] = name
    return record
