"""The quality gates as blocking Dagster asset checks.

Landing gates sit on the lake assets and stop the warehouse from building on a broken feed; publication
gates sit on the marts and stop the publish asset. ERROR blocks, WARN informs. Each failing check names
the gate, the expectation and sample rows in its metadata and description. Each stage's gates run as one
step (`landing_gates`, `publication_gates`), so a run starts Great Expectations and renders its Data
Docs twice rather than once per gate.
"""

import contextlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import dagster as dg
import duckdb
import pandas as pd

from data_quality import drift, gaming
from data_quality.identities import identities_claimed_twice
from data_quality.landing import RECORD_DAY, landing_suite
from data_quality.publication import publication_suite
from data_quality.runner import SuiteOutcome, Validator
from orchestration.defs.partitions import run_days
from orchestration.defs.resources import WorkspaceResource
from orchestration.lib import lake, lake_fs, reference
from orchestration.lib.canonical import ENTITY_SCHEMAS
from orchestration.lib.published_models import published_models
from orchestration.lib.workspace import Workspace

# Pull requests and spend are optional: an organisation without landing/pull_requests/ has no partition of them,
# and their landing contract, quarantine and silence gates pass on nothing. Spend has no silence gate: usage-priced
# tools are billed only on the days they are used, so a day without spend is no broken feed.
DAILY_ENTITIES = ("deployments", "tool_activity", "pull_requests", "spend")
SNAPSHOT_ENTITIES = ("roster", "teams", "services", "identities", "licence_grants", "survey_responses")
# What is published is declared on the dbt models (config.meta.publish in their yml), read from the manifest.
# The conformed dimensions BI needs beside the marts (team names and orgs, tool attributes, the calendar) are
# published too; dim_engineers is not (names and HR ids are not for BI; marts carry the pseudonymous key).
PUBLISHED_MODELS = published_models()
PUBLISHED_MARTS = tuple(name for name, model in PUBLISHED_MODELS.items() if not model.is_dimension)
PUBLISHED_DIMENSIONS = tuple(name for name, model in PUBLISHED_MODELS.items() if model.is_dimension)
PUBLISHED = (*PUBLISHED_MARTS, *PUBLISHED_DIMENSIONS)


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


# ---- one check step per stage --------------------------------------------------------------------


@dataclass
class Scope:
    """What every gate of a step sees: the run's days, one GX validator (Data Docs are rendered once per
    step, not once per gate) and, for the publication gates, the warehouse opened read-only."""

    workspace: Workspace
    days: list[date]
    checker: Validator
    con: duckdb.DuckDBPyConnection | None = None


Evaluate = Callable[[Scope, str], dg.AssetCheckResult]  # (scope, entity or mart) -> result


def _gates_step(
    name: str, prefix: list[str], gates: dict[tuple[str, str], tuple[str, Evaluate]], needs_warehouse: bool = False
) -> dg.AssetChecksDefinition:
    """The gates of one stage as one multi-asset check: every gate is its own blocking check of its asset."""

    @dg.multi_asset_check(
        name=name,
        specs=[
            dg.AssetCheckSpec(check, asset=dg.AssetKey([*prefix, subject]), blocking=True, description=description)
            for (subject, check), (description, _) in gates.items()
        ],
        can_subset=True,
    )
    def _step(context: dg.AssetCheckExecutionContext, workspace: WorkspaceResource):
        paths = workspace.paths()
        scope = Scope(paths, run_days(context), validator(paths))
        with contextlib.ExitStack() as stack:
            if needs_warehouse:
                warehouse = stack.enter_context(duckdb.connect(str(paths.warehouse), read_only=True))
                scope.con = lake_fs.register(warehouse, paths.lake)
            results = [
                gates[(key.asset_key.path[-1], key.name)][1](scope, key.asset_key.path[-1])._replace(
                    asset_key=key.asset_key, check_name=key.name
                )
                for key in sorted(context.selected_asset_check_keys, key=str)
            ]
        scope.checker.build_docs()
        yield from results

    return _step


# ---- landing gates ------------------------------------------------------------------------------

WEEK = 7  # a daily entity is validated at most a week of partitions at a time (bounded DataFrames)


def _checked_days(workspace: Workspace, entity: str, days: list[date]) -> list[date | None]:
    """The partitions a run checks: its days for a daily entity; for the roster, the snapshots in force
    during the run (the one before its first day and any within it; all of them for a run without days);
    the one snapshot (None) for the other entities."""
    if entity in DAILY_ENTITIES:
        return days
    if entity != "roster":
        return [None]
    snapshots = sorted(
        date.fromisoformat(path.name.removeprefix("day=")) for path in (workspace.raw / "roster").glob("day=*")
    )
    if not days:
        return snapshots
    before = [snapshot for snapshot in snapshots if snapshot <= days[0]][-1:]
    return before + [snapshot for snapshot in snapshots if days[0] < snapshot <= days[-1]]


