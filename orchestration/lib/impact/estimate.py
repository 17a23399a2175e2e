"""The estimates behind mart_ai_impact, one scope and outcome at a time.

Method: Callaway and Sant'Anna's group-time average effects (the csdid package, outcome regression), teams that
have not adopted yet and teams that never adopt as the comparison, aggregated to weeks since adoption (-8..+8)
and to their average after adoption (weeks 0..+8). Standard errors come from the estimator's influence
functions, which are per team: errors are clustered by team. The joint pre-trend test is a Wald test that the
event-week effects before adoption (-8..-1) are all zero, with their covariance from the same influence functions
(csdid's own pre-test covers every pre-adoption group-time cell, more cells than teams on a long panel, and then
returns nothing for a singular covariance). Both carry the usual small-sample corrections for errors clustered
by a few dozen teams: intervals use Student's t with teams - 1 degrees of freedom instead of the normal 1.96, and
the pre-trend statistic is read as Hotelling's T-squared (an F with q and teams - q degrees of freedom); on the
simulated organisations of the validation tests the normal and chi-squared versions withheld a third of honest
40-team estimates for "failed" pre-trends. Beside each estimate, the naive before/after of the same adopting
teams: the mean of weeks 0..+8 after adoption minus the mean of weeks -8..-1 before it.

A scope whose data cannot support an estimate (too few adopting or comparison teams, pre-adoption trends that
differ) gets rows that say so, with a null estimate: a number that cannot be defended is never published.
"""

import contextlib
import io
import math
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

EVENT_WEEKS = range(-8, 9)  # weeks since adoption shown in the event study
AFTER_WINDOW = "0..+8"  # the weeks averaged into the headline effect (and the naive after-period)
Z_95 = 1.959963984540054  # two-sided 95% normal quantile

CALLAWAY_SANTANNA = "callaway_santanna"
NAIVE = "naive_before_after"
ADOPTED, NEVER_ADOPTED = "adopted", "never_adopted"  # mart_team_cohorts' cohorts that enter an estimate

# Published column of mart_team_weekly -> how a sentence names it.
OUTCOMES: dict[str, str] = {
    "deploys_per_engineer": "quality-adjusted deploys per engineer per week",
    "change_failure_rate": "change failure rate",
    "lead_time_hours_p50": "median lead time (hours)",
    "ai_assisted_pr_share": "AI-assisted share of merged pull requests",
}

# pandas dtypes of the rows; the nullable ones (capitalised) write a missing value as null, never as NaN
ESTIMATE_COLUMNS = {
    "outcome": "string",
    "scope": "string",
    "estimator": "string",
    "effect_window": "string",
    "event_week": "Int64",
    "estimate": "Float64",
    "std_error": "Float64",
    "ci_low": "Float64",
    "ci_high": "Float64",
    "n_treated_teams": "int64",
    "n_control_teams": "int64",
    "n_team_weeks": "int64",
    "pretrend_p": "Float64",
    "is_reliable": "bool",
    "reason": "string",
}

NAIVE_REASON = (
    "a before/after comparison of the same adopting teams, not an effect: it moves with everything else that "
    "changed over those weeks (trend, season, hiring)"
)


@dataclass(frozen=True)
class ImpactSettings:
    """The thresholds a defensible estimate needs (metric_vars: impact_min_treated_teams,
    impact_min_control_teams, impact_pretrend_alpha)."""

    min_treated_teams: int = 5
    min_control_teams: int = 5
    pretrend_alpha: float = 0.05

    @classmethod
    def from_metric_vars(cls, values: Mapping[str, float]) -> "ImpactSettings":
        return cls(
            min_treated_teams=int(values["impact_min_treated_teams"]),
            min_control_teams=int(values["impact_min_control_teams"]),
            pretrend_alpha=float(values["impact_pretrend_alpha"]),
        )


