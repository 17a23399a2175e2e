"""Team metrics explained (mart_team_weekly): the deployments, engineers and activity behind a team's week."""

from collections.abc import Callable
from datetime import date, timedelta

import duckdb

from orchestration.lib.explain.definitions import column_definition
from orchestration.lib.explain.pull_requests import explain_pull_requests
from orchestration.lib.explain.queries import engineer_list, number, query_rows, ratio, scalar, source_of
from orchestration.lib.explain.records import (
    DEPLOY_COLUMNS,
    PULL_REQUEST_METRICS,
    ExplainError,
    Explanation,
    RecordSet,
)


def _deployments(con: duckdb.DuckDBPyConnection, team: str, weeks: list[date], where: str) -> list[dict]:
    placeholders = ", ".join("?" for _ in weeks)
    return query_rows(
        con,
        f"select * from main.fct_deployments where team_id = ? and week_start in ({placeholders}) and ({where}) "
        "order by deployed_at, deployment_id",
        [team, *weeks],
    )


def _deploy_rows(deploys: list[dict]) -> list[tuple]:
    rows = []
    for deploy in deploys:
        flags = [
            name
            for name, column in (
                ("quality-adjusted", "is_quality_adjusted_deploy"),
                ("failed", "is_failed_production_deploy"),
                ("reverted", "is_reverted"),
                ("deploy-spam", "is_spam_flagged"),
                ("redeploy", "is_redeploy"),
            )
            if deploy[column]
        ]
        rows.append(
            (
                deploy["deployment_id"],
                deploy["service_id"],
                deploy["environment"],
                (deploy["commit_sha"] or "")[:10],
                deploy["deployment_status"],
                f"{deploy['deployed_at']:%Y-%m-%d %H:%M:%S}",
                ",".join(flags) or "-",
                source_of(deploy["_source_file"], deploy["_source_line"]),
            )
        )
    return rows


def _headcount_engineers(con: duckdb.DuckDBPyConnection, team: str, week: date) -> list[str]:
    """Engineers on the team on the week's Monday (dim_engineers versions valid that day)."""
    rows = con.execute(
        "select distinct engineer_id from main.dim_engineers where team_id = ? and is_engineer "
        "and valid_from <= ? and (valid_to is null or ? < valid_to) order by engineer_id",
        [team, week, week],
    ).fetchall()
    return [row[0] for row in rows]


def _deploy_counts(con: duckdb.DuckDBPyConnection, team: str, week: date) -> dict[str, int]:
    row = con.execute(
        """
        select
            count(*) filter (where is_production_deploy),
            count(*) filter (where is_quality_adjusted_deploy),
            count(*) filter (where is_production_deploy and not is_spam_flagged),
            count(*) filter (where is_production_deploy and is_reverted and not is_spam_flagged),
            count(*) filter (where is_failed_production_deploy),
            count(*) filter (where is_production_deploy and is_spam_flagged)
        from main.fct_deployments where team_id = ? and week_start = ?
        """,
        [team, week],
    ).fetchall()[0]
    names = ("production", "quality_adjusted", "unflagged_production", "reverted", "failed", "flagged")
    return dict(zip(names, (int(value) for value in row), strict=True))


def activity_rows(con: duckdb.DuckDBPyConnection, where: str, parameters: list) -> list[dict]:
    return query_rows(
        con,
        "select activity_date, engineer_id, team_id, tool, activity_type, activity_count, value_deriving_events, "
        f"first_source_file, first_source_line from main.fct_tool_activity_daily where {where} "
        "order by activity_date, engineer_id, tool, activity_type",
        parameters,
    )


ACTIVITY_COLUMNS = ("day", "engineer_id", "team", "tool", "activity_type", "count", "source (first record)")


def activity_table(rows: list[dict]) -> list[tuple]:
    return [
        (
            row["activity_date"].isoformat(),
            row["engineer_id"],
            row["team_id"],
            row["tool"],
            row["activity_type"],
            row["activity_count"],
            source_of(row["first_source_file"], row["first_source_line"]),
        )
        for row in rows
    ]


