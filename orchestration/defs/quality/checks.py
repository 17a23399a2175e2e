"""The quality gates as blocking Dagster asset checks (DESIGN.md, Gates).

Landing gates sit on the lake assets and stop the warehouse from building on a broken feed; publication
gates sit on the marts and stop the publish asset. ERROR blocks, WARN informs. Each failing check names
the gate, the expectation and sample rows in its metadata and description.
"""

import json
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime

import dagster as dg
import duckdb
import pandas as pd

from data_quality import drift
from data_quality.landing import landing_suite
from data_quality.publication import PERIODS, publication_suite
from data_quality.runner import SuiteOutcome, Validator
from orchestration.defs.partitions import run_days
from orchestration.lib import lake, reference
from orchestration.lib.workspace import Workspace

DAILY_ENTITIES = ("deployments", "tool_activity")
SNAPSHOT_ENTITIES = ("roster", "teams", "services", "identities", "licence_grants", "survey_responses")
PUBLISHED_MARTS = (
    "mart_team_weekly",
    "mart_org_weekly",
    "mart_tool_monthly",
    "mart_tool_daily",
    "mart_engineer_weekly",
    "mart_guard_signals",
    "mart_unattributed_activity",
)


def mart_key(mart: str) -> dg.AssetKey:
    return dg.AssetKey(["warehouse", mart])


def validator(workspace: Workspace) -> Validator:
    return Validator(workspace.workdir / "gx", workspace.published / "quality")


def _sample(rows: list[dict], limit: int = 10) -> str:
    return json.dumps(rows[:limit], default=str)


def _result_from_rows(gate: str, rows: list[dict], explanation: str) -> dg.AssetCheckResult:
    """A SQL gate: passes when no row violates it; otherwise names the gate and shows the rows."""
    metadata = {"gate": gate, "violations": len(rows)}
    if rows:
        metadata["sample_rows"] = dg.MetadataValue.json(json.loads(_sample(rows)))
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.ERROR,
        description=None
        if not rows
        else f"gate {gate} failed: {explanation}; {len(rows)} violation(s): {_sample(rows, 3)}",
        metadata=metadata,
    )


def _result_from_suites(gate: str, outcomes: Iterable[SuiteOutcome]) -> dg.AssetCheckResult:
    outcomes = list(outcomes)
    blocking = [(o.suite, f) for o in outcomes for f in o.blocking_failures]
    warnings = [(o.suite, f) for o in outcomes for f in o.warnings]
    failed = blocking or warnings
    lines = [f"{suite}: {failure.describe()}" for suite, failure in [*blocking, *warnings]]
    return dg.AssetCheckResult(
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
        description=None if not failed else f"gate {gate} failed: " + "; ".join(lines[:10]),
        metadata={
            "gate": gate,
            "suites": len(outcomes),
            "rows_validated": sum(o.rows for o in outcomes),
            "expectations_evaluated": sum(o.evaluated for o in outcomes),
            "failing_expectations": dg.MetadataValue.md("\n".join(f"- {line}" for line in lines) or "none"),
        },
    )


# ---- landing gates ------------------------------------------------------------------------------


def _checked_days(context, workspace: Workspace, entity: str, partitioned: bool) -> list[date | None]:
    """The run's days for a daily entity; every snapshot day for the roster; None for other snapshots."""
    if entity == "roster":
        roster = sorted((workspace.raw / "roster").glob("day=*"))
        return [date.fromisoformat(path.name.removeprefix("day=")) for path in roster]
    return run_days(context) if partitioned else [None]


def _partition_frame(workspace: Workspace, entity: str, day: date | None) -> pd.DataFrame | None:
    path = workspace.raw / entity / lake.partition_name(day) / "data.parquet"
    if not path.exists():
        return None
    with duckdb.connect() as con:
        return con.execute(f"select * from read_parquet('{path}')").df()


def _landing_contract(entity: str, partitioned: bool) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["raw", entity]),
        name="landing_contract",
        blocking=True,
        description=f"Great Expectations landing contract of {entity} on each ingested partition.",
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        workspace = Workspace.from_env()
        tools = sorted(reference.load_catalogue(workspace.landing).tools)
        now = datetime.now(UTC)
        checker = validator(workspace)
        days = _checked_days(context, workspace, entity, partitioned)
        outcomes = []
        for day in days:
            frame = _partition_frame(workspace, entity, day)
            if frame is not None:
                outcomes.append(
                    checker.validate(landing_suite(entity, day if partitioned else None, tools, now), frame)
                )
        checker.build_docs()
        return _result_from_suites(f"landing_contract:{entity}", outcomes)

    return _check