def _landing_frame(workspace: Workspace, entity: str, days: list[date | None]) -> pd.DataFrame | None:
    """The stored partitions as one DataFrame; a daily entity's gets partition_day and record_day."""
    paths = [
        path for day in days if (path := workspace.raw / entity / lake.partition_name(day) / "data.parquet").exists()
    ]
    if not paths:
        return None
    # the entity's own columns only: lineage columns are long strings the suites do not look at
    columns = ", ".join(ENTITY_SCHEMAS[entity].names)
    if entity in RECORD_DAY:
        columns += f", cast(day as date) as partition_day, cast({RECORD_DAY[entity]} as date) as record_day"
    with lake_fs.connect(workspace.lake) as con:
        return con.execute(
            f"select {columns} from read_parquet(?, hive_partitioning = {entity in DAILY_ENTITIES})",
            [[str(path) for path in paths]],
        ).df()


def _landing_contract(scope: Scope, entity: str) -> dg.AssetCheckResult:
    workspace = scope.workspace
    tools = sorted(reference.load_catalogue(workspace.landing).tools)
    now = datetime.now(UTC)
    checked = _checked_days(workspace, entity, scope.days)
    chunks = [checked[i : i + WEEK] for i in range(0, len(checked), WEEK)] if entity in DAILY_ENTITIES else [checked]
    outcomes = []
    for chunk in chunks:
        frame = _landing_frame(workspace, entity, chunk)
        if frame is not None:
            window = (chunk[0], chunk[-1]) if entity in DAILY_ENTITIES else None
            outcomes.append(scope.checker.validate(landing_suite(entity, window, tools, now), frame))
    return _result_from_suites(f"landing_contract:{entity}", outcomes)


def _quarantine_tolerance(scope: Scope, entity: str) -> dg.AssetCheckResult:
    workspace = scope.workspace
    thresholds = reference.metric_vars(workspace.landing)
    tolerance = thresholds["quarantine_tolerance"]
    checked = _checked_days(workspace, entity, scope.days)
    gate = f"quarantine_within_tolerance:{entity}"
    rows = drift.quarantine_over_tolerance(
        workspace.lake, entity, checked, tolerance, thresholds["gate_false_alarm_rate"]
    )
    if rows:
        return _result_from_rows(
            gate,
            rows,
            f"more than {tolerance:.0%} of a day's records quarantined, beyond what chance explains at that volume "
            f"(see lake/quarantine/{entity}/ for each record's file, line and reason): fix or re-export the "
            "files and rerun, or raise quarantine_tolerance in landing/reference/metric_vars.csv",
        )
    tolerated = [
        {"day": day.isoformat() if day else lake.SNAPSHOT, **stats}
        for day in checked
        if (stats := lake.read_stats(workspace.lake, entity, day))
        and (stats["quarantined"] or stats["duplicates"] or stats.get("excluded"))
    ]
    return dg.AssetCheckResult(
        passed=not tolerated,
        severity=dg.AssetCheckSeverity.WARN,
        description=None
        if not tolerated
        else f"{gate}: records quarantined, deduplicated or excluded by definition, within tolerance: "
        f"{_sample(tolerated, 5)}",
        metadata={"gate": gate, "days_with_quarantine_or_duplicates": len(tolerated)},
    )


def _graded_result(gate: str, rows: list[dict], explanation: str) -> dg.AssetCheckResult:
    """A gate whose rows carry their own severity: any ERROR row blocks, WARN rows only inform."""
    blocking = [row for row in rows if row["severity"] == "ERROR"]
    if blocking:
        return _result_from_rows(gate, blocking, explanation)
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{gate}: unusual but plausible silence: {_sample(rows, 5)}" if rows else None,
        metadata={"gate": gate, "warnings": len(rows)},
    )


def _silence_thresholds(scope: Scope) -> tuple[float, float]:
    thresholds = reference.metric_vars(scope.workspace.landing)
    return thresholds["gate_false_alarm_rate"], thresholds["silence_warn_rate"]


def _feed_not_silent(scope: Scope, entity: str) -> dg.AssetCheckResult:
    rows = drift.silent_feed_days(scope.workspace.lake, entity, scope.days, *_silence_thresholds(scope))
    what = entity.replace("_", " ")
    return _graded_result(
        f"source_not_silent:{entity}",
        rows,
        f"no {what} on a day whose weekday volume makes zero implausible, and no landing file covers the day. "
        "If the export has not reached that day yet, run up to the day before; if there really were none, "
        f"write an empty landing/{entity}/YYYY-MM-DD.ndjson; then rerun",
    )