def mart_row(
    con: duckdb.DuckDBPyConnection,
    mart: str,
    subject: tuple[str, str, str],  # (what it is, its column, its value), e.g. ("team", "team_id", "team-a")
    period: tuple[str, str, date],  # (what it is, its column, its value), e.g. ("week", "week_start", a Monday)
    show: Callable[[date], str],
) -> dict:
    """The mart's row for one subject and period; otherwise an error saying which of the two is missing."""
    (noun, column, value), (period_noun, period_column, period_value) = subject, period
    rows = query_rows(
        con, f"select * from main.{mart} where {column} = ? and {period_column} = ?", [value, period_value]
    )
    if rows:
        return rows[0]
    known = sorted(row[0] for row in con.execute(f"select distinct {column} from main.{mart}").fetchall())
    if value not in known:
        raise ExplainError(f"{noun} {value!r} is not in {mart} ({noun}s: {', '.join(known[:20])})")
    first, last = con.execute(f"select min({period_column}), max({period_column}) from main.{mart}").fetchall()[0]
    raise ExplainError(
        f"{period_noun} {show(period_value)} is not in the data ({period_noun}s {show(first)} to {show(last)})"
    )


def explain_team(con: duckdb.DuckDBPyConnection, metric: str, team: str, week: date) -> Explanation:
    mart = mart_row(con, "mart_team_weekly", ("team", "team_id", team), ("week", "week_start", week), str)
    explanation = Explanation(
        metric=metric,
        grain={"team": team, "week": week.isoformat()},
        mart="mart_team_weekly",
        definition=column_definition("mart_team_weekly", metric),
        value=mart[metric],
    )
    if mart["is_suppressed"]:
        explanation.notes.append(
            f"This team-week is suppressed (headcount {mart['headcount']} < min_group_size): the mart publishes "
            "null. The inputs below come from the facts of the analyst's copy and are not published."
        )
    counts = _deploy_counts(con, team, week)
    headcount = mart["headcount"]
    if metric in ("production_deploys", "quality_adjusted_deploys", "deploys_per_engineer"):
        adjusted = metric != "production_deploys"
        column = "is_quality_adjusted_deploy" if adjusted else "is_production_deploy"
        deploys = _deployments(con, team, [week], column)
        if metric == "deploys_per_engineer":
            explanation.inputs = [("quality_adjusted_deploys", counts["quality_adjusted"]), ("headcount", headcount)]
            result = ratio(counts["quality_adjusted"], headcount)
            explanation.formula = f"{counts['quality_adjusted']} / {headcount} = {number(result)}"
            engineers = _headcount_engineers(con, team, week)
            explanation.record_sets.append(
                RecordSet(
                    f"headcount: engineers on {team} on Monday {week} (dim_engineers)",
                    ("engineer_id",),
                    [(engineer,) for engineer in engineers],
                )
            )
            if len(engineers) != headcount:
                explanation.notes.append(
                    f"dim_engineers lists {len(engineers)} engineers on the Monday, the mart's headcount is "
                    f"{headcount}: check the roster snapshots"
                )
        else:
            explanation.inputs = [
                ("production deploys (deduplicated)", counts["production"]),
                ("of which reverted (not flagged)", counts["reverted"]),
                ("of which deploy-spam flagged", counts["flagged"]),
            ]
            explanation.formula = (
                f"{counts['quality_adjusted']} = {counts['production']} - {counts['reverted']} reverted - "
                f"{counts['flagged']} flagged"
                if adjusted
                else f"{counts['production']} production deploys"
            )
        kind = "quality-adjusted production deploys" if adjusted else "production deploys (deduplicated)"
        explanation.record_sets.insert(
            0, RecordSet(f"{kind} of {team}, week {week} (fct_deployments)", DEPLOY_COLUMNS, _deploy_rows(deploys))
        )
    elif metric == "change_failure_rate":
        failed, reverted, production = counts["failed"], counts["reverted"], counts["unflagged_production"]
        explanation.inputs = [
            ("failed production deploys", failed),
            ("reverted production deploys (not flagged)", reverted),
            ("production deploys (not flagged)", production),
        ]
        result = ratio(failed + reverted, production + failed)
        explanation.formula = f"({failed} + {reverted}) / ({production} + {failed}) = {number(result)}"
        deploys = _deployments(
            con, team, [week], "(is_production_deploy and not is_spam_flagged) or is_failed_production_deploy"
        )
        explanation.record_sets.append(
            RecordSet(
                f"production and failed production deploys of {team}, week {week}, flagged ones excluded",
                DEPLOY_COLUMNS,
                _deploy_rows(deploys),
            )
        )
    elif metric == "weekly_active_ai_users":
        rows = activity_rows(con, "team_id = ? and week_start = ? and is_active_type", [team, week])
        engineers = sorted({row["engineer_id"] for row in rows})
        explanation.inputs = [("distinct engineers with an active activity", len(engineers))]
        explanation.formula = engineer_list(engineers)
        explanation.record_sets.append(
            RecordSet(
                f"active AI-tool activity of {team}, week {week} (fct_tool_activity_daily)",
                ACTIVITY_COLUMNS,
                activity_table(rows),
            )
        )
    elif metric == "value_deriving_events":
        rows = activity_rows(con, "team_id = ? and week_start = ? and is_value_deriving_type", [team, week])
        total = sum(row["value_deriving_events"] for row in rows)
        explanation.inputs = [("value-deriving activity rows", len(rows))]
        explanation.formula = f"sum of their counts = {total}"
        explanation.record_sets.append(
            RecordSet(
                f"value-deriving activity of {team}, week {week} (fct_tool_activity_daily)",
                ACTIVITY_COLUMNS,
                activity_table(rows),
            )
        )
    elif metric == "velocity_multiple":
        _explain_velocity(con, explanation, team, week, mart)
    elif metric in PULL_REQUEST_METRICS:
        explain_pull_requests(con, explanation, metric, team, week)
    return explanation


