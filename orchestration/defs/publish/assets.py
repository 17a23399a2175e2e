"""Write-audit-publish: copy the gated marts into a new release and swap it in atomically.

published/
  current -> releases/<release>/   the symlink BI follows; swapped with one rename, so a reader sees the
                                   old release or the new one, never half of one
  releases/<release>/marts.duckdb  serving DuckDB file (open it read-only), parquet/<mart>.parquet,
                                   manifest.json
  manifest.json -> current/manifest.json
  quality/  Great Expectations Data Docs (every run, passed or failed)    docs/  dbt docs
A failed gate never reaches this asset (its checks are blocking), so the previous release stays as it was.

Publishing is also when the run's lake changes become permanent (orchestration/lib/journal.py): just before
the swap the run's journal names the release, right after it the journal is committed. A run killed between
the two keeps its lake changes too, because its release is the current one.
"""

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.defs.dbt.project import dbt_cli, is_newer_than_project
from orchestration.defs.partitions import run_days
from orchestration.defs.publish.dbt_docs import publish_static_docs
from orchestration.defs.publish.report import write_report
from orchestration.defs.quality.checks import PUBLISHED, mart_key
from orchestration.defs.resources import WorkspaceResource
from orchestration.lib import lake
from orchestration.lib.journal import Journal, settle_abandoned
from orchestration.lib.workspace import Workspace

METRIC_DEFINITIONS_VERSION = "v1"
RELEASES_KEPT = 3


def _check_results(context: dg.AssetExecutionContext) -> list[dict]:
    records = context.instance.all_logs(context.run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    results = []
    for record in records:
        evaluation = record.dagster_event.event_specific_data
        results.append(
            {
                "asset": evaluation.asset_key.to_user_string(),
                "check": evaluation.check_name,
                "passed": evaluation.passed,
                "severity": evaluation.severity.value,
            }
        )
    return sorted(results, key=lambda result: (result["asset"], result["check"]))


def _write_release(workspace: Workspace, release: Path) -> dict[str, int]:
    """Copy every published mart and dimension into release/marts.duckdb and release/parquet/; return row counts."""
    (release / "parquet").mkdir(parents=True)
    counts = {}
    with duckdb.connect(str(release / "marts.duckdb")) as con:
        con.execute(f"attach '{workspace.warehouse}' as warehouse (read_only)")
        for mart in PUBLISHED:
            con.execute(f"create table main.{mart} as select * from warehouse.main.{mart}")
            con.execute(f"copy main.{mart} to '{release / 'parquet' / mart}.parquet' (format parquet)")
            counts[mart] = con.execute(f"select count(*) from main.{mart}").fetchall()[0][0]
        con.execute("detach warehouse")
    return counts


def _data_window(workspace: Workspace) -> dict[str, str | None]:
    with duckdb.connect(str(workspace.warehouse), read_only=True) as con:
        first, last = con.execute(
            "select min(calendar_date), max(calendar_date) from main.dim_dates where is_in_data"
        ).fetchall()[0]
    return {"first_day": first and first.isoformat(), "last_day": last and last.isoformat()}


def swap_in(published: Path, release: Path) -> None:
    """Point published/current at the release with an atomic rename of a fresh symlink."""
    temporary = published / f".current.{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(release.relative_to(published), target_is_directory=True)
    os.replace(temporary, published / "current")
    manifest_link = published / "manifest.json"
    if not manifest_link.is_symlink():
        manifest_link.unlink(missing_ok=True)
        manifest_link.symlink_to(Path("current") / "manifest.json")


def _prune(published: Path) -> None:
    current = (published / "current").resolve()
    releases = sorted((published / "releases").iterdir())
    for old in releases[:-RELEASES_KEPT]:
        if old.resolve() != current:
            shutil.rmtree(old, ignore_errors=True)


@dg.asset(
    key=["published", "marts"],
    group_name="publish",
    deps=[mart_key(mart) for mart in PUBLISHED],
    pool="warehouse_writer",
    kinds={"duckdb", "parquet"},
    description="The gated marts as a new release under published/, swapped in atomically with a manifest.",
)
def published_marts(context: dg.AssetExecutionContext, workspace: WorkspaceResource) -> dg.MaterializeResult:
    return _publish(context, workspace.paths())


def _publish(context: dg.AssetExecutionContext, workspace: Workspace) -> dg.MaterializeResult:
    # a leftover journal's verdict depends on where `current` points: settle it before moving `current`
    settle_abandoned(workspace.lake, except_run=context.run.run_id)
    published = workspace.published
    (published / "releases").mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    release = published / "releases" / f"{now:%Y%m%dT%H%M%S}-{context.run.run_id[:8]}"
    context.log.info(f"publishing release {release.name}")
    staging = release.with_name(f".{release.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    counts = _write_release(workspace, staging)
    days = run_days(context)  # the run's window from its tags; none when published alone from the UI
    manifest = {
        "run_id": context.run.run_id,
        "published_at": now.isoformat(),
        "metric_definitions_version": METRIC_DEFINITIONS_VERSION,
        "run_window": {"first_day": days[0].isoformat(), "last_day": days[-1].isoformat()} if days else None,
        "data_window": _data_window(workspace),
        "row_counts": counts,
        "checks": _check_results(context),
        "records_left_out": lake.records_left_out(workspace.lake),
        "files": {"duckdb": "marts.duckdb", "parquet": {mart: f"parquet/{mart}.parquet" for mart in counts}},
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))
    os.replace(staging, release)
    journal = Journal(workspace.lake, context.run.run_id)
    journal.mark_publication(published / "current", release)
    swap_in(published, release)
    journal.commit()  # the lake the release was built from is the lake from now on
    write_report(release, published)  # published/report/index.html follows the release just swapped in
    _prune(published)
    _publish_dbt_docs(workspace)
    context.log.info(f"published {release.name}: {sum(counts.values())} rows in {len(counts)} marts")
    return dg.MaterializeResult(
        metadata={
            "release": release.name,
            "path": dg.MetadataValue.path(str(published / "current")),
            **{f"rows_{mart}": count for mart, count in counts.items()},
        }
    )


def _publish_dbt_docs(workspace: Workspace) -> None:
    """dbt docs as one static page under published/docs/ (works offline, no server).

    The docs describe the project, so they are regenerated only after the project changed.
    """
    docs = workspace.published / "docs" / "index.html"
    if is_newer_than_project(docs):
        return
    # The catalog is read through DuckDB whatever the engine (on Spark, warehouse.duckdb holds views over its
    # tables); naming the target as the build does lets dbt reuse the build's parse instead of parsing again.
    args = ["docs", "generate", "--static", "--target", "duckdb", "--vars", json.dumps(workspace.dbt_vars())]
    target = workspace.dbt_target / "build"
    if is_newer_than_project(target / "manifest.json"):
        # the run's dbt build left the project compiled there: the docs need only the warehouse's catalog
        # (about half the time of compiling every node again), and they show the SQL that ran
        args.append("--no-compile")
    else:
        target = workspace.dbt_target / "docs"
    dbt_cli().cli(args, target_path=target).wait()
    publish_static_docs(target / "static_index.html", docs)