def _tools_not_silent(scope: Scope, _entity: str) -> dg.AssetCheckResult:
    rows = drift.silent_tools(scope.workspace.lake, scope.days, *_silence_thresholds(scope)) if scope.days else []
    return _graded_result(
        "source_not_silent:tool_activity",
        rows,
        "a tool has no usage on a day whose weekday volume makes zero implausible while other tools report: "
        "its export is missing or broken; land the tool's file for that day and rerun",
    )


def _one_engineer_per_identity(scope: Scope, _entity: str) -> dg.AssetCheckResult:
    return _result_from_rows(
        "one_engineer_per_identity:roster",
        identities_claimed_twice(scope.workspace.raw),
        "an identity (email compared case-insensitively, GitHub login, or an alias of identities.csv) names two "
        "engineers, so the warehouse could credit its records (deploys triggered, licences, usage, survey "
        "responses) to neither. Correct the rows named (file:line) so that each identity belongs to one "
        "engineer, then rerun",
    )


# (entity, check name) -> (description, how to evaluate it)
LANDING_GATES: dict[tuple[str, str], tuple[str, Evaluate]] = {
    **{
        (entity, "landing_contract"): (
            f"Great Expectations landing contract of {entity} on the partitions the run ingested.",
            _landing_contract,
        )
        for entity in (*DAILY_ENTITIES, *SNAPSHOT_ENTITIES)
    },
    **{
        (entity, "quarantine_within_tolerance"): (
            f"Quarantined {entity} records stay within quarantine_tolerance of a day's records (ERROR when the "
            "share is above it beyond chance at gate_false_alarm_rate); any quarantined, deduplicated or "
            "excluded record otherwise is a WARN.",
            _quarantine_tolerance,
        )
        for entity in (*DAILY_ENTITIES, *SNAPSHOT_ENTITIES)
    },
    ("roster", "one_engineer_per_identity"): (
        "Every email (case-insensitive), GitHub login and identities.csv alias, over all roster snapshots, "
        "belongs to one engineer.",
        _one_engineer_per_identity,
    ),
    **{
        (entity, "source_not_silent"): (
            f"No day of the run is without {entity.replace('_', ' ')} when its weekday's volume makes zero "
            "implausible (ERROR at gate_false_alarm_rate unless a landing file covers the day; WARN at "
            "silence_warn_rate).",
            _feed_not_silent,
        )
        for entity in ("deployments", "pull_requests")
    },
    ("tool_activity", "source_not_silent"): (
        "No tool goes silent on a day when its weekday's volume makes zero implausible "
        "(ERROR at gate_false_alarm_rate; WARN at silence_warn_rate or on a day every tool is silent).",
        _tools_not_silent,
    ),
}


landing_gates = _gates_step("landing_gates", ["raw"], LANDING_GATES)


# ---- publication gates --------------------------------------------------------------------------


def _publication_contract(scope: Scope, mart: str) -> dg.AssetCheckResult:
    con, days, published = scope.con, scope.days, PUBLISHED_MODELS[mart]
    where, parameters = "", []
    if days and published.period:  # a model without a period (a dimension) is small and validated whole
        column, grain = published.period.column, published.period.grain
        where, parameters = f"where {column} between date_trunc('{grain}', cast(? as date)) and ?", [days[0], days[-1]]
    frame = con.execute(f"select * from main.{mart} {where}", parameters).df()
    columns = dict(con.execute(f"select column_name, column_type from (describe main.{mart})").fetchall())
    outcome = scope.checker.validate(publication_suite(published, columns), frame)
    return _result_from_suites(f"publication_contract:{mart}", [outcome])


def _sql_gate(name: str, explanation: str, violations: Callable) -> Evaluate:
    def evaluate(scope: Scope, _mart: str) -> dg.AssetCheckResult:
        rows = violations(scope.con, scope.workspace, scope.days) if scope.days else []
        return _result_from_rows(name, rows, explanation)

    return evaluate


def _metric_var(workspace: Workspace, name: str) -> float:
    return reference.metric_vars(workspace.landing)[name]


