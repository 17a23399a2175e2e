"""What `aaw explain` answers with: the metrics it knows, an Explanation (pure data) and its record sets."""

from dataclasses import dataclass, field

PULL_REQUEST_METRICS = ("ai_assisted_pr_share", "lead_time_hours_p50")  # a team's week, from its pull requests
TEAM_METRICS = (
    "production_deploys",
    "quality_adjusted_deploys",
    "deploys_per_engineer",
    "change_failure_rate",
    "weekly_active_ai_users",
    "value_deriving_events",
    "velocity_multiple",
    *PULL_REQUEST_METRICS,
)
TOOL_METRICS = ("monthly_active_users", "licence_utilisation", "idle_seats", "shadow_users", "nps")
IMPACT_METRICS = ("ai_impact",)  # the organisation's estimate, with the cohorts of teams it compares
METRICS = TEAM_METRICS + TOOL_METRICS + IMPACT_METRICS

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
