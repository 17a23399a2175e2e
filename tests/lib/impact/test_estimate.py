"""The estimator on simulated organisations with a known effect (no pipeline run): what it publishes when the
data supports an estimate, and the row that says why when it does not."""

import numpy as np
import pandas as pd

from orchestration.lib.impact.estimate import (
    CALLAWAY_SANTANNA,
    NAIVE,
    ImpactSettings,
    estimate_impact,
    estimate_scope,
)
from tests.lib.impact.simulation import Organisation, simulate

SETTINGS = ImpactSettings(min_treated_teams=5, min_control_teams=5, pretrend_alpha=0.05)


def _headline(rows: list[dict], estimator: str = CALLAWAY_SANTANNA) -> dict:
    return next(row for row in rows if row["estimator"] == estimator and row["event_week"] is None)


def test_the_interval_covers_the_planted_effect_and_the_naive_comparison_carries_the_trend():
    organisation = Organisation(teams=60, weeks=26, effect=0.4, trend_per_week=0.04, seed=5)
    rows = estimate_scope(simulate(organisation), "deploys_per_engineer", "all_teams", SETTINGS)
    headline = _headline(rows)
    assert headline["is_reliable"], headline["reason"]
    assert headline["ci_low"] <= 0.4 <= headline["ci_high"]
    assert headline["pretrend_p"] > 0.05
    assert headline["n_treated_teams"] + headline["n_control_teams"] >= 60  # later adopters are controls too
    weeks = sorted(row["event_week"] for row in rows if row["event_week"] is not None)
    assert weeks == list(range(-8, 9))
    # the before/after of the same teams adds the common trend over the ~8.5 weeks between the two windows
    naive = _headline(rows, NAIVE)
    assert not naive["is_reliable"] and "not an effect" in naive["reason"]
    assert naive["estimate"] > headline["ci_high"]


def test_too_few_adopting_teams_publish_no_number_and_say_why():
    rows = estimate_scope(simulate(Organisation(teams=6, weeks=20, seed=2)), "deploys_per_engineer", "org:x", SETTINGS)
    headline = _headline(rows)
    assert headline["estimate"] is None and not headline["is_reliable"]
    assert "too few adopting teams" in headline["reason"]
    assert [row["estimator"] for row in rows] == [CALLAWAY_SANTANNA, NAIVE]


def test_no_comparison_teams_publish_no_number():
    panel = simulate(Organisation(teams=12, weeks=20, never_share=0.0, seed=4))
    panel["adoption_week"] = panel["adoption_week"].iloc[0]  # every team adopts in the same week
    headline = _headline(estimate_scope(panel, "deploys_per_engineer", "all_teams", SETTINGS))
    assert headline["estimate"] is None and "no teams to compare with" in headline["reason"]


def test_adopters_that_already_drifted_apart_fail_the_pretrend_test():
    organisation = Organisation(teams=60, weeks=26, effect=0.0, noise=0.2, seed=8)
    panel = simulate(organisation)
    weeks = (pd.to_datetime(panel["week_start"]) - pd.Timestamp("2026-01-05")).dt.days // 7
    panel["deploys_per_engineer"] += np.where(panel["cohort"] == "adopted", 0.06 * weeks, 0.0)
    headline = _headline(estimate_scope(panel, "deploys_per_engineer", "all_teams", SETTINGS))
    assert headline["estimate"] is None and not headline["is_reliable"]
    assert headline["pretrend_p"] < 0.05 and "did not move like the comparison teams" in headline["reason"]


def test_every_scope_and_outcome_present_gets_rows():
    panel = simulate(Organisation(teams=30, weeks=20, seed=1))
    panel["change_failure_rate"] = np.clip(0.1 + 0.02 * np.random.default_rng(1).standard_normal(len(panel)), 0, 1)
    panel["lead_time_hours_p50"] = None  # an organisation without pull requests
    table = estimate_impact(panel, SETTINGS)
    assert set(table["outcome"]) == {"deploys_per_engineer", "change_failure_rate"}
    assert set(table["scope"]) == {"all_teams", "org:org-0", "org:org-1", "velocity_tier:3x", "velocity_tier:10x"}
    keys = table[["outcome", "scope", "estimator", "effect_window"]]
    assert not keys.duplicated().any()
    assert table.loc[table["estimate"].isna() & ~table["is_reliable"], "reason"].notna().all()
    assert (table.loc[table["is_reliable"], "ci_low"] <= table.loc[table["is_reliable"], "ci_high"]).all()


def test_suppressed_and_undetermined_teams_stay_out():
    organisation = Organisation(teams=30, weeks=20, seed=6)
    panel = simulate(organisation)
    panel.loc[panel["team_id"].isin(["team-000", "team-001"]), "cohort"] = "suppressed"
    with_them = _headline(estimate_scope(simulate(organisation), "deploys_per_engineer", "a", SETTINGS))
    without = _headline(estimate_scope(panel, "deploys_per_engineer", "a", SETTINGS))
    assert with_them["n_team_weeks"] - without["n_team_weeks"] == 2 * 20


def test_a_team_missing_a_week_of_the_outcome_leaves_the_balanced_panel():
    panel = simulate(Organisation(teams=30, weeks=20, seed=6))
    panel.loc[(panel["team_id"] == "team-003") & (panel.index % 20 == 5), "deploys_per_engineer"] = None
    headline = _headline(estimate_scope(panel, "deploys_per_engineer", "a", SETTINGS))
    assert headline["n_team_weeks"] == 29 * 20
