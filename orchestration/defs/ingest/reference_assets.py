"""The reference-data asset: the organisation's overrides in landing/reference/ (or the seeds) copied into the
lake, checked against the seeds' headers; the catalogue every other ingest asset validates against."""

import dagster as dg
import pyarrow as pa

from orchestration.defs.ingest.connectors import generic
from orchestration.defs.ingest.screening import landing_relative, refuse_links_leaving
from orchestration.defs.resources import WorkspaceResource
from orchestration.lib import lake, reference
from orchestration.lib.contracts.records import UnreadableFile
from orchestration.lib.workspace import Workspace

GROUP = "ingest"
CATALOGUE_KEYS = [
    dg.AssetKey(["raw", "reference", "tools"]),
    dg.AssetKey(["raw", "reference", "activity_types"]),
]


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
def reference_overrides(context: dg.AssetExecutionContext, workspace: WorkspaceResource):
    """Each reference table gets a Parquet file, empty without an override, so dbt can always read it."""
    yield from _copy_references(context, workspace.paths())


def _copy_references(context: dg.AssetExecutionContext, workspace: Workspace):
    refuse_links_leaving(workspace, "reference")
    try:
        reference.metric_var_overrides(workspace.landing)
        reference.activity_ceilings(workspace.landing)
        reference.attribution_rules(workspace.landing)
        reference.fx_rates(workspace.landing)
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
                reader = generic.read_csv(path.read_bytes(), landing_relative(workspace, path), required)
                rows = [{column: (row.get(column) or "").strip() for column in header} for row in reader]
            except UnreadableFile as error:
                raise dg.Failure(description=f"{error}; write it with the header of seeds/{name}.csv") from None
        table = pa.Table.from_pylist(rows, schema=pa.schema([(column, pa.string()) for column in header]))
        lake.write_reference(workspace.raw, name, table, context.run.run_id)
        source = landing_relative(workspace, path) if is_override else f"seeds/{name}.csv"
        context.log.info(f"reference {name}: using {source}")
        yield dg.MaterializeResult(asset_key=["raw", "reference", name], metadata={"source": source, "rows": len(rows)})