@dataclass(frozen=True)
class Sample:
    """One outcome's balanced team-week panel in a scope: teams observed with a value in every week."""

    frame: pd.DataFrame  # team_id, period (1 = first week), group (adoption period, 0 = never adopted), y
    treated_teams: int
    control_teams: int  # never adopted, or adopting after the earliest adopters (not yet treated for them)


def _row(outcome: str, scope: str, estimator: str, **values) -> dict:
    row = dict.fromkeys(ESTIMATE_COLUMNS)
    row.update(outcome=outcome, scope=scope, estimator=estimator, is_reliable=False)
    row.update(values)
    return row


def _number(value: object) -> float | None:
    value = float(value) if value is not None else math.nan
    return None if math.isnan(value) or math.isinf(value) else value


def scopes(panel: pd.DataFrame) -> Iterator[tuple[str, pd.DataFrame]]:
    """All teams, each org, each velocity tier (the programme's 3x and 10x targets)."""
    yield "all_teams", panel
    for org, teams in panel.groupby("org", sort=True):
        yield f"org:{org}", teams
    for target, teams in panel.groupby("velocity_target", sort=True):
        yield f"velocity_tier:{int(target)}x", teams


@dataclass(frozen=True)
class Balanced:
    """One outcome's balanced panel: the adopting and never-adopting teams with the outcome in every week of the
    data, and what each brings to a scope (its adoption group, and an adopting team's before/after difference).
    Built once per outcome; a scope (all teams, an org, a tier) takes its teams' rows, so whether a team is in is
    the same in every scope."""

    frame: pd.DataFrame  # team_id, period (1 = first week), group (adoption period, 0 = never adopted), y
    groups: pd.Series  # team_id -> group
    differences: pd.Series  # adopting team_id -> mean of its weeks 0..+8 minus the mean of its weeks -8..-1

    @classmethod
    def of(cls, panel: pd.DataFrame, outcome: str) -> "Balanced":
        weeks = pd.to_datetime(panel["week_start"])
        first = weeks.min()
        frame = pd.DataFrame(
            {
                "team_id": panel["team_id"],
                "period": ((weeks - first).dt.days // 7 + 1).astype("int64"),
                "adoption": pd.to_datetime(panel["adoption_week"]),
                "cohort": panel["cohort"],
                "y": pd.to_numeric(panel[outcome], errors="coerce").astype("float64"),
            }
        )
        frame = frame[frame["cohort"].isin([ADOPTED, NEVER_ADOPTED])]
        week_count = frame["period"].nunique()
        observed = frame.dropna(subset=["y"]).groupby("team_id")["period"].nunique()
        complete = observed.index[observed == week_count]
        frame = frame[frame["team_id"].isin(complete)].copy()
        adoption_period = ((frame["adoption"] - first).dt.days // 7 + 1).fillna(0).astype("int64")
        frame["group"] = np.where(frame["cohort"] == ADOPTED, adoption_period, 0)
        frame = frame[["team_id", "period", "group", "y"]]
        groups = frame.drop_duplicates("team_id").set_index("team_id")["group"]
        return cls(frame, groups, _before_after_differences(frame))

    def scope(self, teams: pd.Series) -> tuple[Sample, pd.Series]:
        """The sample of a scope's teams, and the before/after differences of its adopting teams."""
        groups = self.groups[self.groups.index.isin(teams)]
        treated = groups[groups > 0]
        later = int((treated > treated.min()).sum()) if len(treated) else 0
        data = Sample(
            self.frame[self.frame["team_id"].isin(groups.index)],
            len(treated),
            int((groups == 0).sum()) + later,
        )
        return data, self.differences[self.differences.index.isin(teams)]


def _before_after_differences(frame: pd.DataFrame) -> pd.Series:
    """Each adopting team's mean of weeks 0..+8 after adoption minus its mean of weeks -8..-1 before it."""
    treated = frame[frame["group"] > 0]
    event = treated["period"] - treated["group"]
    after = treated[(event >= 0) & (event <= EVENT_WEEKS[-1])].groupby("team_id")["y"].mean()
    before = treated[(event < 0) & (event >= EVENT_WEEKS[0])].groupby("team_id")["y"].mean()
    return (after - before).dropna()


def _not_estimable(data: Sample, settings: ImpactSettings) -> str | None:
    if data.treated_teams < settings.min_treated_teams:
        return (
            f"too few adopting teams with this outcome in every week: {data.treated_teams}, at least "
            f"{settings.min_treated_teams} needed (impact_min_treated_teams)"
        )
    if data.control_teams == 0:
        return "no teams to compare with: every team adopted in the same week and none never adopted"
    if data.control_teams < settings.min_control_teams:
        return (
            f"too few comparison teams (not yet or never adopting): {data.control_teams}, at least "
            f"{settings.min_control_teams} needed (impact_min_control_teams)"
        )
    return None


def _callaway_santanna(frame: pd.DataFrame) -> tuple[dict, float | None]:
    """csdid's event-time aggregation and its pre-trend p-value. Imported here: only a scope with enough
    teams pays for the library's import (small runs never do)."""
    from csdid.att_gt import ATTgt

    data = frame.assign(unit=pd.factorize(frame["team_id"])[0] + 1)[["unit", "period", "group", "y"]]
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):  # it prints its tables
        warnings.simplefilter("ignore")
        model = ATTgt(
            yname="y", tname="period", idname="unit", gname="group", data=data, control_group="notyettreated"
        ).fit(est_method="reg", bstrap=False)
        model.aggte(typec="dynamic", min_e=EVENT_WEEKS[0], max_e=EVENT_WEEKS[-1], bstrap=False)
    return model.atte, _pretrend_p(model.atte)


def _critical_value(teams: int) -> float:
    """Two-sided 95% quantile of Student's t with teams - 1 degrees of freedom (clusters, not team-weeks)."""
    from scipy.stats import t

    return float(t.ppf(0.975, teams - 1)) if teams > 1 else math.nan


def _pretrend_p(aggregated: dict) -> float | None:
    """p-value of the joint test that every event week before adoption has a zero effect (Hotelling's T-squared
    over the teams' influence functions)."""
    from scipy.stats import f

    weeks = np.asarray(aggregated["egt"])
    influence = np.asarray(aggregated["inf_function"]["dynamic_inf_func_e"], dtype=float)
    before = np.flatnonzero(weeks < 0)
    if before.size == 0 or influence.ndim != 2:
        return None
    estimates = np.asarray(aggregated["att_egt"], dtype=float)[before]
    teams = influence.shape[0]
    covariance = influence[:, before].T @ influence[:, before] / teams**2
    if not np.isfinite(covariance).all() or np.linalg.matrix_rank(covariance) < before.size:
        return None
    statistic = float(estimates @ np.linalg.solve(covariance, estimates))
    tests = before.size
    if teams <= tests:
        return None
    return float(f.sf(statistic * (teams - tests) / (tests * (teams - 1)), tests, teams - tests))


def _naive(differences: pd.Series) -> tuple[float | None, float | None, int]:
    """The adopting teams' before/after differences averaged; its standard error from their spread."""
    if differences.empty:
        return None, None, 0
    error = float(differences.std(ddof=1) / math.sqrt(len(differences))) if len(differences) > 1 else None
    return float(differences.mean()), error, len(differences)


def _with_interval(estimate: float | None, error: float | None, critical: float = Z_95) -> dict:
    if estimate is None or error is None:
        return {"estimate": estimate, "std_error": error}
    return {
        "estimate": estimate,
        "std_error": error,
        "ci_low": estimate - critical * error,
        "ci_high": estimate + critical * error,
    }


def estimate_scope(panel: pd.DataFrame, outcome: str, scope: str, settings: ImpactSettings) -> list[dict]:
    """The rows of one outcome in one scope, `panel` holding the scope's teams: the average effect after adoption,
    one per event week, and the naive before/after of the same teams."""
    return _estimate_scope(Balanced.of(panel, outcome), panel["team_id"], outcome, scope, settings)


def _estimate_scope(
    balanced: Balanced, teams: pd.Series, outcome: str, scope: str, settings: ImpactSettings
) -> list[dict]:
    data, differences = balanced.scope(teams)
    counts = {
        "n_treated_teams": data.treated_teams,
        "n_control_teams": data.control_teams,
        "n_team_weeks": len(data.frame),
    }
    naive_estimate, naive_error, naive_teams = _naive(differences)
    naive = _row(
        outcome,
        scope,
        NAIVE,
        effect_window=AFTER_WINDOW,
        **_with_interval(naive_estimate, naive_error),
        n_treated_teams=naive_teams,
        n_control_teams=0,
        n_team_weeks=counts["n_team_weeks"],
        reason=NAIVE_REASON if naive_estimate is not None else "no adopting team has weeks both before and after",
    )
    headline = {"effect_window": AFTER_WINDOW, **counts}
    if (reason := _not_estimable(data, settings)) is not None:
        return [_row(outcome, scope, CALLAWAY_SANTANNA, **headline, reason=reason), naive]
    try:
        aggregated, pretrend_p = _callaway_santanna(data.frame)
    except Exception as error:  # a data shape the library refuses is a row that says so, not a failed run
        reason = f"the estimator could not run on these teams: {type(error).__name__}: {error}"
        return [_row(outcome, scope, CALLAWAY_SANTANNA, **headline, reason=reason[:500]), naive]
    if pretrend_p is None:
        reason = "no pre-adoption weeks to test whether adopting teams moved like the others before"
        return [_row(outcome, scope, CALLAWAY_SANTANNA, **headline, reason=reason), naive]
    if pretrend_p < settings.pretrend_alpha:
        reason = (
            f"before adopting, these teams did not move like the comparison teams (joint pre-trend test p = "
            f"{pretrend_p:.3f} < {settings.pretrend_alpha:g}): the comparison cannot stand in for them"
        )
        return [_row(outcome, scope, CALLAWAY_SANTANNA, **headline, pretrend_p=pretrend_p, reason=reason), naive]
    critical = _critical_value(data.frame["team_id"].nunique())
    rows = [
        _row(
            outcome,
            scope,
            CALLAWAY_SANTANNA,
            **headline,
            **_with_interval(_number(aggregated["overall_att"]), _number(aggregated["overall_se"]), critical),
            pretrend_p=pretrend_p,
            is_reliable=_number(aggregated["overall_se"]) is not None,
        )
    ]
    for week, estimate, error in zip(aggregated["egt"], aggregated["att_egt"], aggregated["se_egt"], strict=True):
        estimate, error = _number(estimate), _number(error)
        rows.append(
            _row(
                outcome,
                scope,
                CALLAWAY_SANTANNA,
                **counts,
                effect_window=f"{int(week):+d}",
                event_week=int(week),
                **_with_interval(estimate, error, critical),
                pretrend_p=pretrend_p,
                is_reliable=error is not None,
                reason=None if error is not None else "no standard error at this week: too few teams observed",
            )
        )
    if rows[0]["std_error"] is None:
        rows[0]["reason"] = "no standard error for the average after adoption"
    return [*rows, naive]


def estimate_impact(panel: pd.DataFrame, settings: ImpactSettings) -> pd.DataFrame:
    """Every outcome present in the panel, in every scope, as the rows of mart_ai_impact.

    `panel`: one row per team-week (team_id, org, velocity_target, week_start, cohort, adoption_week and the
    outcome columns), the published team-weeks and cohorts.
    """
    rows = []
    for outcome in OUTCOMES:
        if outcome not in panel or panel[outcome].isna().all():
            continue  # an organisation without pull requests has no lead time or AI-assisted share
        balanced = Balanced.of(panel, outcome)
        for scope, teams in scopes(panel):
            rows.extend(_estimate_scope(balanced, teams["team_id"], outcome, scope, settings))
    return pd.DataFrame(rows, columns=list(ESTIMATE_COLUMNS)).astype(ESTIMATE_COLUMNS)
