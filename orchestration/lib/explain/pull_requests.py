"""Pull-request metrics of a team's week explained (mart_team_weekly): the merged pull requests behind them, the
attribution rules that fired on each with their evidence, and the deploy that shipped each one."""

from datetime import date, timedelta
from statistics import median

import duckdb

from orchestration.lib.explain.queries import number, query_rows, ratio, source_of
from orchestration.lib.explain.records import Explanation, RecordSet

PULL_REQUEST_COLUMNS = (
    "pr_id",
    "merged_at (UTC)",
    "AI-assisted",
    "tools",
    "rules fired",
    "lead time rule",
    "shipped by",
    "lead time (h)",
    "source (landing file:line)",
)
EVIDENCE_COLUMNS = ("pr_id", "rule_id", "kind", "strength", "tool", "evidence")


def _pull_requests(con: duckdb.DuckDBPyConnection, where: str, parameters: list) -> list[dict]:
    return query_rows(con, f"select * from main.fct_pull_requests where {where} order by merged_at, pr_id", parameters)


def _table(pull_requests: list[dict]) -> list[tuple]:
    return [
        (
            pr["pr_id"],
            f"{pr['merged_at']:%Y-%m-%d %H:%M:%S}",
            "yes" if pr["is_ai_assisted"] else "touched" if pr["is_ai_touched"] else "no",
            pr["ai_tools"] or "-",
            pr["ai_rule_ids"] or "-",
            pr["lead_time_rule"],
            pr["deployment_id"] or "-",
            number(pr["lead_time_hours"]),
            source_of(pr["_source_file"], pr["_source_line"]),
        )
        for pr in pull_requests
    ]


def _evidence(con: duckdb.DuckDBPyConnection, pr_ids: list[str]) -> list[tuple]:
    if not pr_ids:
        return []
    placeholders = ", ".join("?" for _ in pr_ids)
    rows = query_rows(
        con,
        "select * from intermediate.int_pull_request_rules_matched "
        f"where pr_id in ({placeholders}) order by pr_id, rule_strength, rule_id, evidence",
        pr_ids,
    )
    evidence = [
        (row["pr_id"], row["rule_id"], row["rule_kind"], row["rule_strength"], row["tool"] or "-", row["evidence"])
        for row in rows
    ]
    return list(dict.fromkeys(evidence))  # a rule on several commits of one tool shows each commit once


def explain_pull_requests(
    con: duckdb.DuckDBPyConnection, explanation: Explanation, metric: str, team: str, week: date
) -> None:
    """ai_assisted_pr_share: the team's merged pull requests of the week; lead_time_hours_p50: the pull requests
    shipped by the team's deploys of the week. Pull requests flagged pr_splitting count in neither."""
    week_end = week + timedelta(days=6)
    if metric == "ai_assisted_pr_share":
        where = "team_id = ? and week_start = ? and not is_split_flagged"
        pull_requests = _pull_requests(con, where, [team, week])
        assisted = [pr for pr in pull_requests if pr["is_ai_assisted"]]
        explanation.inputs = [("AI-assisted merged pull requests", len(assisted)), ("merged", len(pull_requests))]
        explanation.formula = (
            f"{len(assisted)} / {len(pull_requests)} = {number(ratio(len(assisted), len(pull_requests)))}"
        )
        title = f"merged pull requests of {team}, week {week} (fct_pull_requests, the author's team)"
        explanation.record_sets.append(RecordSet(title, PULL_REQUEST_COLUMNS, _table(pull_requests)))
        explanation.record_sets.append(
            RecordSet(
                "the attribution rules that fired, with their evidence (int_pull_request_rules_matched)",
                EVIDENCE_COLUMNS,
                _evidence(con, [pr["pr_id"] for pr in pull_requests]),
            )
        )
        explanation.notes.append(
            "Every rule is in ai_attribution_rules.csv (landing/reference/ overrides the seed); a rule's pattern "
            "is a case-insensitive SQL LIKE pattern."
        )
    else:
        where = "deployed_team_id = ? and deployed_date between ? and ? and not is_split_flagged"
        pull_requests = _pull_requests(con, where, [team, week, week_end])
        hours = [pr["lead_time_hours"] for pr in pull_requests if pr["lead_time_hours"] is not None]
        explanation.inputs = [("pull requests shipped with a known first commit", len(hours))]
        explanation.formula = f"median of their lead times = {number(median(hours) if hours else None)}"
        title = f"pull requests shipped by the deploys of {team}, week {week} (fct_pull_requests)"
        explanation.record_sets.append(RecordSet(title, PULL_REQUEST_COLUMNS, _table(pull_requests)))
