"""The impact estimator: after the warehouse build, before the publication gates.

It reads the published team-weeks and cohorts from the warehouse (through DuckDB, on either engine), estimates
(orchestration/lib/impact) and writes the rows as Parquet; the dbt model mart_ai_impact reads them as its source,
so the estimates get their contract, tests and publication gate like every other mart.
"""

import os
import time

import dagster as dg
import duckdb

from orchestration.defs.resources import WorkspaceResource
from orchestration.lib import reference
from orchestration.lib.impact import ImpactSettings, estimate_impact
from orchestration.lib.impact.panel import PANEL_MODEL, read_panel


@dg.asset(
    key=["impact", "ai_impact_estimates"],
    group_name="impact",
    # the panel model, not the published marts it is built from: a published mart has blocking publication gates,
    # and a step reading one would have to wait for them, while the gates wait for mart_ai_impact (Dagster would
    # then split the dbt build and the gates into several steps each)
    deps=[dg.AssetKey(["warehouse", "intermediate", PANEL_MODEL])],
    # it reads the warehouse the dbt build writes: one step at a time with the warehouse's writers
    pool="warehouse_writer",
    kinds={"python", "parquet"},
    description="Staggered difference-in-differences of delivery on AI adoption (Callaway and Sant'Anna), with the "
    "naive before/after beside it, for every outcome and scope: the rows of mart_ai_impact.",
)
def ai_impact_estimates(context: dg.AssetExecutionContext, workspace: WorkspaceResource) -> dg.MaterializeResult:
    paths = workspace.paths()
    started = time.process_time()
    settings = ImpactSettings.from_metric_vars(reference.metric_vars(paths.landing))
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        panel = read_panel(con)
    estimates = estimate_impact(panel, settings)
    target = paths.impact_estimates
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    estimates.to_parquet(partial, index=False)
    os.replace(partial, target)  # a reader finds the previous estimates or these, never half a file
    headline = estimates[estimates["event_week"].isna() & (estimates["estimator"] == "callaway_santanna")]
    reliable = int(headline["is_reliable"].sum())
    context.log.info(f"impact estimates: {len(headline)} outcome x scope estimates, {reliable} reliable")
    return dg.MaterializeResult(
        metadata={
            "rows": len(estimates),
            "estimates": len(headline),
            "reliable_estimates": reliable,
            "teams": int(panel["team_id"].nunique()),
            "cpu_seconds": round(time.process_time() - started, 2),
            "path": dg.MetadataValue.path(str(target)),
        }
    )