def _explain_velocity(
    con: duckdb.DuckDBPyConnection, explanation: Explanation, team: str, week: date, mart: dict
) -> None:
    weeks_in_data = {
        row[0]
        for row in con.execute(
            "select distinct week_start from main.mart_team_weekly where team_id = ?", [team]
        ).fetchall()
    }
    pooled_weeks = [week - timedelta(weeks=back) for back in (3, 2, 1, 0)]
    per_week = []
    for pooled in pooled_weeks:
        counts = _deploy_counts(con, team, pooled)
        headcount = scalar(
            con, "select headcount from main.mart_team_weekly where team_id = ? and week_start = ?", [team, pooled]
        )
        per_week.append(
            (pooled.isoformat(), "yes" if pooled in weeks_in_data else "no", counts["quality_adjusted"], headcount)
        )
    deploys = sum(row[2] for row in per_week if row[1] == "yes")
    headcount = sum(row[3] or 0 for row in per_week if row[1] == "yes")
    pooled_rate = ratio(deploys, headcount)
    baseline = mart["baseline_deploys_per_engineer"]
    programme = query_rows(con, "select * from reference.velocity_programme")
    explanation.inputs = [
        ("pooled quality-adjusted deploys (weeks in the data)", deploys),
        ("pooled headcount (weeks in the data)", headcount),
        ("pooled deploys per engineer", pooled_rate),
        ("baseline_deploys_per_engineer", baseline),
        ("velocity_target", mart["velocity_target"]),
    ]
    if not all(row[1] == "yes" for row in per_week):
        explanation.formula = "null: the week and the 3 before must all be in the data"
    else:
        result = ratio(pooled_rate, baseline) if pooled_rate is not None and baseline else None
        explanation.formula = f"({deploys} / {headcount}) / {number(baseline)} = {number(result)}"
    explanation.record_sets.append(
        RecordSet(
            f"the pooled weeks of {team} (quality-adjusted deploys: fct_deployments; headcount: mart_team_weekly)",
            ("week_start", "in the data", "quality-adjusted deploys", "headcount"),
            per_week,
        )
    )
    if programme:
        window = programme[0]
        baseline_weeks = [
            row[0]
            for row in con.execute(
                "select distinct week_start from main.mart_team_weekly where team_id = ? "
                "and week_start between ? and ? order by 1",
                [team, window["baseline_start"], window["baseline_end"]],
            ).fetchall()
        ]
        rows = []
        for baseline_week in baseline_weeks:
            counts = _deploy_counts(con, team, baseline_week)
            headcount_then = scalar(
                con,
                "select headcount from main.mart_team_weekly where team_id = ? and week_start = ?",
                [team, baseline_week],
            )
            rows.append((baseline_week.isoformat(), counts["quality_adjusted"], headcount_then))
        explanation.record_sets.append(
            RecordSet(
                f"baseline window {window['baseline_start']} to {window['baseline_end']} ({window['programme']}): "
                "weeks in the data",
                ("week_start", "quality-adjusted deploys", "headcount"),
                rows,
            )
        )
    frozen = query_rows(con, "select * from intermediate.int_team_baselines_frozen where team_id = ?", [team])
    if frozen:
        explanation.notes.append(
            f"The baseline was frozen at {frozen[0]['frozen_at']} ({frozen[0]['baseline_deploys']} deploys / "
            f"{frozen[0]['baseline_headcount']} headcount); later changes to its window are reported, not applied."
        )
    else:
        explanation.notes.append("The baseline is not frozen yet (its window is not complete in the data): live value.")
    explanation.notes.append(
        f"The deploys behind each week: aaw explain --metric quality_adjusted_deploys --team {team} --week <week_start>"
    )
