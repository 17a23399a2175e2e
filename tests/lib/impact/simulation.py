"""Simulated organisations with a known effect: the team-week panel and cohorts as the warehouse publishes them,
drawn directly (no pipeline run), so the estimator can be checked on many organisations in seconds."""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from orchestration.lib.impact.estimate import ADOPTED, NEVER_ADOPTED

FIRST_WEEK = date(2026, 1, 5)


@dataclass(frozen=True)
class Organisation:
    teams: int = 40
    weeks: int = 26
    effect: float = 0.4  # true uplift of deploys per engineer per week from a team's adoption week on
    never_share: float = 0.3  # teams that never adopt
    trend_per_week: float = 0.03  # common to every team: what a before/after mistakes for an effect
    seasonality: float = 0.25  # amplitude of a 13-week cycle shared by every team
    noise: float = 0.35  # team-week noise (standard deviation)
    seed: int = 0


def simulate(organisation: Organisation) -> pd.DataFrame:
    """One row per team-week: team_id, org, velocity_target, week_start, cohort, adoption_week and
    deploys_per_engineer. Adoption weeks are staggered over the middle of the window."""
    rng = np.random.default_rng(organisation.seed)
    teams, weeks = organisation.teams, organisation.weeks
    adoption = rng.integers(4, weeks - 3, teams)
    never = rng.random(teams) < organisation.never_share
    level = rng.gamma(4.0, 0.4, teams)
    week = np.arange(weeks)
    common = organisation.trend_per_week * week + organisation.seasonality * np.sin(2 * np.pi * week / 13)
    treated = ~never[:, None] & (week[None, :] >= adoption[:, None])
    outcome = level[:, None] + common[None, :] + organisation.effect * treated
    outcome += rng.normal(0, organisation.noise, (teams, weeks))
    starts = [FIRST_WEEK + timedelta(weeks=int(w)) for w in week]
    return pd.DataFrame(
        {
            "team_id": np.repeat([f"team-{t:03d}" for t in range(teams)], weeks),
            "org": np.repeat([f"org-{t % 2}" for t in range(teams)], weeks),
            "velocity_target": np.repeat(np.where(np.arange(teams) % 5 == 0, 10, 3), weeks),
            "week_start": starts * teams,
            "cohort": np.repeat(np.where(never, NEVER_ADOPTED, ADOPTED), weeks),
            "adoption_week": np.repeat(
                [None if never[t] else FIRST_WEEK + timedelta(weeks=int(adoption[t])) for t in range(teams)], weeks
            ),
            "deploys_per_engineer": outcome.ravel(),
        }
    )