def _quarantine_tolerance(entity: str, partitioned: bool) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["raw", entity]),
        name="quarantine_within_tolerance",
        blocking=True,
        description=(
            f"Quarantined {entity} records stay within quarantine_tolerance of a day's records (ERROR above it); "
            "any quarantined or deduplicated record below it is a WARN."
        ),
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        workspace = Workspace.from_env()
        tolerance = reference.metric_vars(workspace.landing)["quarantine_tolerance"]
        days = _checked_days(context, workspace, entity, partitioned)
        gate = f"quarantine_within_tolerance:{entity}"
        rows = drift.quarantine_over_tolerance(workspace.lake, entity, days, tolerance)
        if rows:
            return _result_from_rows(
                gate, rows, f"more than {tolerance:.0%} of a day's records quarantined (see lake/quarantine/{entity}/)"
            )
        tolerated = [
            {"day": day.isoformat() if day else "snapshot", **stats}
            for day in days
            if (stats := lake.read_stats(workspace.lake, entity, day)) and (stats["quarantined"] or stats["duplicates"])
        ]
        return dg.AssetCheckResult(
            passed=not tolerated,
            severity=dg.AssetCheckSeverity.WARN,
            description=None
            if not tolerated
            else f"{gate}: records quarantined or deduplicated within tolerance: {_sample(tolerated, 5)}",
            metadata={"gate": gate, "days_with_quarantine_or_duplicates": len(tolerated)},
        )

    return _check


@dg.asset_check(
    asset=dg.AssetKey(["raw", "deployments"]),
    name="source_not_silent",
    blocking=True,
    description="Every day of the run has a deployments file (an empty file is an explicit zero).",
)
def deployments_not_silent(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    workspace = Workspace.from_env()
    rows = drift.silent_deployment_days(workspace.lake, run_days(context))
    return _result_from_rows("source_not_silent:deployments", rows, "a day has no deployments file")


@dg.asset_check(
    asset=dg.AssetKey(["raw", "tool_activity"]),
    name="source_not_silent",
    blocking=True,
    description="No tool that had usage on each of the previous 7 days goes silent.",
)
def tools_not_silent(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    workspace = Workspace.from_env()
    rows = drift.silent_tools(workspace.lake, run_days(context))
    return _result_from_rows("source_not_silent:tool_activity", rows, "a tool's usage feed went silent")


# ---- publication gates --------------------------------------------------------------------------


def _with_warehouse(check: Callable[[duckdb.DuckDBPyConnection, Workspace, list[date]], dg.AssetCheckResult]):
    def run(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        workspace = Workspace.from_env()
        with duckdb.connect(str(workspace.warehouse), read_only=True) as con:
            return check(con, workspace, run_days(context))

    return run


def _publication_contract(mart: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=mart_key(mart),
        name="publication_contract",
        blocking=True,
        description=f"Great Expectations publication contract of {mart} over the periods the run touched: "
        "ranges, keys, no emails, suppression.",
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        workspace = Workspace.from_env()
        days = run_days(context)
        column, grain = PERIODS[mart]
        with duckdb.connect(str(workspace.warehouse), read_only=True) as con:
            frame = con.execute(
                f"select * from main.{mart} where {column} between date_trunc('{grain}', cast(? as date)) and ?",
                [days[0], days[-1]],
            ).df()
            columns = dict(con.execute(f"select column_name, column_type from (describe main.{mart})").fetchall())
        checker = validator(workspace)
        outcome = checker.validate(publication_suite(mart, columns), frame)
        checker.build_docs()
        return _result_from_suites(f"publication_contract:{mart}", [outcome])

    return _check


def _gate(mart: str, name: str, description: str, explanation: str, violations):
    @dg.asset_check(asset=mart_key(mart), name=name, blocking=True, description=description)
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        def evaluate(con, workspace, days):
            return _result_from_rows(name, violations(con, workspace, days) if days else [], explanation)

        return _with_warehouse(evaluate)(context)

    return _check


def _metric_var(workspace: Workspace, name: str) -> float:
    return reference.metric_vars(workspace.landing)[name]


publication_gates = [
    _gate(
        "mart_org_weekly",
        "headline_not_jumping",
        "No org's deploys per engineer moves by 10x or more week over week.",
        "an org's headline metric moved by 10x or more week over week",
        lambda con, workspace, days: drift.org_headline_jumps(con, days),
    ),
    _gate(
        "mart_guard_signals",
        "gaming_within_tolerance",
        "Guard-flagged share of an org-week's production deploys, or of a day's VDE, within gaming_tolerance.",
        "more gaming flagged than gaming_tolerance allows (acknowledge known cases in guard_acknowledgements.csv)",
        lambda con, workspace, days: drift.gaming_over_tolerance(con, days, _metric_var(workspace, "gaming_tolerance")),
    ),
    _gate(
        "mart_unattributed_activity",
        "unattributed_within_tolerance",
        "Activity from identities not on the roster stays within unattributed_tolerance of a day's activity.",
        "too much activity from identities not on the roster (check identities.csv)",
        lambda con, workspace, days: drift.unattributed_over_tolerance(
            con, days, _metric_var(workspace, "unattributed_tolerance")
        ),
    ),
    _gate(
        "mart_team_weekly",
        "every_staffed_team_every_week",
        "Every team with headcount has a row in every week of the data.",
        "a staffed team is missing weeks",
        lambda con, workspace, days: drift.incomplete_team_weeks(con),
    ),
]

quality_checks = [
    *(_landing_contract(entity, entity in DAILY_ENTITIES) for entity in (*DAILY_ENTITIES, *SNAPSHOT_ENTITIES)),
    *(_quarantine_tolerance(entity, entity in DAILY_ENTITIES) for entity in (*DAILY_ENTITIES, *SNAPSHOT_ENTITIES)),
    deployments_not_silent,
    tools_not_silent,
    *(_publication_contract(mart) for mart in PUBLISHED_MARTS),
    *publication_gates,
]
