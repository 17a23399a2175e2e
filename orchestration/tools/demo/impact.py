"""The known effect the demo plants for the impact estimates to find: when each team adopts (as the warehouse
will see it) and how much its delivery moves from that week on, on top of a trend and a season every team shares.

A team-week is adopting when the team's engineers on the week's roster who have started using an AI tool by the
week's end (and not given it up) reach adoption_threshold x headcount: what mart_team_weekly.is_adopting measures
from their usage. A team's adoption week is then found with the rule of mart_team_cohorts (the first week adopting
in impact_cohort_min_adopting_weeks of the impact_cohort_window_weeks from it). From that week's Monday on, each of
its engineers ships `DemoSpec.ai_effect` more quality-adjusted deploys a week; before it, and in teams that never
adopt, delivery follows the team's own level times the shared trend and season only.
"""

from dataclasses import dataclass

import numpy as np

from orchestration.tools.demo.adoption import Adoption
from orchestration.tools.demo.organisation import People, Teams
from orchestration.tools.demo.reference import Calendar
from orchestration.tools.demo.spec import NEVER

# Sum of the weekday factors of the original deploy rate (Monday to Thursday 1, Friday 0.8, weekend 0.05 each).
WEEKDAY_FACTOR_SUM = 4.9
# Share of original changes that become quality-adjusted production deploys: staging passes (0.96) x a production
# deploy neither failed nor rolled back (0.905), net of revert commits, retries and rollbacks (about +0.4%).
QUALITY_SHARE = 0.872
TREND_PER_WEEK = 0.02  # every team's deploy rate grows by 2% of its level a week: what a before/after mistakes for AI
SEASON_AMPLITUDE = 0.15  # and swings +-15% over a 4-week cycle (sprints, release trains), the same for every team
SEASON_DAYS = 28


@dataclass(frozen=True)
class PlantedImpact:
    adoption_day: np.ndarray  # per team: the Monday (day index) of its adoption week; NEVER without one
    effect_per_engineer_day: float  # added to the original deploy rate per engineer and weekday-factor unit

    def common(self, days: np.ndarray) -> np.ndarray:
        """The trend and season every team shares, as a multiplier of its level (days)."""
        days = np.asarray(days, dtype=float)
        return (1 + TREND_PER_WEEK * days / 7) * (1 + SEASON_AMPLITUDE * np.sin(2 * np.pi * days / SEASON_DAYS))

    def uplift(self, days: np.ndarray, team: np.ndarray) -> np.ndarray:
        """The planted effect on the original deploy rate per engineer (days x services, by owning team)."""
        return np.where(np.asarray(days)[:, None] >= self.adoption_day[team], self.effect_per_engineer_day, 0.0)


def adopting_weeks(cal: Calendar, teams: Teams, people: People, adoption: Adoption, threshold: float) -> np.ndarray:
    """weeks x teams: whether the team-week is adopting (see the module)."""
    weeks = (cal.days + 6) // 7
    started = np.where(adoption.first_use < NEVER, adoption.first_use, NEVER).min(axis=1)
    stopped = np.where(adoption.first_use < NEVER, adoption.churn_day, -1).max(axis=1)  # the last tool given up
    adopting = np.zeros((weeks, teams.count), dtype=bool)
    for week in range(weeks):
        team = people.team_at[:, cal.snapshot_of(7 * week)]
        engineer = (team >= 0) & people.is_engineer
        using = engineer & (started <= 7 * week + 6) & (stopped > 7 * week)
        headcount = np.bincount(team[engineer], minlength=teams.count)
        users = np.bincount(team[using], minlength=teams.count)
        adopting[week] = (headcount > 0) & (users >= threshold * headcount)
    return adopting


def adoption_weeks(adopting: np.ndarray, window: int, minimum: int) -> np.ndarray:
    """Per team, the first week adopting in at least `minimum` of the `window` weeks from it (the window inside the
    data, the week itself adopting); -1 without one."""
    weeks, count = adopting.shape
    found = np.full(count, -1)
    for week in range(weeks - window + 1):
        qualifies = adopting[week] & (adopting[week : week + window].sum(axis=0) >= minimum) & (found < 0)
        found[qualifies] = week
    return found


def plant_impact(
    cal: Calendar, teams: Teams, people: People, adoption: Adoption, effect: float, thresholds: dict[str, float]
) -> tuple[PlantedImpact, np.ndarray]:
    """The planted effect (in quality-adjusted deploys per engineer per week) and each team's adoption week."""
    adopting = adopting_weeks(cal, teams, people, adoption, thresholds["adoption_threshold"])
    weeks = adoption_weeks(
        adopting,
        int(thresholds["impact_cohort_window_weeks"]),
        int(thresholds["impact_cohort_min_adopting_weeks"]),
    )
    adoption_day = np.where(weeks >= 0, 7 * weeks, NEVER)
    per_day = effect / (WEEKDAY_FACTOR_SUM * QUALITY_SHARE)
    return PlantedImpact(adoption_day, per_day), weeks