def _unowned_within_tolerance(scope: Scope, _mart: str) -> dg.AssetCheckResult:
    """ERROR for a week whose unowned production deploys are too many to be noise; WARN for any other."""
    gate = "unowned_within_tolerance"
    workspace, days = scope.workspace, scope.days
    tolerance = _metric_var(workspace, "unowned_deploy_tolerance")
    min_count = _metric_var(workspace, "unowned_deploy_min_count")
    weeks = drift.unowned_deploy_weeks(scope.con, days, tolerance, min_count) if days else []
    blocking = [week for week in weeks if week["blocks"]]
    reported = blocking or weeks
    metadata = {"gate": gate, "violations": len(blocking), "weeks_with_unowned_deploys": len(weeks)}
    if not reported:
        return dg.AssetCheckResult(passed=True, severity=dg.AssetCheckSeverity.WARN, metadata=metadata)
    rule = f"a week blocks above {tolerance:.0%} of its production deploys and at least {min_count:.0f} of them"
    if blocking:
        head = f"gate {gate} failed: production deploys that no team owns are missing from every team metric ({rule})"
    else:
        head = f"{gate}: production deploys that no team owns, too few to block ({rule})"
    found = "; ".join(
        f"Week {week['week_start']}: {week['unowned_production_deploys']} of {week['production_deploys']} production "
        f"deploys unowned ({week['unowned_share']:.0%}), by service (deploys, reason): {week['services']}"
        for week in reported[:3]
    )
    remedy = (
        f"add each service to {workspace.landing / 'services' / 'services.csv'} (as owner/repo or as the bare repo "
        "name, both match; an ambiguous_service_name needs its owner/repo) or, for a known case, acknowledge it in "
        f"{workspace.landing / 'reference' / 'guard_acknowledgements.csv'} (signal_type unowned_deployment, "
        "entity_id the service as named above, period_start empty or the deploy day); then rerun the window: "
        f"aaw run --landing {workspace.landing} --workdir {workspace.workdir}"
        + (f" --from {days[0]} --to {days[-1]}" if days else "")
    )
    return dg.AssetCheckResult(
        passed=False,
        severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
        description=f"{head}. {found}. To fix: {remedy}",
        metadata={**metadata, "sample_rows": dg.MetadataValue.json(json.loads(_sample(reported)))},
    )


PUBLICATION_GATES: dict[tuple[str, str], tuple[str, Evaluate]] = {
    **{
        (mart, "publication_contract"): (
            f"Great Expectations publication contract of {mart} over the periods the run touched: "
            "ranges, keys, no emails, suppression.",
            _publication_contract,
        )
        for mart in PUBLISHED
    },
    ("mart_org_weekly", "headline_not_jumping"): (
        "No org's deploys per engineer moves by 10x or more week over week beyond chance at its volume "
        "(gate_false_alarm_rate).",
        _sql_gate(
            "headline_not_jumping",
            "an org's headline metric moved by 10x or more week over week",
            lambda con, workspace, days: drift.org_headline_jumps(
                con, days, _metric_var(workspace, "gate_false_alarm_rate")
            ),
        ),
    ),
    ("mart_guard_signals", "gaming_within_tolerance"): (
        "Guard-flagged share of an org-week's production deploys or merged pull requests (pr_splitting), or of a "
        "day's VDE, within gaming_tolerance.",
        _sql_gate(
            "gaming_within_tolerance",
            "more gaming flagged than gaming_tolerance allows (acknowledge known cases in guard_acknowledgements.csv)",
            lambda con, workspace, days: gaming.gaming_over_tolerance(
                con, days, _metric_var(workspace, "gaming_tolerance")
            ),
        ),
    ),
    ("mart_guard_signals", "spend_spikes_within_tolerance"): (
        "Usage cost of a day's unacknowledged spend spikes (an identity's or a tool's day far above its days "
        "before) within spend_spike_tolerance of the day's usage cost.",
        _sql_gate(
            "spend_spikes_within_tolerance",
            "usage cost spiked far above its days before (a leaked key or a runaway agent?): find who spent it; "
            "acknowledge a known case in guard_acknowledgements.csv",
            lambda con, workspace, days: gaming.spend_spikes_over_tolerance(
                con, days, _metric_var(workspace, "spend_spike_tolerance")
            ),
        ),
    ),
    ("mart_unattributed_activity", "unattributed_within_tolerance"): (
        "Activity from identities not on the roster stays within unattributed_tolerance of a day's activity.",
        _sql_gate(
            "unattributed_within_tolerance",
            "too much activity from identities not on the roster (check identities.csv)",
            lambda con, workspace, days: drift.unattributed_over_tolerance(
                con, days, _metric_var(workspace, "unattributed_tolerance")
            ),
        ),
    ),
    ("mart_unowned_deployments", "unowned_within_tolerance"): (
        "Unacknowledged production deploys that no team owns: ERROR when a week's exceed unowned_deploy_tolerance "
        "of its production deploys and number at least unowned_deploy_min_count; any other is a WARN.",
        _unowned_within_tolerance,
    ),
    ("mart_team_weekly", "every_staffed_team_every_week"): (
        "Every team with headcount has a row in every week of the data.",
        _sql_gate(
            "every_staffed_team_every_week",
            "a staffed team is missing weeks",
            lambda con, workspace, days: drift.incomplete_team_weeks(con),
        ),
    ),
}


publication_gates = _gates_step("publication_gates", ["warehouse"], PUBLICATION_GATES, needs_warehouse=True)

quality_checks = [landing_gates, publication_gates]
