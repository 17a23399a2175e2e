"""What the report says about AI impact: per outcome, the event study over all teams as a chart with its 95% band,
and one plain sentence per headline estimate (every scope), with the naive before/after of the same teams beside
it. Every number is a published column of mart_ai_impact; a withheld estimate shows its reason, never a number."""

from dataclasses import dataclass

from orchestration.defs.publish.report import charts
from orchestration.defs.publish.report.model import is_null

# outcome -> (what it is, how a change of it reads: (more, less), unit formatter, chart axis format)
OUTCOMES = {
    "deploys_per_engineer": (
        "Quality-adjusted deploys per engineer per week",
        ("more", "fewer"),
        lambda value: f"{value:.2f} {{}} quality-adjusted deploys per engineer per week",
        ".2f",
    ),
    "change_failure_rate": (
        "Change failure rate",
        ("higher", "lower"),
        lambda value: f"a change failure rate {100 * value:.1f} percentage points {{}}",
        ".0%",
    ),
    "lead_time_hours_p50": (
        "Median lead time for changes (hours)",
        ("longer", "shorter"),
        lambda value: f"median lead times {value:.1f} hours {{}}",
        ".1f",
    ),
    "ai_assisted_pr_share": (
        "AI-assisted share of merged pull requests",
        ("higher", "lower"),
        lambda value: f"an AI-assisted share of merged pull requests {100 * value:.1f} percentage points {{}}",
        ".0%",
    ),
}


@dataclass(frozen=True)
class OutcomeView:
    outcome: str
    label: str
    chart: str  # the event study over all teams (SVG)
    sentences: list[str]  # one per scope's headline estimate


def _change(outcome: str, value: float) -> str:
    _, (up, down), phrase, _ = OUTCOMES[outcome]
    return phrase(abs(value)).format(up if value >= 0 else down)


def _signed(outcome: str, value: float) -> str:
    if outcome in ("change_failure_rate", "ai_assisted_pr_share"):
        return f"{100 * value:+.1f} pp"
    return f"{value:+.2f}"


def _scope_name(scope: str) -> str:
    if scope == "all_teams":
        return "All teams"
    kind, _, value = scope.partition(":")
    return f"Velocity tier {value}" if kind == "velocity_tier" else f"Org {value}"


def sentence(estimate: dict, naive: dict | None) -> str:
    """One plain sentence about a headline estimate (and the naive comparison of the same teams)."""
    outcome, scope = estimate["outcome"], _scope_name(estimate["scope"])
    if is_null(estimate["estimate"]):
        return f"{scope}: no estimate published: {estimate['reason']}."
    text = (
        f"{scope}: after adopting, teams had {_change(outcome, estimate['estimate'])} than the teams not yet or never "
        f"adopting (95% CI {_signed(outcome, estimate['ci_low'])} to {_signed(outcome, estimate['ci_high'])}, "
        f"{estimate['n_treated_teams']} adopting teams); before adopting they moved like those teams "
        f"(p = {estimate['pretrend_p']:.2f})."
    )
    if naive is not None and not is_null(naive["estimate"]):
        text += f" A before/after of the same teams would have said {_signed(outcome, naive['estimate'])}."
    return text


def impact_views(rows: list[dict]) -> list[OutcomeView]:
    views = []
    for outcome, (label, _, _, axis_format) in OUTCOMES.items():
        mine = [row for row in rows if row["outcome"] == outcome]
        if not mine:
            continue
        headline = [row for row in mine if row["estimator"] == "callaway_santanna" and is_null(row["event_week"])]
        naive = {row["scope"]: row for row in mine if row["estimator"] == "naive_before_after"}
        weeks = [row for row in mine if row["scope"] == "all_teams" and row["estimator"] == "callaway_santanna"]
        weeks = [row for row in weeks if not is_null(row["event_week"])]
        chart = charts.event_study(weeks, f"{label}: effect by week since adoption, all teams", label, axis_format)
        views.append(OutcomeView(outcome, label, chart, [sentence(row, naive.get(row["scope"])) for row in headline]))
    return views
