"""Tool metrics explained (mart_tool_monthly): the grants, users and survey responses behind a tool's month."""

from datetime import date

import duckdb

from orchestration.lib.explain.definitions import column_definition
from orchestration.lib.explain.queries import engineer_list, number, query_rows, ratio, scalar, source_of
from orchestration.lib.explain.records import ExplainError, Explanation, RecordSet
from orchestration.lib.explain.team import ACTIVITY_COLUMNS, activity_rows, activity_table, mart_row


def _last_day_of_month(con: duckdb.DuckDBPyConnection, month: date) -> date | None:
    return scalar(con, "select max(calendar_date) from main.dim_dates where is_in_data and month_start = ?", [month])


def _grant_sources(con: duckdb.DuckDBPyConnection, tool: str, day: date) -> dict[str, list[str]]:
    """engineer_id -> landing file:line of the grants of the tool covering the day (empty when the lake is gone)."""
    try:
        rows = con.execute(
            "select engineer_id, _source_file, _source_line from intermediate.int_licence_grants_resolved "
            "where tool = ? and granted_date <= ? and (revoked_date is null or ? < revoked_date) "
            "order by _source_file, _source_line",
            [tool, day, day],
        ).fetchall()
    except duckdb.Error:
        return {}
    sources: dict[str, list[str]] = {}
    for engineer, file, line in rows:
        sources.setdefault(engineer, []).append(source_of(file, line))
    return sources


