"""`aaw explain`: one published number, its definition, its inputs and the raw records behind it.

Reads the analyst's copy, <workdir>/warehouse.duckdb, read-only (the facts with their lineage columns
`_source_file` / `_source_line` live there, not in published/). The published value, when there is a
publication, is read from published/current/marts.duckdb so the two can be compared. Definitions come from
the dbt docs of the mart column (models/marts/**.yml with the doc blocks of models/docs/*.md): one definition
per metric, the one BI users read.

explain() returns an Explanation (pure data); render_text() turns it into what the CLI prints.
"""

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb
import yaml

from orchestration.lib.workspace import DBT_PROJECT_DIR

TEAM_METRICS = (
    "production_deploys",
    "quality_adjusted_deploys",
    "deploys_per_engineer",
    "change_failure_rate",
    "weekly_active_ai_users",
    "value_deriving_events",
    "velocity_multiple",
)
TOOL_METRICS = ("monthly_active_users", "licence_utilisation", "idle_seats", "shadow_users", "nps")
METRICS = TEAM_METRICS + TOOL_METRICS

DEPLOY_COLUMNS = (
    "deployment_id",
    "service",
    "environment",
    "commit",
    "status",
    "deployed_at (UTC)",
    "flags",
    "source (landing file:line)",
)


class ExplainError(ValueError):
    """The question cannot be answered as asked (unknown metric, team, week, ...): the message says why."""


@dataclass(frozen=True)
class RecordSet:
    title: str
    columns: tuple[str, ...]
    rows: list[tuple]


@dataclass
class Explanation:
    metric: str
    grain: dict[str, str]
    mart: str
    definition: str
    value: object
    inputs: list[tuple[str, object]] = field(default_factory=list)
    formula: str = ""
    record_sets: list[RecordSet] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    published_value: object = None
    published_release: str | None = None


# ---- definitions from the dbt docs ---------------------------------------------------------------


def _doc_blocks(project_dir: Path) -> dict[str, str]:
    blocks = {}
    for path in (project_dir / "models").rglob("*.md"):
        for name, text in re.findall(r"{%\s*docs\s+(\w+)\s*%}(.*?){%\s*enddocs\s*%}", path.read_text(), re.S):
            blocks[name] = " ".join(text.split())
    return blocks


def column_definition(model: str, column: str, project_dir: Path = DBT_PROJECT_DIR) -> str:
    """The dbt description of model.column, doc blocks resolved (the documented definition of the metric)."""
    blocks = _doc_blocks(project_dir)
    for path in sorted((project_dir / "models" / "marts").rglob("*.yml")):
        for node in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            if node.get("name") != model:
                continue
            for documented in node.get("columns", []):
                if documented.get("name") == column:
                    text = documented.get("description", "")
                    text = re.sub(
                        r"{{\s*doc\(\s*['\"](\w+)['\"]\s*\)\s*}}", lambda found: blocks.get(found.group(1), ""), text
                    )
                    return " ".join(text.split())
    return f"(no description of {model}.{column} in the dbt project)"


# ---- helpers ----------------------------------------------------------------------------------------


def _rows(con: duckdb.DuckDBPyConnection, sql: str, parameters: list | None = None) -> list[dict]:
    cursor = con.execute(sql, parameters or [])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, parameters: list | None = None) -> object:
    rows = con.execute(sql, parameters or []).fetchall()
    return rows[0][0] if rows else None


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def parse_week(text: str) -> date:
    """A day (any day of the week, YYYY-MM-DD) or an ISO week (2026-W03): the week's Monday."""
    found = re.fullmatch(r"(\d{4})-W(\d{1,2})", text.strip())
    if found:
        return date.fromisocalendar(int(found.group(1)), int(found.group(2)), 1)
    try:
        return week_of(date.fromisoformat(text.strip()))
    except ValueError as error:
        raise ExplainError(f"--week {text!r}: expected a day (2026-01-12) or an ISO week (2026-W03)") from error


def parse_month(text: str) -> date:
    """YYYY-MM or any day of the month: the month's first day."""
    try:
        return date.fromisoformat(text.strip()[:7] + "-01")
    except ValueError as error:
        raise ExplainError(f"--month {text!r}: expected a month (2026-01) or a day (2026-01-15)") from error


def _source(file: object, line: object) -> str:
    return f"{file}:{line}" if file is not None else "–"


