"""Explaining the AI impact estimate: the headline effect on deploys per engineer over all teams, every headline
estimate beside it, and the cohorts the estimates compare: which teams are in each, from which week, and why."""

import duckdb

from orchestration.lib.explain.definitions import column_definition
from orchestration.lib.explain.queries import query_rows
from orchestration.lib.explain.records import Explanation, RecordSet

HEADLINE = {"outcome": "deploys_per_engineer", "scope": "all_teams"}
# the order cohorts are listed in: the compared teams first, then those left out
COHORT_ORDER = ("adopted", "never_adopted", "adopting_at_start", "too_late_to_confirm", "intermittent", "suppressed")
HEADLINE_SQL = (
    "select * from mart_ai_impact where effect_window = '0..+8' "
    "order by outcome, scope <> 'all_teams', scope, estimator"
)


def explain_impact(con: duckdb.DuckDBPyConnection) -> Explanation:
    headlines = query_rows(con, HEADLINE_SQL)
    effect = next(
        (
            row
            for row in headlines
            if row["estimator"] == "callaway_santanna" and all(row[key] == value for key, value in HEADLINE.items())
        ),
        None,
    )
    cohorts = query_rows(
        con,
        "select cohorts.cohort, cohorts.team_id, teams.team_name, teams.org, teams.velocity_target, "
        "cohorts.adoption_week, cohorts.reason from mart_team_cohorts as cohorts "
        "inner join dim_teams as teams on cohorts.team_id = teams.team_id "
        "order by cohorts.adoption_week nulls last, teams.org, teams.team_name",
    )
    explanation = Explanation(
        metric="ai_impact",
        grain=dict(HEADLINE),
        mart="mart_ai_impact",
        definition=column_definition("mart_ai_impact", "estimate"),
        value=effect["estimate"] if effect else None,
    )
    if effect:
        explanation.inputs = [
            ("95% interval low", effect["ci_low"]),
            ("95% interval high", effect["ci_high"]),
            ("adopting teams", effect["n_treated_teams"]),
            ("comparison teams", effect["n_control_teams"]),
            ("pre-trend p-value", effect["pretrend_p"]),
        ]
        if effect["reason"]:
            explanation.notes.append(f"Not estimated: {effect['reason']}")
    else:
        explanation.notes.append("No estimate of deploys per engineer over all teams yet: run the pipeline.")
    explanation.record_sets.append(
        RecordSet(
            "Estimates (average of weeks 0..+8 after adoption)",
            ("outcome", "scope", "estimator", "estimate", "95% interval", "teams", "pre-trend p", "why not"),
            [
                (
                    row["outcome"],
                    row["scope"],
                    row["estimator"],
                    None if row["estimate"] is None else f"{row['estimate']:.3f}",
                    None if row["ci_low"] is None else f"{row['ci_low']:.3f} to {row['ci_high']:.3f}",
                    f"{row['n_treated_teams']} + {row['n_control_teams']}",
                    row["pretrend_p"] if row["pretrend_p"] is None else f"{row['pretrend_p']:.2f}",
                    row["reason"],
                )
                for row in headlines
            ],
        )
    )
    for cohort in COHORT_ORDER:
        members = [row for row in cohorts if row["cohort"] == cohort]
        if not members:
            continue
        explanation.record_sets.append(
            RecordSet(
                f"Cohort {cohort} ({members[0]['reason'] if cohort in ('adopted', 'never_adopted') else 'left out'})",
                ("team_id", "team", "org", "target", "adoption week", "why"),
                [
                    (
                        row["team_id"],
                        row["team_name"],
                        row["org"],
                        f"{row['velocity_target']}x",
                        row["adoption_week"],
                        row["reason"],
                    )
                    for row in members
                ],
            )
        )
    explanation.notes.append(
        "Only adopted and never_adopted teams enter an estimate; teams adopting later serve as comparison teams for "
        "the earlier adopters until they adopt themselves."
    )
    return explanation