def explain_tool(con: duckdb.DuckDBPyConnection, metric: str, tool: str, month: date) -> Explanation:
    mart = mart_row(
        con, "mart_tool_monthly", ("tool", "tool", tool), ("month", "month_start", month), lambda day: f"{day:%Y-%m}"
    )
    explanation = Explanation(
        metric=metric,
        grain={"tool": tool, "month": f"{month:%Y-%m}"},
        mart="mart_tool_monthly",
        definition=column_definition("mart_tool_monthly", metric),
        value=mart[metric],
    )
    requires_licence = scalar(con, "select requires_licence from main.dim_tools where tool = ?", [tool])
    last_day = _last_day_of_month(con, month)
    if metric == "monthly_active_users":
        rows = activity_rows(
            con, "tool = ? and date_trunc('month', activity_date) = ? and is_active_type", [tool, month]
        )
        engineers = sorted({row["engineer_id"] for row in rows})
        explanation.inputs = [("distinct engineers with an active activity in the month", len(engineers))]
        explanation.formula = engineer_list(engineers)
        explanation.record_sets.append(
            RecordSet(f"active activity of {tool} in {month:%Y-%m}", ACTIVITY_COLUMNS, activity_table(rows))
        )
        return explanation
    if metric == "nps":
        responses = query_rows(
            con,
            "select * from main.fct_survey_responses where tool = ? and month_start = ? order by submitted_at",
            [tool, month],
        )
        promoters = sum(1 for row in responses if row["nps_category"] == "promoter")
        detractors = sum(1 for row in responses if row["nps_category"] == "detractor")
        total = len(responses)
        explanation.inputs = [
            ("counted responses", total),
            ("promoters (9-10)", promoters),
            ("passives (7-8)", total - promoters - detractors),
            ("detractors (0-6)", detractors),
        ]
        computed = 100 * (promoters - detractors) / total if total else None
        explanation.formula = f"100 x ({promoters} - {detractors}) / {total} = {number(computed)}"
        if mart["nps"] is None and total:
            explanation.formula += " (withheld: fewer responses than min_group_size)"
        explanation.record_sets.append(
            RecordSet(
                f"counted survey responses naming {tool}, submitted in {month:%Y-%m} (fct_survey_responses)",
                ("response_id", "survey_id", "score", "category", "anonymous", "submitted_at", "source"),
                [
                    (
                        row["response_id"],
                        row["survey_id"],
                        row["score"],
                        row["nps_category"],
                        "yes" if row["is_anonymous"] else "no",
                        f"{row['submitted_at']:%Y-%m-%d %H:%M}",
                        source_of(row["_source_file"], row["_source_line"]),
                    )
                    for row in responses
                ],
            )
        )
        explanation.notes.append("Earlier responses of the same respondent and survey count no more (survey_stuffing).")
        return explanation
    if not requires_licence:
        explanation.notes.append(f"{tool} does not require a licence: its licence columns are null, shadow users 0.")
        return explanation
    if metric == "licence_utilisation":
        rows = query_rows(
            con,
            "select engineer_id, team_id, is_active_28d, seats_held from main.fct_licence_days "
            "where tool = ? and date_day = ? and has_access order by engineer_id",
            [tool, last_day],
        )
        active = sum(1 for row in rows if row["is_active_28d"])
        explanation.inputs = [
            (f"licensed engineers on {last_day}", len(rows)),
            ("of which active in the trailing 28 days", active),
        ]
        explanation.formula = f"{active} / {len(rows)} = {number(ratio(active, len(rows)))}"
        sources = _grant_sources(con, tool, last_day)
        explanation.record_sets.append(
            RecordSet(
                f"engineers holding {tool} on {last_day}, the month's last day in the data (fct_licence_days)",
                ("engineer_id", "team", "active in 28 days", "seats", "grant source"),
                [
                    (
                        row["engineer_id"],
                        row["team_id"],
                        "yes" if row["is_active_28d"] else "no",
                        row["seats_held"],
                        " ".join(sources.get(row["engineer_id"], ["–"])),
                    )
                    for row in rows
                ],
            )
        )
    elif metric == "idle_seats":
        cost = scalar(con, "select monthly_cost_usd from main.dim_tools where tool = ?", [tool])
        try:
            seats = query_rows(
                con,
                "select resolved.engineer_id, resolved.granted_date, resolved.plan, resolved._source_file, "
                "resolved._source_line from intermediate.int_licence_seat_days_idled as idled "
                "left join intermediate.int_licence_grants_resolved as resolved on idled.grant_id = resolved.grant_id "
                "where idled.tool = ? and idled.date_day = ? and idled.is_idle "
                "order by resolved.granted_date, resolved._source_line",
                [tool, last_day],
            )
        except duckdb.Error as error:
            raise ExplainError(f"idle seats need the lake the warehouse was built from: {error}") from error
        explanation.inputs = [(f"idle seats on {last_day}", len(seats)), ("monthly cost per seat (USD)", cost)]
        explanation.formula = f"idle cost = {len(seats)} x {number(cost)} = {number(len(seats) * (cost or 0))} USD"
        explanation.record_sets.append(
            RecordSet(
                f"idle {tool} seats on {last_day}: granted at least 27 days before, no active use in 28 days",
                ("engineer_id", "granted", "plan", "grant source"),
                [
                    (
                        row["engineer_id"] or "(not on the roster)",
                        row["granted_date"],
                        row["plan"],
                        source_of(row["_source_file"], row["_source_line"]),
                    )
                    for row in seats
                ],
            )
        )
    elif metric == "shadow_users":
        rows = query_rows(
            con,
            "select licence.date_day, licence.engineer_id, licence.team_id, "
            "min({'file': activity.first_source_file, 'line': activity.first_source_line}) as first_source "
            "from main.fct_licence_days as licence left join main.fct_tool_activity_daily as activity "
            "on activity.engineer_id = licence.engineer_id and activity.tool = licence.tool "
            "and activity.activity_date = licence.date_day and activity.is_active_type "
            "where licence.tool = ? and date_trunc('month', licence.date_day) = ? and licence.is_active "
            "and not licence.has_access group by all order by licence.date_day, licence.engineer_id",
            [tool, month],
        )
        engineers = sorted({row["engineer_id"] for row in rows})
        explanation.inputs = [("distinct engineers active without access in the month", len(engineers))]
        explanation.formula = engineer_list(engineers)
        explanation.record_sets.append(
            RecordSet(
                f"days of active {tool} use without a covering grant in {month:%Y-%m}",
                ("day", "engineer_id", "team", "source (first activity record)"),
                [
                    (
                        row["date_day"].isoformat(),
                        row["engineer_id"],
                        row["team_id"],
                        source_of((row["first_source"] or {}).get("file"), (row["first_source"] or {}).get("line")),
                    )
                    for row in rows
                ],
            )
        )
    return explanation