def _engineers(engineers: list[str]) -> str:
    return f"{len(engineers)} engineer{'' if len(engineers) == 1 else 's'}: {', '.join(engineers) or '-'}"


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _number(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value == value else "NaN"
    return str(value)


# ---- team metrics --------------------------------------------------------------------------------


def _deployments(con: duckdb.DuckDBPyConnection, team: str, weeks: list[date], where: str) -> list[dict]:
    placeholders = ", ".join("?" for _ in weeks)
    return _rows(
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
                _source(deploy["_source_file"], deploy["_source_line"]),
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


def _activity_rows(con: duckdb.DuckDBPyConnection, where: str, parameters: list) -> list[dict]:
    return _rows(
        con,
        "select activity_date, engineer_id, team_id, tool, activity_type, activity_count, value_deriving_events, "
        f"first_source_file, first_source_line from main.fct_tool_activity_daily where {where} "
        "order by activity_date, engineer_id, tool, activity_type",
        parameters,
    )


ACTIVITY_COLUMNS = ("day", "engineer_id", "team", "tool", "activity_type", "count", "source (first record)")


def _activity_table(rows: list[dict]) -> list[tuple]:
    return [
        (
            row["activity_date"].isoformat(),
            row["engineer_id"],
            row["team_id"],
            row["tool"],
            row["activity_type"],
            row["activity_count"],
            _source(row["first_source_file"], row["first_source_line"]),
        )
        for row in rows
    ]


def _mart_row(
    con: duckdb.DuckDBPyConnection,
    mart: str,
    subject: tuple[str, str, str],  # (what it is, its column, its value), e.g. ("team", "team_id", "team-a")
    period: tuple[str, str, date],  # (what it is, its column, its value), e.g. ("week", "week_start", a Monday)
    show: Callable[[date], str],
) -> dict:
    """The mart's row for one subject and period; otherwise an error saying which of the two is missing."""
    (noun, column, value), (period_noun, period_column, period_value) = subject, period
    rows = _rows(con, f"select * from main.{mart} where {column} = ? and {period_column} = ?", [value, period_value])
    if rows:
        return rows[0]
    known = sorted(row[0] for row in con.execute(f"select distinct {column} from main.{mart}").fetchall())
    if value not in known:
        raise ExplainError(f"{noun} {value!r} is not in {mart} ({noun}s: {', '.join(known[:20])})")
    first, last = con.execute(f"select min({period_column}), max({period_column}) from main.{mart}").fetchall()[0]
    raise ExplainError(
        f"{period_noun} {show(period_value)} is not in the data ({period_noun}s {show(first)} to {show(last)})"
    )


def _explain_team(con: duckdb.DuckDBPyConnection, metric: str, team: str, week: date) -> Explanation:
    mart = _mart_row(con, "mart_team_weekly", ("team", "team_id", team), ("week", "week_start", week), str)
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
            result = _ratio(counts["quality_adjusted"], headcount)
            explanation.formula = f"{counts['quality_adjusted']} / {headcount} = {_number(result)}"
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
        result = _ratio(failed + reverted, production + failed)
        explanation.formula = f"({failed} + {reverted}) / ({production} + {failed}) = {_number(result)}"
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
        rows = _activity_rows(con, "team_id = ? and week_start = ? and is_active_type", [team, week])
        engineers = sorted({row["engineer_id"] for row in rows})
        explanation.inputs = [("distinct engineers with an active activity", len(engineers))]
        explanation.formula = _engineers(engineers)
        explanation.record_sets.append(
            RecordSet(
                f"active AI-tool activity of {team}, week {week} (fct_tool_activity_daily)",
                ACTIVITY_COLUMNS,
                _activity_table(rows),
            )
        )
    elif metric == "value_deriving_events":
        rows = _activity_rows(con, "team_id = ? and week_start = ? and is_value_deriving_type", [team, week])
        total = sum(row["value_deriving_events"] for row in rows)
        explanation.inputs = [("value-deriving activity rows", len(rows))]
        explanation.formula = f"sum of their counts = {total}"
        explanation.record_sets.append(
            RecordSet(
                f"value-deriving activity of {team}, week {week} (fct_tool_activity_daily)",
                ACTIVITY_COLUMNS,
                _activity_table(rows),
            )
        )
    elif metric == "velocity_multiple":
        _explain_velocity(con, explanation, team, week, mart)
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
        headcount = _scalar(
            con, "select headcount from main.mart_team_weekly where team_id = ? and week_start = ?", [team, pooled]
        )
        per_week.append(
            (pooled.isoformat(), "yes" if pooled in weeks_in_data else "no", counts["quality_adjusted"], headcount)
        )
    deploys = sum(row[2] for row in per_week if row[1] == "yes")
    headcount = sum(row[3] or 0 for row in per_week if row[1] == "yes")
    pooled_rate = _ratio(deploys, headcount)
    baseline = mart["baseline_deploys_per_engineer"]
    programme = _rows(con, "select * from reference.velocity_programme")
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
        result = _ratio(pooled_rate, baseline) if pooled_rate is not None and baseline else None
        explanation.formula = f"({deploys} / {headcount}) / {_number(baseline)} = {_number(result)}"
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
            headcount_then = _scalar(
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
    frozen = _rows(con, "select * from intermediate.int_team_baselines_frozen where team_id = ?", [team])
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


# ---- tool metrics --------------------------------------------------------------------------------


def _last_day_of_month(con: duckdb.DuckDBPyConnection, month: date) -> date | None:
    return _scalar(con, "select max(calendar_date) from main.dim_dates where is_in_data and month_start = ?", [month])


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
        sources.setdefault(engineer, []).append(_source(file, line))
    return sources


def _explain_tool(con: duckdb.DuckDBPyConnection, metric: str, tool: str, month: date) -> Explanation:
    mart = _mart_row(
        con, "mart_tool_monthly", ("tool", "tool", tool), ("month", "month_start", month), lambda day: f"{day:%Y-%m}"
    )
    explanation = Explanation(
        metric=metric,
        grain={"tool": tool, "month": f"{month:%Y-%m}"},
        mart="mart_tool_monthly",
        definition=column_definition("mart_tool_monthly", metric),
        value=mart[metric],
    )
    requires_licence = _scalar(con, "select requires_licence from main.dim_tools where tool = ?", [tool])
    last_day = _last_day_of_month(con, month)
    if metric == "monthly_active_users":
        rows = _activity_rows(
            con, "tool = ? and date_trunc('month', activity_date) = ? and is_active_type", [tool, month]
        )
        engineers = sorted({row["engineer_id"] for row in rows})
        explanation.inputs = [("distinct engineers with an active activity in the month", len(engineers))]
        explanation.formula = _engineers(engineers)
        explanation.record_sets.append(
            RecordSet(f"active activity of {tool} in {month:%Y-%m}", ACTIVITY_COLUMNS, _activity_table(rows))
        )
        return explanation
    if metric == "nps":
        responses = _rows(
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
        explanation.formula = f"100 x ({promoters} - {detractors}) / {total} = {_number(computed)}"
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
                        _source(row["_source_file"], row["_source_line"]),
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
        rows = _rows(
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
        explanation.formula = f"{active} / {len(rows)} = {_number(_ratio(active, len(rows)))}"
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
        cost = _scalar(con, "select monthly_cost_usd from main.dim_tools where tool = ?", [tool])
        try:
            seats = _rows(
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
        explanation.formula = f"idle cost = {len(seats)} x {_number(cost)} = {_number(len(seats) * (cost or 0))} USD"
        explanation.record_sets.append(
            RecordSet(
                f"idle {tool} seats on {last_day}: granted at least 27 days before, no active use in 28 days",
                ("engineer_id", "granted", "plan", "grant source"),
                [
                    (
                        row["engineer_id"] or "(not on the roster)",
                        row["granted_date"],
                        row["plan"],
                        _source(row["_source_file"], row["_source_line"]),
                    )
                    for row in seats
                ],
            )
        )
    elif metric == "shadow_users":
        rows = _rows(
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
        explanation.formula = _engineers(engineers)
        explanation.record_sets.append(
            RecordSet(
                f"days of active {tool} use without a covering grant in {month:%Y-%m}",
                ("day", "engineer_id", "team", "source (first activity record)"),
                [
                    (
                        row["date_day"].isoformat(),
                        row["engineer_id"],
                        row["team_id"],
                        _source((row["first_source"] or {}).get("file"), (row["first_source"] or {}).get("line")),
                    )
                    for row in rows
                ],
            )
        )
    return explanation


# ---- entry points ----------------------------------------------------------------------------------


def explain(
    con: duckdb.DuckDBPyConnection,
    metric: str,
    *,
    team: str | None = None,
    week: date | None = None,
    tool: str | None = None,
    month: date | None = None,
    published: duckdb.DuckDBPyConnection | None = None,
    published_release: str | None = None,
) -> Explanation:
    """Explain one value of a metric mart. con: the warehouse (read-only); published: the current release."""
    if metric in TEAM_METRICS:
        if not team or week is None:
            raise ExplainError(f"{metric} is a team metric: pass --team and --week")
        explanation = _explain_team(con, metric, team, week_of(week))
        key_sql = "select {metric} from mart_team_weekly where team_id = ? and week_start = ?"
        key = [team, week_of(week)]
    elif metric in TOOL_METRICS:
        if not tool or month is None:
            raise ExplainError(f"{metric} is a tool metric: pass --tool and --month")
        explanation = _explain_tool(con, metric, tool, month.replace(day=1))
        key_sql = "select {metric} from mart_tool_monthly where tool = ? and month_start = ?"
        key = [tool, month.replace(day=1)]
    else:
        raise ExplainError(f"unknown metric {metric!r}; one of: {', '.join(METRICS)}")
    if published is not None:
        rows = published.execute(key_sql.format(metric=metric), key).fetchall()
        explanation.published_value = rows[0][0] if rows else None
        explanation.published_release = published_release
        if not rows:
            explanation.notes.append("The current publication has no row for this key.")
        elif explanation.published_value != explanation.value:
            explanation.notes.append(
                "The warehouse and the current publication differ: the last run did not publish (a gate failed) "
                "or is still running."
            )
    return explanation


def _table(record_set: RecordSet, limit: int | None) -> list[str]:
    shown = record_set.rows if limit is None else record_set.rows[:limit]
    cells = [[str(column) for column in record_set.columns]] + [
        ["–" if value is None else str(value) for value in row] for row in shown
    ]
    widths = [max(len(row[index]) for row in cells) for index in range(len(record_set.columns))]
    lines = [f"{record_set.title}: {len(record_set.rows)}"]
    if record_set.rows:
        lines += [
            "  " + "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip()
            for row in cells
        ]
    else:
        lines.append("  (none)")
    if len(shown) < len(record_set.rows):
        lines.append(f"  ... {len(record_set.rows) - len(shown)} more (--limit 0 shows all)")
    return lines


def render_text(explanation: Explanation, limit: int | None = 50) -> str:
    grain = ", ".join(f"{name} {value}" for name, value in explanation.grain.items())
    lines = [
        f"{explanation.metric}  ({grain})",
        "",
        f"Definition ({explanation.mart}.{explanation.metric}):",
        *textwrap.wrap(explanation.definition, 100, initial_indent="  ", subsequent_indent="  "),
        "",
        f"Value in the warehouse (analyst's copy): {_number(explanation.value)}",
    ]
    if explanation.published_release:
        lines.append(
            f"Published value (release {explanation.published_release}): {_number(explanation.published_value)}"
        )
    else:
        lines.append("Published value: no publication yet")
    if explanation.inputs:
        lines += ["", "Inputs:"]
        width = max(len(name) for name, _ in explanation.inputs)
        lines += [f"  {name.ljust(width)}  {_number(value)}" for name, value in explanation.inputs]
    if explanation.formula:
        lines.append(f"  = {explanation.formula}")
    for record_set in explanation.record_sets:
        lines += ["", *_table(record_set, limit)]
    if explanation.notes:
        lines += ["", "Notes:", *(f"  - {note}" for note in explanation.notes)]
    return "\n".join(lines) + "\n"


def explain_workdir(workdir: Path, metric: str, **grain) -> Explanation:
    """explain() over <workdir>/warehouse.duckdb (read-only), compared with published/current when there is one."""
    warehouse = workdir / "warehouse.duckdb"
    if not warehouse.exists():
        raise ExplainError(f"{warehouse} does not exist: run the pipeline first (aaw demo / aaw run)")
    current = workdir / "published" / "current"
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            if not (current / "marts.duckdb").exists():
                return explain(con, metric, **grain)
            with duckdb.connect(str(current / "marts.duckdb"), read_only=True) as published:
                return explain(con, metric, **grain, published=published, published_release=current.resolve().name)
    except duckdb.IOException as error:
        raise ExplainError(f"cannot open {warehouse} read-only (is a run writing it right now?): {error}") from error
