"""The demo's planted AI effect: adoption weeks by mart_team_cohorts' rule, and a ground truth naming them."""

import json

import numpy as np

from orchestration.tools.demo.generator import DemoSpec, generate
from orchestration.tools.demo.impact import adoption_weeks


def test_the_adoption_week_follows_the_cohort_rule():
    # the weeks of mart_team_cohorts' unit test, one column per team: adopted from week 2 (index 1), never,
    # from the start, only in the last two weeks, on and off
    adopting = np.array(
        [
            [False, False, True, False, True],
            [True, False, True, False, False],
            [True, False, True, False, True],
            [False, False, True, False, False],
            [True, False, True, True, False],
            [True, False, True, True, False],
        ]
    )
    assert adoption_weeks(adopting, window=4, minimum=3).tolist() == [1, -1, 0, -1, -1]


def test_the_ground_truth_names_the_effect_and_every_team_s_adoption_week(tmp_path):
    spec = DemoSpec(teams=6, engineers_per_team=5, days=42, seed=5, ai_effect=0.0)
    generate(spec, tmp_path / "landing", tmp_path / "truth.json", progress=lambda line: None)
    truth = json.loads((tmp_path / "truth.json").read_text())["ai_impact"]
    assert truth["effect_deploys_per_engineer_week"] == 0.0
    assert sorted(truth["adoption_weeks"]) == [f"team-{team:04d}" for team in range(1, 7)]
    weeks = [week for week in truth["adoption_weeks"].values() if week is not None]
    assert all(week >= "2026-01-05" and week <= "2026-02-16" for week in weeks)
